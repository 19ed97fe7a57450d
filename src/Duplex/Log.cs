using System.Net;
using Microsoft.Extensions.Logging;

namespace Duplex;

/// <summary>Every log line Duplex writes, in one place.</summary>
internal static partial class Log
{
    public static void ProtocolError(ILogger logger, EndPoint? remote, int code, string message)
    {
        DuplexMetrics.ProtocolErrors.Add(1, new KeyValuePair<string, object?>("code", code));
        ProtocolErrorLine(logger, remote, code, message);
    }

    [LoggerMessage(1, LogLevel.Information, "WebSocket protocol error from {Remote}: closing with {Code}: {Message}")]
    private static partial void ProtocolErrorLine(ILogger logger, EndPoint? remote, int code, string message);

    [LoggerMessage(2, LogLevel.Debug, "Transport error on {Remote}: {Message}")]
    public static partial void TransportError(ILogger logger, EndPoint? remote, string message);

    public static void KeepAliveTimeout(ILogger logger, EndPoint? remote, long timeoutMs)
    {
        DuplexMetrics.KeepAliveTimeouts.Add(1);
        KeepAliveTimeoutLine(logger, remote, timeoutMs);
    }

    [LoggerMessage(3, LogLevel.Information, "No sign of life from {Remote} within {TimeoutMs} ms of a keepalive ping: dropping the connection")]
    private static partial void KeepAliveTimeoutLine(ILogger logger, EndPoint? remote, long timeoutMs);

    public static void RequestRejected(ILogger logger, EndPoint? remote, int status, string reason)
    {
        DuplexMetrics.RequestsRejected.Add(1, new KeyValuePair<string, object?>("status", status));
        RequestRejectedLine(logger, remote, status, reason);
    }

    [LoggerMessage(4, LogLevel.Information, "Rejected HTTP request from {Remote}: {Status} {Reason}")]
    private static partial void RequestRejectedLine(ILogger logger, EndPoint? remote, int status, string reason);

    public static void HandshakeTimeout(ILogger logger, EndPoint? remote, long timeoutMs)
    {
        DuplexMetrics.HandshakeTimeouts.Add(1);
        HandshakeTimeoutLine(logger, remote, timeoutMs);
    }

    [LoggerMessage(5, LogLevel.Information, "Handshake timeout: {Remote} did not send a complete request within {TimeoutMs} ms")]
    private static partial void HandshakeTimeoutLine(ILogger logger, EndPoint? remote, long timeoutMs);

    [LoggerMessage(6, LogLevel.Error, "WebSocket handler for {Path} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(7, LogLevel.Information, "Listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, EndPoint endPoint);

    [LoggerMessage(8, LogLevel.Warning, "Connection limit {Limit} reached: refusing {Remote}")]
    public static partial void ConnectionLimit(ILogger logger, int limit, EndPoint? remote);

    public static void WebSocketAccepted(ILogger logger, EndPoint? remote, string path)
    {
        DuplexMetrics.WebSocketsOpened.Add(1);
        WebSocketAcceptedLine(logger, remote, path);
    }

    [LoggerMessage(9, LogLevel.Debug, "Accepted WebSocket {Remote} on {Path}")]
    private static partial void WebSocketAcceptedLine(ILogger logger, EndPoint? remote, string path);

    [LoggerMessage(10, LogLevel.Error, "Accept loop failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);
}
