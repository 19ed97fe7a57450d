using System.Security.Cryptography;
using System.Text;

namespace Duplex.Protocol.Handshake;

/// <summary>The Sec-WebSocket-Key nonce and the Sec-WebSocket-Accept value derived from it (RFC 6455 §1.3, §4.1, §4.2.2).</summary>
public static class WebSocketKey
{
    /// <summary>The GUID that RFC 6455 §1.3 appends to the key before hashing.</summary>
    public const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    // RFC 6455 §4.1: the nonce is 16 random bytes; base64 of 16 bytes is 22 characters and "==".
    private const int NonceLength = 16;
    private const int EncodedLength = 24;
    private const int MaxStackBytes = 256;

    /// <summary>A fresh key: 16 bytes from a cryptographic random source, base64-encoded (RFC 6455 §4.1 item 7).</summary>
    public static string Generate()
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RandomNumberGenerator.Fill(nonce);
        return Convert.ToBase64String(nonce);
    }

    /// <summary>
    /// Whether <paramref name="key"/>, once stripped of surrounding spaces and tabs, is base64
    /// that decodes to exactly 16 bytes (RFC 6455 §4.2.1 item 5).
    /// </summary>
    public static bool IsValid(string? key)
    {
        if (key is null)
        {
            return false;
        }

        ReadOnlySpan<char> trimmed = key.AsSpan().Trim(" \t");
        if (trimmed.Length != EncodedLength || trimmed[^2] != '=' || trimmed[^1] != '=')
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[NonceLength + 2];
        return Convert.TryFromBase64Chars(trimmed, decoded, out int written) && written == NonceLength;
    }

    /// <summary>
    /// The Sec-WebSocket-Accept value for <paramref name="key"/>: base64 of the SHA-1 of the key
    /// (stripped of surrounding spaces and tabs) followed by <see cref="AcceptGuid"/>
    /// (RFC 6455 §4.2.2 item 5.4).
    /// </summary>
    public static string ComputeAccept(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ReadOnlySpan<char> trimmed = key.AsSpan().Trim(" \t");
        int count = Encoding.UTF8.GetByteCount(trimmed) + AcceptGuid.Length;
        Span<byte> input = count <= MaxStackBytes ? stackalloc byte[count] : new byte[count];
        int written = Encoding.UTF8.GetBytes(trimmed, input);
        Encoding.ASCII.GetBytes(AcceptGuid, input[written..]);

        // RFC 6455 §4.2.2 names SHA-1; it proves the server read the handshake, it is not a security measure.
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // Weak cryptographic algorithm: the protocol requires SHA-1 here.
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }
}
