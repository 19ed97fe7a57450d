namespace Duplex.Server;

/// <summary>Serves files below one directory, refusing any path that would leave it.</summary>
internal sealed class StaticFiles
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".htm"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".txt"] = "text/plain; charset=utf-8",
    };

    private readonly string _root;

    public StaticFiles(string directory)
    {
        _root = Path.GetFullPath(directory);
    }

    public async ValueTask<HttpResponse?> TryGetAsync(string relative, CancellationToken cancellationToken)
    {
        string decoded = Uri.UnescapeDataString(relative);
        if (decoded.Length == 0 || decoded.EndsWith('/'))
        {
            decoded += "index.html";
        }

        if (decoded.Contains('\0', StringComparison.Ordinal))
        {
            return HttpResponse.Text(400, "Bad path.");
        }

        string full = Path.GetFullPath(Path.Combine(_root, decoded));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            // A path with ".." that climbs out of the root.
            return HttpResponse.Text(404, "Not found.");
        }

        if (!File.Exists(full))
        {
            return null;
        }

        byte[] body = await File.ReadAllBytesAsync(full, cancellationToken).ConfigureAwait(false);
        string type = ContentTypes.GetValueOrDefault(Path.GetExtension(full), "application/octet-stream");
        return new HttpResponse(200, type, body);
    }
}
