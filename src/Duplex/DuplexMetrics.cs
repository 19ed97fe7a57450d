namespace Duplex;

/// <summary>
/// What Duplex publishes on the "Duplex" meter (System.Diagnostics.Metrics), readable with
/// dotnet-counters or any OpenTelemetry exporter. The meter is the process's own unless a host
/// is given an <see cref="System.Diagnostics.Metrics.IMeterFactory"/>
/// (<see cref="DuplexServerOptions.MeterFactory"/>, <see cref="WebSocketClientOptions.MeterFactory"/>).
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>duplex.connections.accepted</term><description>counter: TCP connections accepted by servers</description></item>
/// <item><term>duplex.connections.open</term><description>up-down counter: TCP connections servers hold now</description></item>
/// <item><term>duplex.websockets.opened</term><description>counter: WebSocket handshakes completed (server and client)</description></item>
/// <item><term>duplex.websockets.open</term><description>up-down counter: WebSocket connections open now</description></item>
/// <item><term>duplex.requests.rejected</term><description>counter: HTTP requests refused, tagged <c>status</c></description></item>
/// <item><term>duplex.protocol.errors</term><description>counter: connections failed for breaking RFC 6455, tagged <c>code</c></description></item>
/// <item><term>duplex.keepalive.timeouts</term><description>counter: connections dropped for not answering pings</description></item>
/// <item><term>duplex.handshake.timeouts</term><description>counter: connections dropped for not finishing their request in time</description></item>
/// </list>
/// </remarks>
public static class DuplexMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Duplex";
}
