namespace Duplex.Protocol.Http;

/// <summary>Maps an <see cref="HttpRequestRejection"/> to the status code a server answers with and to a sentence for logs and bodies.</summary>
public static class HttpRequestRejections
{
    /// <summary>
    /// The status code for a refused request: 431 for heads or trailers over the limits (RFC 6585
    /// §5), 414 for a long request-line (RFC 9110 §15.5.15), 505 for an HTTP major version other
    /// than 1, 501 for a transfer coding this server does not implement (RFC 9112 §6.1), 413 for a
    /// body over the limit, 408 for a body that did not arrive in time, 417 for an unknown
    /// expectation, and 400 for every malformed message (RFC 9112 §2.2).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rejection"/> is <see cref="HttpRequestRejection.None"/> or undefined.</exception>
    public static int StatusCodeFor(HttpRequestRejection rejection) => rejection switch
    {
        HttpRequestRejection.HeadTooLarge or HttpRequestRejection.HeaderLineTooLong or HttpRequestRejection.TooManyHeaders
            or HttpRequestRejection.TrailerTooLarge => 431,
        HttpRequestRejection.RequestLineTooLong => 414,
        HttpRequestRejection.UnsupportedHttpVersion => 505,
        HttpRequestRejection.UnsupportedTransferCoding => 501,
        HttpRequestRejection.BodyTooLarge => 413,
        HttpRequestRejection.BodyTimeout => 408,
        HttpRequestRejection.ExpectationFailed => 417,
        HttpRequestRejection.InvalidRequestLine or HttpRequestRejection.InvalidHeaderName or HttpRequestRejection.InvalidHeaderValue
            or HttpRequestRejection.ObsoleteLineFolding or HttpRequestRejection.BareLineFeed or HttpRequestRejection.MissingColon
            or HttpRequestRejection.MissingHost or HttpRequestRejection.MultipleHosts or HttpRequestRejection.InvalidHost
            or HttpRequestRejection.InvalidContentLength or HttpRequestRejection.ConflictingContentLengths
            or HttpRequestRejection.ContentLengthWithTransferEncoding or HttpRequestRejection.TransferEncodingInHttp10
            or HttpRequestRejection.InvalidTransferEncoding or HttpRequestRejection.InvalidChunkSize
            or HttpRequestRejection.ChunkLineTooLong or HttpRequestRejection.InvalidChunkExtension
            or HttpRequestRejection.MissingChunkTerminator or HttpRequestRejection.BareCarriageReturn
            or HttpRequestRejection.InvalidTrailer or HttpRequestRejection.IncompleteBody => 400,
        _ => throw new ArgumentOutOfRangeException(nameof(rejection), rejection, "Not a request rejection."),
    };

    /// <summary>A clear English sentence saying what was wrong with the request.</summary>
    public static string Describe(HttpRequestRejection rejection) => rejection switch
    {
        HttpRequestRejection.None => "The request was not refused.",
        HttpRequestRejection.HeadTooLarge => "The request head is larger than the configured limit.",
        HttpRequestRejection.RequestLineTooLong => "The request-line is longer than the configured limit.",
        HttpRequestRejection.HeaderLineTooLong => "A header field line is longer than the configured limit.",
        HttpRequestRejection.TooManyHeaders => "The request head has more header fields than the configured limit.",
        HttpRequestRejection.InvalidRequestLine => "The request-line is not 'method SP request-target SP HTTP-version' with single spaces.",
        HttpRequestRejection.UnsupportedHttpVersion => "The HTTP version is not 1.x.",
        HttpRequestRejection.InvalidHeaderName => "A header field name is empty, contains a character that is not allowed, or is followed by whitespace before the colon.",
        HttpRequestRejection.InvalidHeaderValue => "A header field value contains a control character such as CR, LF or NUL.",
        HttpRequestRejection.ObsoleteLineFolding => "A header line begins with whitespace (obsolete line folding), which is not accepted.",
        HttpRequestRejection.BareLineFeed => "A line ends with LF that is not preceded by CR.",
        HttpRequestRejection.MissingColon => "A header line has no colon after the field name.",
        HttpRequestRejection.MissingHost => "An HTTP/1.1 request must have a Host header.",
        HttpRequestRejection.MultipleHosts => "The request has more than one Host header.",
        HttpRequestRejection.InvalidHost => "The Host header is not a host with an optional port.",
        HttpRequestRejection.InvalidContentLength => "The Content-Length header is not a non-negative decimal number.",
        HttpRequestRejection.ConflictingContentLengths => "The request gives different Content-Length values.",
        HttpRequestRejection.ContentLengthWithTransferEncoding => "The request has both Content-Length and Transfer-Encoding.",
        HttpRequestRejection.TransferEncodingInHttp10 => "An HTTP/1.0 request cannot use Transfer-Encoding.",
        HttpRequestRejection.InvalidTransferEncoding => "Transfer-Encoding must end with chunked, applied once.",
        HttpRequestRejection.UnsupportedTransferCoding => "The request uses a transfer coding other than chunked, which is not implemented.",
        HttpRequestRejection.InvalidChunkSize => "A chunk size is not a hexadecimal number that fits in 63 bits.",
        HttpRequestRejection.ChunkLineTooLong => "A chunk size line with its extensions is longer than the configured limit.",
        HttpRequestRejection.InvalidChunkExtension => "A chunk extension is malformed.",
        HttpRequestRejection.MissingChunkTerminator => "A chunk's data is not followed by CRLF.",
        HttpRequestRejection.BareCarriageReturn => "A CR in the chunked framing is not followed by LF.",
        HttpRequestRejection.InvalidTrailer => "A trailer field line is malformed.",
        HttpRequestRejection.TrailerTooLarge => "The trailer section is larger than the configured head limits.",
        HttpRequestRejection.BodyTooLarge => "The request body is larger than the configured limit.",
        HttpRequestRejection.IncompleteBody => "The connection closed before the request body was complete.",
        HttpRequestRejection.BodyTimeout => "The request body did not arrive in time.",
        HttpRequestRejection.ExpectationFailed => "The Expect header holds an expectation other than 100-continue.",
        _ => "The request is malformed.",
    };

    /// <summary>The rejection a request head parse error stands for.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="error"/> is <see cref="HttpParseError.None"/> or undefined.</exception>
    public static HttpRequestRejection FromParseError(HttpParseError error) => error switch
    {
        HttpParseError.HeadTooLarge => HttpRequestRejection.HeadTooLarge,
        HttpParseError.StartLineTooLong => HttpRequestRejection.RequestLineTooLong,
        HttpParseError.HeaderLineTooLong => HttpRequestRejection.HeaderLineTooLong,
        HttpParseError.TooManyHeaders => HttpRequestRejection.TooManyHeaders,
        HttpParseError.InvalidRequestLine or HttpParseError.InvalidStatusLine => HttpRequestRejection.InvalidRequestLine,
        HttpParseError.UnsupportedHttpVersion => HttpRequestRejection.UnsupportedHttpVersion,
        HttpParseError.InvalidHeaderName => HttpRequestRejection.InvalidHeaderName,
        HttpParseError.InvalidHeaderValue => HttpRequestRejection.InvalidHeaderValue,
        HttpParseError.ObsoleteLineFolding => HttpRequestRejection.ObsoleteLineFolding,
        HttpParseError.BareLineFeed => HttpRequestRejection.BareLineFeed,
        HttpParseError.MissingColon => HttpRequestRejection.MissingColon,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Not a head parse error."),
    };
}
