using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Duplex.AspNetCore;

/// <summary>
/// Runs an <see cref="HttpHandler"/> on an ASP.NET Core request with the built-in server's
/// contract (<see cref="HttpHandler"/>): a handler that wrote nothing answers an empty 200; one that
/// threw before its response started answers 500 (or the status of an
/// <see cref="HttpRequestRejectedException"/>); one that threw after has its response cut short.
/// </summary>
internal static partial class HostedExchangeRunner
{
    public static async Task RunAsync(HttpContext context, DuplexHostOptions options, ILogger log, HttpHandler handler)
    {
        using var exchange = new HostedHttpExchange(context, options, log);
        context.Items[HttpContextExchangeExtensions.ExchangeKey] = exchange;
        try
        {
            await handler(exchange, context.RequestAborted).ConfigureAwait(false);
        }
        catch (HttpRequestRejectedException rejected) when (!exchange.HasStarted)
        {
            LogRejected(log, context.Request.Path, rejected.StatusCode, rejected.Message);
            await exchange.RespondTextAsync(rejected.StatusCode, rejected.Message).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (WebSocketHandshakeException)
        {
            // Answered by the accept.
            return;
        }
#pragma warning disable CA1031 // A failing handler costs its own request, never the app.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(log, ex, context.Request.Path);
            if (!exchange.HasStarted)
            {
                await exchange.RespondTextAsync(500, "The server failed to answer this request.").ConfigureAwait(false);
            }
            else
            {
                context.Abort();
            }

            return;
        }

        if (!exchange.IsCompleted)
        {
            await exchange.CompleteAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Request to {Path} refused with {Status}: {Reason}")]
    private static partial void LogRejected(ILogger logger, PathString path, int status, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "The handler of {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, PathString path);
}
