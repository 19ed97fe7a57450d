using System.Runtime.CompilerServices;
using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using Duplex.Timers;
using Microsoft.Win32.SafeHandles;

namespace Duplex.Server;

/// <summary>
/// Serves the files below one folder: GET and HEAD, with ETag and Last-Modified, 304 for a
/// matching If-None-Match or If-Modified-Since (RFC 9110 §13), large files streamed from disk
/// in pieces. Any path that could leave the folder is refused.
/// </summary>
/// <remarks>
/// What is known of each file served (its size, modification time, validators, and the bytes
/// of a small one) is kept, and checked against the disk at most once per
/// <see cref="RevalidateIntervalMs"/>: a changed file is served new within that time, and a
/// request for a file already known costs no system call. Only files that exist are kept, and
/// at most <see cref="MaxEntries"/> of them, so odd paths cannot grow the table.
/// </remarks>
internal sealed class StaticFiles
{
    /// <summary>Files up to this size are kept in memory (the demo's pages are a few KiB).</summary>
    private const int MaxCachedFileSize = 64 << 10;

    /// <summary>Files known at once; past it new ones are served but not kept.</summary>
    private const int MaxEntries = 1024;

    /// <summary>How stale what is known of a file may be.</summary>
    private const long RevalidateIntervalMs = 1000;

    /// <summary>The piece a large file is read and sent in.</summary>
    private const int StreamChunkSize = 64 << 10;

    private const string IndexFile = "index.html";
    private const string ETagField = "ETag";
    private const string LastModifiedField = "Last-Modified";
    private const string ContentTypeField = "Content-Type";
    private const string IfNoneMatch = "If-None-Match";
    private const string IfModifiedSince = "If-Modified-Since";

    private readonly string _root;
    private readonly string _rootWithSeparator;
    private readonly ConcurrentDictionary<string, StaticFile> _known = new(StringComparer.Ordinal);

    public StaticFiles(string directory)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        _rootWithSeparator = _root + Path.DirectorySeparatorChar;
    }

    /// <summary>
    /// The part of <paramref name="path"/> below <paramref name="prefix"/> (which ends in '/'):
    /// empty for the prefix itself with or without its '/', null when the path is not below it.
    /// </summary>
    public static string? RelativePath(string prefix, string path) =>
        path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..]
        : path.Length == prefix.Length - 1 && prefix.StartsWith(path, StringComparison.Ordinal) ? string.Empty
        : null;

    /// <summary>Finds the file <paramref name="relative"/> (the request path after the folder's prefix, still percent-encoded) names.</summary>
    public StaticLookup Resolve(string relative, out StaticFile? file)
    {
        long now = ConnectionTimer.NowMs;
        if (_known.TryGetValue(relative, out file))
        {
            if (now - file.CheckedAtMs < RevalidateIntervalMs)
            {
                return StaticLookup.Found;
            }

            if (file.IsCurrent(new FileInfo(file.FullPath)))
            {
                file.MarkChecked(now);
                return StaticLookup.Found;
            }

            _known.TryRemove(relative, out _);
            file = StaticFile.Load(file.FullPath, MaxCachedFileSize, now);
        }
        else
        {
            if (!TryMapPath(relative, out string? fullPath))
            {
                return StaticLookup.BadPath;
            }

            file = StaticFile.Load(fullPath, MaxCachedFileSize, now);
        }

        if (file is null)
        {
            return StaticLookup.NotFound;
        }

        if (_known.Count < MaxEntries)
        {
            _known[relative] = file;
        }

        return StaticLookup.Found;
    }

    /// <summary>Answers a GET or HEAD for <paramref name="file"/>: 304 when the client's copy is current, else 200 with the file.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public static async ValueTask ServeAsync(HttpExchange exchange, StaticFile file, CancellationToken cancellationToken)
    {
        HttpHeaders response = exchange.ResponseHeaders;
        response.Add(ETagField, file.ETag);
        if (IsNotModified(exchange.Headers, file))
        {
            // RFC 9110 §15.4.5: a 304 carries the validator and no content.
            exchange.StatusCode = 304;
            await exchange.CompleteAsync().ConfigureAwait(false);
            return;
        }

        response.Add(LastModifiedField, file.LastModified);
        response.Add(ContentTypeField, file.ContentType);
        exchange.ResponseContentLength = file.Length;
        if (exchange.Method == "HEAD")
        {
            await exchange.CompleteAsync().ConfigureAwait(false);
            return;
        }

        if (file.Content is { } content)
        {
            await exchange.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await StreamAsync(exchange, file, cancellationToken).ConfigureAwait(false);
        }

        await exchange.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Maps a request path to a file below the root, refusing every way out (after one round of
    /// percent-decoding, so <c>%2e%2e</c> is <c>..</c>): dot segments, empty segments, backslashes,
    /// NUL, rooted paths; then checks the full path is still below the root.
    /// </summary>
    private bool TryMapPath(string relative, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? fullPath)
    {
        fullPath = null;
        string decoded = relative.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(relative) : relative;
        if (decoded.Length == 0 || decoded.EndsWith('/'))
        {
            decoded += IndexFile;
        }

        if (decoded.Contains('\0', StringComparison.Ordinal)
            || decoded.Contains('\\', StringComparison.Ordinal)
            || Path.IsPathRooted(decoded))
        {
            return false;
        }

        foreach (Range range in decoded.AsSpan().Split('/'))
        {
            ReadOnlySpan<char> segment = decoded.AsSpan()[range];
            if (segment.IsEmpty || segment is "." or "..")
            {
                return false;
            }
        }

        string full = Path.GetFullPath(Path.Join(_root, decoded));
        if (!full.StartsWith(_rootWithSeparator, StringComparison.Ordinal))
        {
            return false;
        }

        fullPath = full;
        return true;
    }

    /// <summary>
    /// RFC 9110 §13.2.2: If-None-Match first (weak comparison, §13.1.2); only without it,
    /// If-Modified-Since (§13.1.3), whose date must be an IMF-fixdate to count.
    /// </summary>
    private static bool IsNotModified(HttpHeaders request, StaticFile file)
    {
        string? noneMatch = request[IfNoneMatch];
        if (noneMatch is not null)
        {
            return ETagListMatches(noneMatch, file.ETag);
        }

        string? since = request.GetFirst(IfModifiedSince, out int count);
        return count == 1
            && DateTime.TryParseExact(since, "R", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime date)
            && file.LastModifiedSeconds <= date;
    }

    /// <summary>Whether the If-None-Match list (<c>"*"</c> or <c>#entity-tag</c>) holds <paramref name="etag"/>, weakly compared.</summary>
    private static bool ETagListMatches(string list, string etag)
    {
        ReadOnlySpan<char> rest = list.AsSpan().Trim(" \t");
        if (rest is "*")
        {
            return true;
        }

        while (!rest.IsEmpty)
        {
            rest = rest.TrimStart(" \t,");
            if (rest.StartsWith("W/", StringComparison.Ordinal))
            {
                rest = rest[2..];
            }

            // entity-tag = [ weak ] opaque-tag; opaque-tag = DQUOTE *etagc DQUOTE (RFC 9110 §8.8.3).
            if (rest.IsEmpty || rest[0] != '"')
            {
                return false;
            }

            int close = rest[1..].IndexOf('"');
            if (close < 0)
            {
                return false;
            }

            if (rest[..(close + 2)].SequenceEqual(etag))
            {
                return true;
            }

            rest = rest[(close + 2)..];
        }

        return false;
    }

    private static async ValueTask StreamAsync(HttpExchange exchange, StaticFile file, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamChunkSize);
        try
        {
            using SafeFileHandle handle = File.OpenHandle(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
            long offset = 0;
            while (offset < file.Length)
            {
                int want = (int)Math.Min(buffer.Length, file.Length - offset);
                int read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, want), offset, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    // Truncated while being sent: the length is promised, so the response cannot end well.
                    throw new IOException($"{file.FullPath} became shorter while it was being sent.");
                }

                await exchange.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
