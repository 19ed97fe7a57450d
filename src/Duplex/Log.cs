using System.Net;
using Duplex.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Duplex;

/// <summary>Every log line Duplex writes, in one place.</summary>
internal static partial class Log
{
    public static void ProtocolError(DuplexDiagnostics d, EndPoint? remote, int code, string message)
    {
        d.Instruments.ProtocolErrors.Add(1, new KeyValuePair<string, object?>("code", code));
        ProtocolErrorLine(d.Logger, remote, code, message);
    }

    [LoggerMessage(1, LogLevel.Information, "WebSocket protocol error from {Remote}: closing with {Code}: {Message}")]
    private static partial void ProtocolErrorLine(ILogger logger, EndPoint? remote, int code, string message);

    public static void TransportError(DuplexDiagnostics d, EndPoint? remote, string message) => TransportErrorLine(d.Logger, remote, message);

    [LoggerMessage(2, LogLevel.Debug, "Transport error on {Remote}: {Message}")]
    private static partial void TransportErrorLine(ILogger logger, EndPoint? remote, string message);

    public static void KeepAliveTimeout(DuplexDiagnostics d, EndPoint? remote, long timeoutMs)
    {
        d.Instruments.KeepAliveTimeouts.Add(1);
        KeepAliveTimeoutLine(d.Logger, remote, timeoutMs);
    }

    [LoggerMessage(3, LogLevel.Information, "No sign of life from {Remote} within {TimeoutMs} ms of a keepalive ping: dropping the connection")]
    private static partial void KeepAliveTimeoutLine(ILogger logger, EndPoint? remote, long timeoutMs);

    public static void RequestRejected(DuplexDiagnostics d, EndPoint? remote, int status, string reason)
    {
        d.Instruments.RequestsRejected.Add(1, new KeyValuePair<string, object?>("status", status));
        RequestRejectedLine(d.Logger, remote, status, reason);
    }

    [LoggerMessage(4, LogLevel.Information, "Rejected HTTP request from {Remote}: {Status} {Reason}")]
    private static partial void RequestRejectedLine(ILogger logger, EndPoint? remote, int status, string reason);

    public static void HandshakeTimeout(DuplexDiagnostics d, EndPoint? remote, long timeoutMs)
    {
        d.Instruments.HandshakeTimeouts.Add(1);
        HandshakeTimeoutLine(d.Logger, remote, timeoutMs);
    }

    [LoggerMessage(5, LogLevel.Information, "Handshake timeout: {Remote} did not send a complete request within {TimeoutMs} ms")]
    private static partial void HandshakeTimeoutLine(ILogger logger, EndPoint? remote, long timeoutMs);

    public static void HandlerFailed(DuplexDiagnostics d, Exception exception, string path) => HandlerFailedLine(d.Logger, exception, path);

    [LoggerMessage(6, LogLevel.Error, "Handler for {Path} failed")]
    private static partial void HandlerFailedLine(ILogger logger, Exception exception, string path);

    public static void Listening(DuplexDiagnostics d, EndPoint endPoint) => ListeningLine(d.Logger, endPoint);

    [LoggerMessage(7, LogLevel.Information, "Listening on {EndPoint}")]
    private static partial void ListeningLine(ILogger logger, EndPoint endPoint);

    public static void ConnectionLimit(DuplexDiagnostics d, int limit, EndPoint? remote) => ConnectionLimitLine(d.Logger, limit, remote);

    [LoggerMessage(8, LogLevel.Warning, "Connection limit {Limit} reached: refusing {Remote}")]
    private static partial void ConnectionLimitLine(ILogger logger, int limit, EndPoint? remote);

    public static void WebSocketAccepted(DuplexDiagnostics d, EndPoint? remote, string path)
    {
        d.Instruments.WebSocketsOpened.Add(1);
        WebSocketAcceptedLine(d.Logger, remote, path);
    }

    [LoggerMessage(9, LogLevel.Debug, "Accepted WebSocket {Remote} on {Path}")]
    private static partial void WebSocketAcceptedLine(ILogger logger, EndPoint? remote, string path);

    public static void AcceptFailed(DuplexDiagnostics d, Exception exception) => AcceptFailedLine(d.Logger, exception);

    [LoggerMessage(10, LogLevel.Error, "Accept loop failed")]
    private static partial void AcceptFailedLine(ILogger logger, Exception exception);

    public static void KeepAliveIdle(DuplexDiagnostics d, EndPoint? remote, long timeoutMs) => KeepAliveIdleLine(d.Logger, remote, timeoutMs);

    [LoggerMessage(11, LogLevel.Debug, "Closing the idle HTTP connection from {Remote} after {TimeoutMs} ms without a request")]
    private static partial void KeepAliveIdleLine(ILogger logger, EndPoint? remote, long timeoutMs);
}
