using Duplex.Protocol.Closing;
using Duplex.Protocol.Handshake;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Duplex.AspNetCore;

/// <summary>One <c>MapWebSocket</c> request: the opening handshake, then the handler to its end.</summary>
internal static partial class HostedWebSocketEndpoint
{
    public static Task ServeAsync(HttpContext context, WebSocketHandler handler, WebSocketEndpointOptions options, DuplexHostLifetime host, ILogger log) =>
        HostedExchangeRunner.RunAsync(context, host.Options, log, async (exchange, cancellationToken) =>
        {
            if (!exchange.IsWebSocketRequest)
            {
                // RFC 9110 §15.5.22: 426 names the protocol needed; RFC 6455 §4.4 the version.
                foreach (KeyValuePair<string, string> field in ServerHandshake.UpgradeRequiredHeaders)
                {
                    exchange.ResponseHeaders.Set(field.Key, field.Value);
                }

                await exchange.RespondTextAsync(426, "This resource speaks WebSocket only.", cancellationToken).ConfigureAwait(false);
                return;
            }

            WebSocketConnection connection = await exchange.AcceptWebSocketAsync(options, cancellationToken).ConfigureAwait(false);
            await RunAsync(connection, handler, host, log, exchange.Path).ConfigureAwait(false);
        });

    private static async Task RunAsync(WebSocketConnection connection, WebSocketHandler handler, DuplexHostLifetime host, ILogger log, string path)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Add(connection, done.Task);
        try
        {
            if (host.Stopping.IsCancellationRequested)
            {
                await CloseQuietlyAsync(connection, CloseStatus.GoingAway).ConfigureAwait(false);
            }

            await handler(connection, host.Stopping).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketClosedException or IOException)
        {
            // The app is stopping or the peer went away.
            await CloseQuietlyAsync(connection, CloseStatus.GoingAway).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing handler costs its own connection, never the app.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHandlerFailed(log, ex, path);
            await CloseQuietlyAsync(connection, CloseStatus.InternalServerError).ConfigureAwait(false);
        }
        finally
        {
            host.Remove(connection);
            connection.Abort();
            done.TrySetResult();
        }
    }

    private static async ValueTask CloseQuietlyAsync(WebSocketConnection connection, CloseStatus status)
    {
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await connection.CloseAsync(status, null, bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or WebSocketClosedException or OperationCanceledException or InvalidOperationException)
        {
            // Closed already, or gone.
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "The WebSocket handler of {Path} failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string path);
}
