using Microsoft.Extensions.Logging;

namespace Duplex.Realtime.Client;

/// <summary>The client's log lines (never the session id: docs/PROTOCOL.md §1 keeps it secret).</summary>
internal sealed partial class ClientLog(ILogger logger)
{
    [LoggerMessage(1, LogLevel.Information, "Realtime transport {Transport} is up")]
    private static partial void Up(ILogger logger, string transport);

    [LoggerMessage(2, LogLevel.Information, "Realtime transport {Transport} failed: {Reason}")]
    private static partial void Failed(ILogger logger, string transport, string reason);

    [LoggerMessage(3, LogLevel.Debug, "Realtime send retried: {Reason}")]
    private static partial void Retried(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Realtime session lost: {Reason}")]
    private static partial void Lost(ILogger logger, string reason);

    [LoggerMessage(5, LogLevel.Warning, "A StateChanged handler threw")]
    private static partial void HandlerThrew(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "A channel envelope from the server was ignored: {Reason}")]
    private static partial void ChannelIgnored(ILogger logger, string reason);

    public void ChannelEnvelopeIgnored(string reason) => ChannelIgnored(logger, reason);

    public void TransportUp(RealtimeTransport transport) => Up(logger, RealtimeTransports.Name(transport));

    public void TransportFailed(RealtimeTransport transport, string reason) => Failed(logger, RealtimeTransports.Name(transport), reason);

    public void SendRetried(string reason) => Retried(logger, reason);

    public void SessionLost(string reason) => Lost(logger, reason);

    public void StateHandlerThrew(Exception exception) => HandlerThrew(logger, exception);
}
