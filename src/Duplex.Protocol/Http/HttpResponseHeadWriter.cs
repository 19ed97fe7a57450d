using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Duplex.Protocol.Http;

/// <summary>
/// Writes an HTTP/1.1 response head (RFC 9112 §4) in one piece: the status-line, the caller's
/// fields in order, then the fields the connection owns (framing, Connection, Date), then CRLF.
/// The caller's fields were checked when they were added to <see cref="HttpHeaders"/>, so this
/// only measures and copies; common status-lines are encoded once and reused.
/// </summary>
internal static class HttpResponseHeadWriter
{
    /// <summary>What the Connection field says, when the connection writes one.</summary>
    internal enum ConnectionOption
    {
        /// <summary>No Connection field.</summary>
        None,

        /// <summary><c>Connection: close</c> (RFC 9112 §9.6).</summary>
        Close,

        /// <summary><c>Connection: keep-alive</c>, for an HTTP/1.0 peer that asked to persist (RFC 9112 §C.2.2).</summary>
        KeepAlive,
    }

    private const int MaxLongDigits = 19;
    private const int MaxStatusCode = 599;

    private static readonly byte[]?[] s_statusLines = new byte[MaxStatusCode + 1][];

    /// <summary>Writes the head.</summary>
    /// <param name="output">Where the head goes.</param>
    /// <param name="statusCode">100 to 599.</param>
    /// <param name="headers">The caller's fields, or null.</param>
    /// <param name="contentLength">The Content-Length value to write, or null for none.</param>
    /// <param name="chunked">Whether to write <c>Transfer-Encoding: chunked</c>.</param>
    /// <param name="connection">The Connection field to write.</param>
    /// <param name="date">The Date value (an IMF-fixdate, RFC 9110 §5.6.7), or empty for none.</param>
    internal static void Write(
        IBufferWriter<byte> output,
        int statusCode,
        HttpHeaders? headers,
        long? contentLength,
        bool chunked,
        ConnectionOption connection,
        ReadOnlySpan<byte> date)
    {
        byte[] statusLine = StatusLine(statusCode);
        int length = statusLine.Length + 2;
        int count = headers?.Count ?? 0;
        for (int i = 0; i < count; i++)
        {
            KeyValuePair<string, string> field = headers!.FieldAt(i);
            length += field.Key.Length + 2 + field.Value.Length + 2;
        }

        if (contentLength is not null)
        {
            length += "Content-Length: "u8.Length + MaxLongDigits + 2;
        }

        if (chunked)
        {
            length += "Transfer-Encoding: chunked\r\n"u8.Length;
        }

        if (connection != ConnectionOption.None)
        {
            length += "Connection: keep-alive\r\n"u8.Length;
        }

        if (!date.IsEmpty)
        {
            length += "Date: "u8.Length + date.Length + 2;
        }

        Span<byte> span = output.GetSpan(length);
        int pos = Copy(statusLine, span, 0);
        for (int i = 0; i < count; i++)
        {
            KeyValuePair<string, string> field = headers!.FieldAt(i);
            pos += Latin1(field.Key, span[pos..]);
            pos = Copy(": "u8, span, pos);
            pos += Latin1(field.Value, span[pos..]);
            pos = Copy("\r\n"u8, span, pos);
        }

        if (contentLength is long value)
        {
            pos = Copy("Content-Length: "u8, span, pos);
            Utf8Formatter.TryFormat(value, span[pos..], out int digits);
            pos = Copy("\r\n"u8, span, pos + digits);
        }

        if (chunked)
        {
            pos = Copy("Transfer-Encoding: chunked\r\n"u8, span, pos);
        }

        if (connection == ConnectionOption.Close)
        {
            pos = Copy("Connection: close\r\n"u8, span, pos);
        }
        else if (connection == ConnectionOption.KeepAlive)
        {
            pos = Copy("Connection: keep-alive\r\n"u8, span, pos);
        }

        if (!date.IsEmpty)
        {
            pos = Copy("Date: "u8, span, pos);
            pos = Copy(date, span, pos);
            pos = Copy("\r\n"u8, span, pos);
        }

        pos = Copy("\r\n"u8, span, pos);
        output.Advance(pos);
    }

    /// <summary><c>HTTP/1.1 {code} {reason}\r\n</c>, encoded once per code.</summary>
    internal static byte[] StatusLine(int statusCode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, MaxStatusCode);

        // A race builds the same bytes twice; either copy is right.
        return s_statusLines[statusCode] ??= Encoding.ASCII.GetBytes(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{HttpSyntax.Http11} {statusCode} {HttpResponseWriter.ReasonPhrase(statusCode)}\r\n"));
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination, int pos)
    {
        source.CopyTo(destination[pos..]);
        return pos + source.Length;
    }

    // HttpHeaders.Add checked that every char is at most U+00FF, so it is one Latin-1 byte.
    private static int Latin1(string text, Span<byte> destination) => Encoding.Latin1.GetBytes(text, destination);
}
