using System.Globalization;
using Duplex.Http;

namespace Duplex.Server;

/// <summary>
/// What the server knows of one file it serves: its size and modification time with the
/// validators made from them (ETag, Last-Modified, RFC 9110 §8.8), its Content-Type, and, for a
/// small file, its bytes. Immutable but for when it was last checked against the disk.
/// </summary>
internal sealed class StaticFile
{
    private long _checkedAtMs;

    private StaticFile(string fullPath, long length, DateTime lastWriteUtc, byte[]? content, long nowMs)
    {
        FullPath = fullPath;
        Length = length;
        LastWriteUtc = lastWriteUtc;
        Content = content;
        ContentType = MediaTypes.For(fullPath);

        // A strong validator (RFC 9110 §8.8.3) from what changes when the file does.
        ETag = string.Create(CultureInfo.InvariantCulture, $"\"{lastWriteUtc.Ticks:x}-{length:x}\"");
        LastModified = HttpDate.ToText(lastWriteUtc);
        LastModifiedSeconds = TruncateToSeconds(lastWriteUtc);
        _checkedAtMs = nowMs;
    }

    public string FullPath { get; }

    public long Length { get; }

    public DateTime LastWriteUtc { get; }

    /// <summary>The whole file when it is small enough to keep in memory; null to stream it from disk.</summary>
    public byte[]? Content { get; }

    public string ContentType { get; }

    public string ETag { get; }

    public string LastModified { get; }

    /// <summary>The modification time at the resolution of an HTTP-date (RFC 9110 §5.6.7), for If-Modified-Since.</summary>
    public DateTime LastModifiedSeconds { get; }

    public long CheckedAtMs => Volatile.Read(ref _checkedAtMs);

    /// <summary>Reads the file's metadata (and its bytes when at most <paramref name="maxCachedSize"/>); null when it is not a regular file.</summary>
    public static StaticFile? Load(string fullPath, int maxCachedSize, long nowMs)
    {
        var info = new FileInfo(fullPath);
        if (!info.Exists)
        {
            return null;
        }

        byte[]? content = null;
        long length = info.Length;
        if (length <= maxCachedSize)
        {
            try
            {
                content = File.ReadAllBytes(fullPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }

            // The file may have changed between the two calls: the bytes read are what is served.
            length = content.Length;
        }

        return new StaticFile(fullPath, length, info.LastWriteTimeUtc, content, nowMs);
    }

    /// <summary>Whether the file on disk still has this size and modification time.</summary>
    public bool IsCurrent(FileInfo info) => info.Exists && info.Length == Length && info.LastWriteTimeUtc == LastWriteUtc;

    public void MarkChecked(long nowMs) => Volatile.Write(ref _checkedAtMs, nowMs);

    private static DateTime TruncateToSeconds(DateTime utc) => new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
}
