using System.Reflection;
using System.Security.Cryptography;

namespace Duplex.Realtime.Server;

/// <summary>
/// The browser client, <c>duplex.js</c> (an embedded resource), served at <c>{base}/duplex.js</c>
/// (docs/PROTOCOL.md §1) with an ETag made from its content and <c>Cache-Control: no-cache</c>:
/// a browser revalidates on every load and gets <c>304</c> while it holds the current script.
/// </summary>
internal static class BrowserScript
{
    private const string ResourceName = "Duplex.Realtime.Browser.duplex.js";
    private const string ContentType = "text/javascript; charset=utf-8";

    private static readonly Lazy<(byte[] Content, string ETag)> Script = new(Load);

    public static async ValueTask ServeAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        (byte[] content, string etag) = Script.Value;
        exchange.ResponseHeaders.Set("ETag", etag);
        exchange.ResponseHeaders.Set("Cache-Control", "no-cache");
        if (exchange.Headers["If-None-Match"] is { } noneMatch && Matches(noneMatch, etag))
        {
            // RFC 9110 §15.4.5: a 304 carries the validator and no content.
            exchange.StatusCode = 304;
            await exchange.CompleteAsync().ConfigureAwait(false);
            return;
        }

        await exchange.RespondAsync(200, ContentType, content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>RFC 9110 §13.1.2: If-None-Match is <c>*</c> or a list of entity tags, compared weakly.</summary>
    private static bool Matches(string list, string etag)
    {
        foreach (string item in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string tag = item.StartsWith("W/", StringComparison.Ordinal) ? item[2..] : item;
            if (tag == "*" || string.Equals(tag, etag, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static (byte[] Content, string ETag) Load()
    {
        using Stream stream = typeof(BrowserScript).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from {typeof(BrowserScript).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        byte[] content = copy.ToArray();
        string etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12)) + "\"";
        return (content, etag);
    }
}
