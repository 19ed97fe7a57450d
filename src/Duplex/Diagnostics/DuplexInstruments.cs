using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Duplex.Diagnostics;

/// <summary>
/// The instruments of the <see cref="DuplexMetrics.MeterName"/> meter: one set for the process
/// (a meter of its own) or one per <see cref="IMeterFactory"/> a host hands in, so that an app
/// using dependency injection sees Duplex's counters on its own meters.
/// </summary>
internal sealed class DuplexInstruments
{
    private static readonly ConditionalWeakTable<IMeterFactory, DuplexInstruments> ByFactory = [];

    private DuplexInstruments(Meter meter)
    {
        ConnectionsAccepted = meter.CreateCounter<long>("duplex.connections.accepted", description: "TCP connections accepted by servers");
        ConnectionsOpen = meter.CreateUpDownCounter<long>("duplex.connections.open", description: "TCP connections servers hold now (HTTP and WebSocket)");
        WebSocketsOpened = meter.CreateCounter<long>("duplex.websockets.opened", description: "WebSocket handshakes completed (server and client)");
        WebSocketsOpen = meter.CreateUpDownCounter<long>("duplex.websockets.open", description: "WebSocket connections open now (server and client)");
        RequestsRejected = meter.CreateCounter<long>("duplex.requests.rejected", description: "HTTP requests refused, tagged with the status code");
        ProtocolErrors = meter.CreateCounter<long>("duplex.protocol.errors", description: "Connections failed for breaking RFC 6455, tagged with the close code");
        KeepAliveTimeouts = meter.CreateCounter<long>("duplex.keepalive.timeouts", description: "Connections dropped because the peer stopped answering pings");
        HandshakeTimeouts = meter.CreateCounter<long>("duplex.handshake.timeouts", description: "Connections dropped for not finishing their request in time");
    }

    /// <summary>The instruments on the process's own meter, for hosts given no meter factory.</summary>
    public static DuplexInstruments Shared { get; } = new(new Meter(DuplexMetrics.MeterName));

    public Counter<long> ConnectionsAccepted { get; }

    public UpDownCounter<long> ConnectionsOpen { get; }

    public Counter<long> WebSocketsOpened { get; }

    public UpDownCounter<long> WebSocketsOpen { get; }

    public Counter<long> RequestsRejected { get; }

    public Counter<long> ProtocolErrors { get; }

    public Counter<long> KeepAliveTimeouts { get; }

    public Counter<long> HandshakeTimeouts { get; }

    /// <summary>The instruments for <paramref name="factory"/> (created once per factory), or the shared ones.</summary>
    public static DuplexInstruments For(IMeterFactory? factory) =>
        factory is null ? Shared : ByFactory.GetValue(factory, static f => new DuplexInstruments(f.Create(DuplexMetrics.MeterName)));
}
