using System.Buffers;

namespace Duplex.Protocol.Http;

/// <summary>The character classes of RFC 9110 §5.6 and RFC 9112, shared by the parser and the writers.</summary>
internal static class HttpSyntax
{
    // RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
    private const string TokenCharacters =
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static readonly SearchValues<byte> s_tokenBytes = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private static readonly SearchValues<char> s_tokenChars = SearchValues.Create(TokenCharacters);

    // RFC 9110 §5.5: field-vchar = VCHAR / obs-text, plus SP and HTAB inside a value; every other
    // control (NUL, CR, LF, the rest of %x00-1F) and DEL are not allowed.
    private static readonly SearchValues<byte> s_forbiddenValueBytes = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F"u8);

    /// <summary>HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3).</summary>
    internal const int VersionLength = 8;

    /// <summary>The only version Duplex writes.</summary>
    internal const string Http11 = "HTTP/1.1";

    /// <summary>RFC 9110 §5.6.2: tchar.</summary>
    internal static bool IsTokenByte(byte b) => s_tokenBytes.Contains(b);

    /// <summary>RFC 9110 §5.5: SP, HTAB, VCHAR or obs-text, the bytes a field value may hold.</summary>
    internal static bool IsFieldValueByte(byte b) => !s_forbiddenValueBytes.Contains(b);

    /// <summary>RFC 9110 §5.6.2: token = 1*tchar.</summary>
    internal static bool IsToken(ReadOnlySpan<byte> s) => !s.IsEmpty && !s.ContainsAnyExcept(s_tokenBytes);

    /// <summary>RFC 9110 §5.6.2: token = 1*tchar.</summary>
    internal static bool IsToken(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExcept(s_tokenChars);

    /// <summary>RFC 9110 §5.5: only SP, HTAB, VCHAR and obs-text may appear in a field value.</summary>
    internal static bool IsFieldValue(ReadOnlySpan<byte> s) => !s.ContainsAny(s_forbiddenValueBytes);

    /// <summary>
    /// RFC 9110 §5.5 for text to be written: every character must be SP, HTAB, VCHAR or obs-text,
    /// which also means it fits in one Latin-1 byte.
    /// </summary>
    internal static bool IsFieldValue(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (c > 0xFF || (c < 0x20 && c != '\t') || c == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 9110 §5.6.3: OWS = *( SP / HTAB ).</summary>
    internal static bool IsOws(byte b) => b is (byte)' ' or (byte)'\t';

    /// <summary>RFC 9110 §5.6.3: OWS = *( SP / HTAB ).</summary>
    internal static bool IsOws(char c) => c is ' ' or '\t';

    /// <summary>RFC 9110 §5.5: a field value excludes leading and trailing whitespace.</summary>
    internal static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> s)
    {
        int start = 0;
        int end = s.Length;
        while (start < end && IsOws(s[start]))
        {
            start++;
        }

        while (end > start && IsOws(s[end - 1]))
        {
            end--;
        }

        return s[start..end];
    }

    /// <summary>RFC 9110 §5.5: a field value excludes leading and trailing whitespace.</summary>
    internal static ReadOnlySpan<char> TrimOws(ReadOnlySpan<char> s) => s.Trim(" \t");

    /// <summary>RFC 5234 B.1: VCHAR = %x21-7E (used for request-targets, which are ASCII only).</summary>
    internal static bool IsVisibleAscii(ReadOnlySpan<byte> s)
    {
        foreach (byte b in s)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 5234 B.1: VCHAR = %x21-7E.</summary>
    internal static bool IsVisibleAscii(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (c is < (char)0x21 or > (char)0x7E)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks a header about to be written: the name must be a token and the value must hold
    /// only SP, HTAB, VCHAR and obs-text, so a caller can never inject CR or LF into a head.
    /// </summary>
    /// <exception cref="ArgumentException">The name or the value is not allowed.</exception>
    internal static void ValidateField(string? name, string? value, string paramName)
    {
        if (name is null || !IsToken(name.AsSpan()))
        {
            throw new ArgumentException($"The header name '{name}' is not an HTTP token (RFC 9110 §5.1).", paramName);
        }

        if (value is null || !IsFieldValue(value.AsSpan()))
        {
            throw new ArgumentException(
                $"The value of header '{name}' contains CR, LF, another control character or a character above U+00FF (RFC 9110 §5.5).",
                paramName);
        }
    }
}
