using System.Buffers;
using System.Globalization;

namespace Duplex.Protocol.Http;

/// <summary>
/// Writes a message head in one piece: the caller has validated the parts, this measures them,
/// takes one span from the output and advances it once, so a head is never half written.
/// </summary>
internal static class HttpHeadWriter
{
    private const int MaxIntDigits = 11;

    /// <summary>
    /// Writes <c>part1 SP part2 SP part3 CRLF</c>, each field as <c>name: value CRLF</c>, an optional
    /// Content-Length field, CRLF, then <paramref name="body"/>. <paramref name="fields"/> is
    /// enumerated twice, so it must be a materialized collection.
    /// </summary>
    internal static void Write(
        IBufferWriter<byte> output,
        string part1,
        string part2,
        string part3,
        IEnumerable<KeyValuePair<string, string>> fields,
        int? contentLength,
        ReadOnlySpan<byte> body)
    {
        int length = part1.Length + 1 + part2.Length + 1 + part3.Length + 2;
        foreach (KeyValuePair<string, string> field in fields)
        {
            length += field.Key.Length + 2 + field.Value.Length + 2;
        }

        Span<char> digits = stackalloc char[MaxIntDigits];
        int digitCount = 0;
        if (contentLength is int value)
        {
            value.TryFormat(digits, out digitCount, provider: CultureInfo.InvariantCulture);
            length += HttpFieldNames.ContentLength.Length + 2 + digitCount + 2;
        }

        length += 2 + body.Length;

        Span<byte> span = output.GetSpan(length);
        int pos = 0;
        pos += Latin1(part1, span[pos..]);
        span[pos++] = (byte)' ';
        pos += Latin1(part2, span[pos..]);
        span[pos++] = (byte)' ';
        pos += Latin1(part3, span[pos..]);
        pos += Crlf(span[pos..]);
        foreach (KeyValuePair<string, string> field in fields)
        {
            pos += Field(field.Key, field.Value, span[pos..]);
        }

        if (contentLength is not null)
        {
            pos += Field(HttpFieldNames.ContentLength, digits[..digitCount], span[pos..]);
        }

        pos += Crlf(span[pos..]);
        body.CopyTo(span[pos..]);
        pos += body.Length;
        output.Advance(pos);
    }

    private static int Field(ReadOnlySpan<char> name, ReadOnlySpan<char> value, Span<byte> dest)
    {
        int pos = Latin1(name, dest);
        dest[pos++] = (byte)':';
        dest[pos++] = (byte)' ';
        pos += Latin1(value, dest[pos..]);
        return pos + Crlf(dest[pos..]);
    }

    // The callers have checked that every char is at most U+00FF, so it is one Latin-1 byte.
    private static int Latin1(ReadOnlySpan<char> text, Span<byte> dest)
    {
        for (int i = 0; i < text.Length; i++)
        {
            dest[i] = (byte)text[i];
        }

        return text.Length;
    }

    private static int Crlf(Span<byte> dest)
    {
        dest[0] = (byte)'\r';
        dest[1] = (byte)'\n';
        return 2;
    }
}
