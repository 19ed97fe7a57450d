using Duplex.Protocol.Tests.Http;

namespace Duplex.Protocol.Tests.Handshake;

/// <summary>Upgrade requests written out as text, with one line changed per test.</summary>
internal static class HandshakeRequests
{
    internal const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    /// <summary>The client handshake of RFC 6455 §1.2.</summary>
    internal const string Rfc6455Example =
        "GET /chat HTTP/1.1\r\n" +
        "Host: server.example.com\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Origin: http://example.com\r\n" +
        "Sec-WebSocket-Protocol: chat, superchat\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "\r\n";

    internal static HttpRequestHead Parse(string text) => HttpBytes.Request(text);

    /// <summary>The RFC example with the line starting <paramref name="linePrefix"/> replaced (or removed when <paramref name="replacement"/> is null).</summary>
    internal static HttpRequestHead With(string linePrefix, string? replacement)
    {
        string[] lines = Rfc6455Example.Split("\r\n");
        int index = Array.FindIndex(lines, l => l.StartsWith(linePrefix, StringComparison.Ordinal));
        Assert.True(index >= 0, linePrefix);
        IEnumerable<string> changed = replacement is null ? lines.Where((_, i) => i != index) : lines.Select((l, i) => i == index ? replacement : l);
        return Parse(string.Join("\r\n", changed));
    }
}
