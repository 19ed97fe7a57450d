using Microsoft.Extensions.Logging;

namespace Duplex.Cli;

/// <summary>The log lines the commands write.</summary>
internal static partial class CliLog
{
    [LoggerMessage(1, LogLevel.Information, "Duplex listening on {Scheme}://{Authority} — open it in a browser; WebSocket echo at {WebSocketScheme}://{Authority}/echo")]
    public static partial void ServeListening(ILogger logger, string scheme, string authority, string webSocketScheme);

    [LoggerMessage(2, LogLevel.Information, "Shutting down: closing WebSocket connections with 1001 (going away)")]
    public static partial void ShuttingDown(ILogger logger);

    [LoggerMessage(3, LogLevel.Information, "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(4, LogLevel.Warning, "Compare workload: refused a message (k: {Kind}): {Reason}")]
    public static partial void CompareMessageRefused(ILogger logger, string kind, string reason);

}
