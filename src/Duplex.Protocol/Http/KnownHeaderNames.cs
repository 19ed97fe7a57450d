namespace Duplex.Protocol.Http;

/// <summary>
/// Field names common in upgrade requests and responses, so that parsing one does not allocate
/// a string per name. Only an exact-case match is reused, so a name keeps the spelling it was
/// received with.
/// </summary>
internal static class KnownHeaderNames
{
    private static readonly (byte[] Bytes, string Name)[] s_names =
    [
        .. new[]
        {
            "Host", "Upgrade", "Connection", "Origin", "User-Agent", "Accept", "Accept-Encoding",
            "Accept-Language", "Cache-Control", "Pragma", "Cookie", "Authorization", "Content-Type",
            "Content-Length", "Transfer-Encoding", "Date", "Server",
            "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
            "Sec-WebSocket-Extensions", "Sec-WebSocket-Accept",
        }.Select(name => (System.Text.Encoding.ASCII.GetBytes(name), name)),
    ];

    /// <summary>The interned string for <paramref name="name"/>, or null when it is not a known name in this exact case.</summary>
    internal static string? Get(ReadOnlySpan<byte> name)
    {
        foreach ((byte[] bytes, string known) in s_names)
        {
            if (name.SequenceEqual(bytes))
            {
                return known;
            }
        }

        return null;
    }
}
