using Duplex.Diagnostics;
using Duplex.Server;
using Microsoft.Extensions.Logging;

namespace Duplex;

/// <summary>
/// The static folder of <see cref="DuplexServer.MapStaticFiles"/> as a host-neutral
/// <see cref="HttpHandler"/>, for a host that routes by its own rules (Duplex.AspNetCore's
/// <c>MapHttpHandler</c> with a catch-all pattern): the same files, Content-Types, ETag and
/// Last-Modified, 304s and refusals, whichever server carries them.
/// </summary>
public static class StaticFileHandler
{
    private const string Allow = "GET, HEAD, OPTIONS";

    /// <summary>
    /// A handler that serves the files below <paramref name="directory"/> under
    /// <paramref name="urlPrefix"/> ("/" serves index.html) for GET and HEAD. A path outside the
    /// prefix or naming no file gets 404, one that tries to leave the folder 400, another method
    /// 405 (OPTIONS 204), each with Allow where it applies and a line on
    /// <paramref name="loggerFactory"/>'s log.
    /// </summary>
    public static HttpHandler Create(string directory, string urlPrefix = "/", ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(urlPrefix);
        string prefix = urlPrefix.EndsWith('/') ? urlPrefix : urlPrefix + "/";
        var files = new StaticFiles(directory);
        DuplexDiagnostics diagnostics = DuplexDiagnostics.Create(loggerFactory, null, "Duplex.StaticFiles");
        return (exchange, cancellationToken) => ServeAsync(exchange, prefix, files, diagnostics, cancellationToken);
    }

    private static async ValueTask ServeAsync(HttpExchange exchange, string prefix, StaticFiles files, DuplexDiagnostics diagnostics, CancellationToken cancellationToken)
    {
        string path = exchange.Path;
        string? relative = StaticFiles.RelativePath(prefix, path);
        StaticFile? file = null;
        StaticLookup lookup = relative is null ? StaticLookup.NotFound : files.Resolve(relative, out file);
        switch (lookup)
        {
            case StaticLookup.Found when exchange.Method is "GET" or "HEAD":
                await StaticFiles.ServeAsync(exchange, file!, cancellationToken).ConfigureAwait(false);
                return;
            case StaticLookup.Found when exchange.Method == "OPTIONS":
                // RFC 9110 §9.3.7: OPTIONS is answered with what the resource allows.
                exchange.ResponseHeaders.Add("Allow", Allow);
                exchange.StatusCode = 204;
                await exchange.CompleteAsync().ConfigureAwait(false);
                return;
            case StaticLookup.Found:
                // RFC 9110 §15.5.6: a 405 must say what is allowed.
                exchange.ResponseHeaders.Add("Allow", Allow);
                await RefuseAsync(exchange, diagnostics, 405, $"method {exchange.Method} on {path}", "Method not allowed.", cancellationToken).ConfigureAwait(false);
                return;
            case StaticLookup.BadPath:
                await RefuseAsync(exchange, diagnostics, 400, $"path {path} leaves the static folder or names no file", "Bad path.", cancellationToken).ConfigureAwait(false);
                return;
            default:
                await RefuseAsync(exchange, diagnostics, 404, path, "Not found.", cancellationToken).ConfigureAwait(false);
                return;
        }
    }

    private static ValueTask RefuseAsync(HttpExchange exchange, DuplexDiagnostics diagnostics, int status, string reason, string text, CancellationToken cancellationToken)
    {
        Log.RequestRejected(diagnostics, exchange.RemoteEndPoint, status, reason);
        return exchange.RespondTextAsync(status, text + "\n", cancellationToken);
    }
}
