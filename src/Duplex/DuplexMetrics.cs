using System.Diagnostics.Metrics;

namespace Duplex;

/// <summary>
/// The counters Duplex publishes on the "Duplex" meter (System.Diagnostics.Metrics), readable
/// with dotnet-counters or any OpenTelemetry exporter. Every refused request and failed
/// connection is counted, with the status or close code as a tag.
/// </summary>
public static class DuplexMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Duplex";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> ConnectionsAccepted = Meter.CreateCounter<long>("duplex.connections.accepted", description: "TCP connections accepted by servers");
    internal static readonly Counter<long> WebSocketsOpened = Meter.CreateCounter<long>("duplex.websockets.opened", description: "WebSocket handshakes completed (server and client)");
    internal static readonly Counter<long> RequestsRejected = Meter.CreateCounter<long>("duplex.requests.rejected", description: "HTTP requests refused, tagged with the status code");
    internal static readonly Counter<long> ProtocolErrors = Meter.CreateCounter<long>("duplex.protocol.errors", description: "Connections failed for breaking RFC 6455, tagged with the close code");
    internal static readonly Counter<long> KeepAliveTimeouts = Meter.CreateCounter<long>("duplex.keepalive.timeouts", description: "Connections dropped because the peer stopped answering pings");
    internal static readonly Counter<long> HandshakeTimeouts = Meter.CreateCounter<long>("duplex.handshake.timeouts", description: "Connections dropped for not finishing their request in time");
}
