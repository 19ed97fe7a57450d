using System.Buffers;
using System.Globalization;

namespace Duplex.Protocol.Http;

/// <summary>Writes HTTP/1.1 responses (RFC 9112 §4, §6) to a buffer writer, without I/O.</summary>
public static class HttpResponseWriter
{
    /// <summary>
    /// Writes <c>HTTP/1.1 {statusCode} {reasonPhrase}</c>, the given header fields in order, a
    /// Content-Length field, an empty line and <paramref name="body"/>. Content-Length is added
    /// when the body is non-empty or the status allows content (not 1xx or 204, RFC 9110 §8.6),
    /// unless the caller gave Content-Length or Transfer-Encoding itself (RFC 9112 §6.2: never
    /// both). The head and body are written with one <see cref="IBufferWriter{T}.Advance"/>, and
    /// nothing is written when an argument is refused.
    /// </summary>
    /// <param name="output">Where the response is written.</param>
    /// <param name="statusCode">A status code from 100 to 599.</param>
    /// <param name="reasonPhrase">The reason-phrase, e.g. from <see cref="ReasonPhrase"/>; may be empty.</param>
    /// <param name="headers">Header fields to write, in order; their names must be tokens and their values must not hold CR, LF or other controls.</param>
    /// <param name="body">The content, written after the head.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is outside 100..599.</exception>
    /// <exception cref="ArgumentException">
    /// A header or the reason-phrase holds a character that cannot appear there, a 1xx or 204
    /// response has a body, or a given Content-Length does not match the body.
    /// </exception>
    public static void Write(
        IBufferWriter<byte> output,
        int statusCode,
        string reasonPhrase,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        ReadOnlySpan<byte> body = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(reasonPhrase);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);

        // RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ).
        if (!HttpSyntax.IsFieldValue(reasonPhrase.AsSpan()))
        {
            throw new ArgumentException("The reason phrase contains CR, LF or another character not allowed (RFC 9112 §4).", nameof(reasonPhrase));
        }

        // RFC 9110 §15.2 and §15.3.5: 1xx and 204 responses end with their head.
        bool noContent = statusCode < 200 || statusCode == 204;
        if (noContent && !body.IsEmpty)
        {
            throw new ArgumentException($"A {statusCode} response cannot have content (RFC 9110 §15).", nameof(body));
        }

        IReadOnlyCollection<KeyValuePair<string, string>> fields = Materialize(headers);
        bool framed = false;
        foreach (KeyValuePair<string, string> field in fields)
        {
            HttpSyntax.ValidateField(field.Key, field.Value, nameof(headers));
            if (string.Equals(field.Key, HttpFieldNames.TransferEncoding, StringComparison.OrdinalIgnoreCase))
            {
                framed = true;
            }
            else if (string.Equals(field.Key, HttpFieldNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                framed = true;
                if (!body.IsEmpty && !IsLength(field.Value, body.Length))
                {
                    throw new ArgumentException(
                        $"The Content-Length header '{field.Value}' does not match the body of {body.Length} bytes.",
                        nameof(headers));
                }
            }
        }

        int? contentLength = !framed && (!body.IsEmpty || !noContent) ? body.Length : null;
        HttpHeadWriter.Write(
            output,
            HttpSyntax.Http11,
            statusCode.ToString(CultureInfo.InvariantCulture),
            reasonPhrase,
            fields,
            contentLength,
            body);
    }

    /// <summary>
    /// The reason-phrase RFC 9110 §15 gives <paramref name="statusCode"/>, for the codes this
    /// library sends; "" for others (RFC 9112 §4 allows an empty reason-phrase).
    /// </summary>
    public static string ReasonPhrase(int statusCode) => statusCode switch
    {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => string.Empty,
    };

    // The fields are read twice (measure, then write); a lazy sequence is copied once so both
    // passes see the same fields.
    private static IReadOnlyCollection<KeyValuePair<string, string>> Materialize(IEnumerable<KeyValuePair<string, string>>? headers) =>
        headers switch
        {
            null => [],
            IReadOnlyCollection<KeyValuePair<string, string>> collection => collection,
            _ => headers.ToArray(),
        };

    private static bool IsLength(string value, int length) =>
        int.TryParse(HttpSyntax.TrimOws(value.AsSpan()), NumberStyles.None, CultureInfo.InvariantCulture, out int given)
        && given == length;
}
