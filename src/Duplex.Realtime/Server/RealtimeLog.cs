using Microsoft.Extensions.Logging;

namespace Duplex.Realtime.Server;

/// <summary>Every log line the realtime endpoint writes, in one place (session ids are never logged: they are secrets).</summary>
internal sealed partial class RealtimeLog(ILogger logger)
{
    [LoggerMessage(100, LogLevel.Information, "Realtime request refused: {Status} {Error} ({Detail})")]
    public partial void Refused(int status, string error, string detail);

    [LoggerMessage(101, LogLevel.Debug, "Realtime session opened ({Count} live)")]
    public partial void SessionOpened(int count);

    [LoggerMessage(102, LogLevel.Debug, "Realtime session ended: {Reason}")]
    public partial void SessionEnded(string reason);

    [LoggerMessage(103, LogLevel.Error, "Realtime {Where} failed")]
    public partial void HandlerFailed(Exception exception, string where);

    [LoggerMessage(104, LogLevel.Debug, "Realtime transport {Transport} ended: {Detail}")]
    public partial void TransportEnded(string transport, string detail);

    [LoggerMessage(110, LogLevel.Information, "Channel request refused: {Error} on {Channel} ({Detail})")]
    public partial void ChannelRefused(string error, string channel, string detail);

    [LoggerMessage(111, LogLevel.Warning, "Slow subscriber on {Channel}: {Policy} ({Pending} unacknowledged)")]
    public partial void SlowSubscriber(string channel, string policy, int pending);

    [LoggerMessage(112, LogLevel.Warning, "Channel {Channel}: publications {First} to {Last} never reached a subscriber (announced as a gap)")]
    public partial void ChannelGap(string channel, long first, long last);

    [LoggerMessage(113, LogLevel.Information, "A channel envelope broke the protocol ({Detail}): the session ends")]
    public partial void ChannelProtocolError(string detail);
}
