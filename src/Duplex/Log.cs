using System.Net;
using Microsoft.Extensions.Logging;

namespace Duplex;

/// <summary>Every log line Duplex writes, in one place.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "WebSocket protocol error from {Remote}: closing with {Code}: {Message}")]
    public static partial void ProtocolError(ILogger logger, EndPoint? remote, int code, string message);

    [LoggerMessage(2, LogLevel.Debug, "Transport error on {Remote}: {Message}")]
    public static partial void TransportError(ILogger logger, EndPoint? remote, string message);

    [LoggerMessage(3, LogLevel.Information, "No sign of life from {Remote} within {TimeoutMs} ms of a keepalive ping: dropping the connection")]
    public static partial void KeepAliveTimeout(ILogger logger, EndPoint? remote, long timeoutMs);

    [LoggerMessage(4, LogLevel.Information, "Rejected HTTP request from {Remote}: {Status} {Reason}")]
    public static partial void RequestRejected(ILogger logger, EndPoint? remote, int status, string reason);

    [LoggerMessage(5, LogLevel.Information, "Handshake timeout: {Remote} did not send a complete request within {TimeoutMs} ms")]
    public static partial void HandshakeTimeout(ILogger logger, EndPoint? remote, long timeoutMs);

    [LoggerMessage(6, LogLevel.Error, "WebSocket handler for {Path} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(7, LogLevel.Information, "Listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, EndPoint endPoint);

    [LoggerMessage(8, LogLevel.Warning, "Connection limit {Limit} reached: refusing {Remote}")]
    public static partial void ConnectionLimit(ILogger logger, int limit, EndPoint? remote);

    [LoggerMessage(9, LogLevel.Debug, "Accepted WebSocket {Remote} on {Path}")]
    public static partial void WebSocketAccepted(ILogger logger, EndPoint? remote, string path);

    [LoggerMessage(10, LogLevel.Error, "Accept loop failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);
}
