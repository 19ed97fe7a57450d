namespace Duplex;

/// <summary>
/// Why a server refused an HTTP/1.1 request. Every refusal is exactly one of these;
/// <see cref="Duplex.Protocol.Http.HttpRequestRejections"/> maps each to the status code the
/// server answers with and to a sentence for logs and bodies. After any refusal the connection
/// is closed: once a request is refused its framing can no longer be trusted.
/// </summary>
public enum HttpRequestRejection
{
    /// <summary>No refusal.</summary>
    None = 0,

    /// <summary>The request head is larger than <see cref="HttpLimits.MaxHeadSize"/> (431).</summary>
    HeadTooLarge,

    /// <summary>The request-line is longer than <see cref="HttpLimits.MaxStartLineLength"/> (414).</summary>
    RequestLineTooLong,

    /// <summary>A header field line is longer than <see cref="HttpLimits.MaxHeaderLineLength"/> (431).</summary>
    HeaderLineTooLong,

    /// <summary>The head has more header fields than <see cref="HttpLimits.MaxHeaderCount"/> (431).</summary>
    TooManyHeaders,

    /// <summary>The request-line is not <c>method SP request-target SP HTTP-version</c> (400, RFC 9112 §3).</summary>
    InvalidRequestLine,

    /// <summary>The HTTP major version is not 1 (505, RFC 9110 §15.6.6).</summary>
    UnsupportedHttpVersion,

    /// <summary>A field name is not a token, or whitespace precedes its colon (400, RFC 9112 §5.1).</summary>
    InvalidHeaderName,

    /// <summary>A field value holds CR, LF, NUL or another control character (400, RFC 9110 §5.5).</summary>
    InvalidHeaderValue,

    /// <summary>A header line begins with whitespace: obsolete line folding (400, RFC 9112 §5.2).</summary>
    ObsoleteLineFolding,

    /// <summary>A line ends in LF without CR before it (400, RFC 9112 §2.2).</summary>
    BareLineFeed,

    /// <summary>A header line has no colon (400, RFC 9112 §5).</summary>
    MissingColon,

    /// <summary>An HTTP/1.1 request has no Host field (400, RFC 9112 §3.2).</summary>
    MissingHost,

    /// <summary>The request has more than one Host field line (400, RFC 9112 §3.2).</summary>
    MultipleHosts,

    /// <summary>The Host value is not <c>uri-host [ ":" port ]</c> (400, RFC 9112 §3.2, RFC 9110 §7.2).</summary>
    InvalidHost,

    /// <summary>A Content-Length value is not a plain run of digits, or does not fit in 63 bits (400, RFC 9112 §6.3 item 5).</summary>
    InvalidContentLength,

    /// <summary>Content-Length is given more than once with different values (400, RFC 9112 §6.3 item 5).</summary>
    ConflictingContentLengths,

    /// <summary>Both Transfer-Encoding and Content-Length are present (400, RFC 9112 §6.1, §6.3 item 3).</summary>
    ContentLengthWithTransferEncoding,

    /// <summary>An HTTP/1.0 request carries Transfer-Encoding, whose framing must be treated as faulty (400, RFC 9112 §6.1).</summary>
    TransferEncodingInHttp10,

    /// <summary>Transfer-Encoding does not end in chunked applied exactly once (400, RFC 9112 §6.3 item 4, §6.1).</summary>
    InvalidTransferEncoding,

    /// <summary>Transfer-Encoding names a coding other than chunked, which this server does not implement (501, RFC 9112 §6.1).</summary>
    UnsupportedTransferCoding,

    /// <summary>A chunk-size is not hexadecimal digits, or is too large to count (400, RFC 9112 §7.1).</summary>
    InvalidChunkSize,

    /// <summary>A chunk-size line with its extensions is longer than <see cref="HttpLimits.MaxChunkLineLength"/> (400).</summary>
    ChunkLineTooLong,

    /// <summary>A chunk extension does not follow <c>;name[=token|quoted-string]</c> (400, RFC 9112 §7.1.1).</summary>
    InvalidChunkExtension,

    /// <summary>The chunk-data is not followed by CRLF (400, RFC 9112 §7.1).</summary>
    MissingChunkTerminator,

    /// <summary>A CR is not followed by LF inside the chunked framing (400, RFC 9112 §2.2).</summary>
    BareCarriageReturn,

    /// <summary>A trailer field line is malformed (400, RFC 9112 §7.1.2, §5).</summary>
    InvalidTrailer,

    /// <summary>The trailer section passes the head limits of <see cref="HttpLimits"/> (431).</summary>
    TrailerTooLarge,

    /// <summary>The body is larger than the server accepts (413, RFC 9110 §15.5.14).</summary>
    BodyTooLarge,

    /// <summary>The client closed the connection before the body was complete (400, RFC 9112 §8).</summary>
    IncompleteBody,

    /// <summary>The body did not arrive in time (408, RFC 9110 §15.5.9).</summary>
    BodyTimeout,

    /// <summary>The Expect field holds something other than 100-continue (417, RFC 9110 §10.1.1).</summary>
    ExpectationFailed,
}
