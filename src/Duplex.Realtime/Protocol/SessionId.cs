using System.Buffers.Text;
using System.Security.Cryptography;

namespace Duplex.Realtime.Protocol;

/// <summary>
/// Session ids (docs/PROTOCOL.md §1): 16 bytes from a cryptographic generator (128 bits, not
/// guessable), written base64url without padding (RFC 4648 §5): 22 characters.
/// </summary>
public static class SessionId
{
    /// <summary>Random bytes per id.</summary>
    public const int ByteCount = 16;

    /// <summary>Characters per id.</summary>
    public const int Length = 22;

    /// <summary>A new id.</summary>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[ByteCount];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// Whether <paramref name="id"/> has the form of an id: 22 characters of the base64url
    /// alphabet, the last one carrying 2 bits of the 16 bytes and 4 zero bits (so each id has one
    /// spelling: A, Q, g or w). Checked by hand: the decoder also takes '+', '/' and padding.
    /// </summary>
    public static bool IsWellFormed(string? id)
    {
        if (id is null || id.Length != Length)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return false;
            }
        }

        return id[^1] is 'A' or 'Q' or 'g' or 'w';
    }
}
