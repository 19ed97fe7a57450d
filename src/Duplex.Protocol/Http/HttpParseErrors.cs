namespace Duplex.Protocol.Http;

/// <summary>Maps an <see cref="HttpParseError"/> to the status code a server answers with and to a sentence for logs and bodies.</summary>
public static class HttpParseErrors
{
    /// <summary>
    /// The status code for a refused request head: 431 when the head, a header line or the
    /// header count is too large (RFC 6585 §5), 414 when the request-line is too long
    /// (RFC 9110 §15.5.15), 505 for an HTTP version other than 1.x (RFC 9110 §15.6.6), and 400
    /// for every malformed head (RFC 9112 §2.2). Only request heads get an answer, so a long
    /// status-line, which this method cannot tell apart, also maps to 414.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="e"/> is <see cref="HttpParseError.None"/> or undefined.</exception>
    public static int StatusCodeFor(HttpParseError e) => e switch
    {
        HttpParseError.HeadTooLarge or HttpParseError.TooManyHeaders or HttpParseError.HeaderLineTooLong => 431,
        HttpParseError.StartLineTooLong => 414,
        HttpParseError.UnsupportedHttpVersion => 505,
        HttpParseError.InvalidRequestLine or HttpParseError.InvalidStatusLine or HttpParseError.InvalidHeaderName
            or HttpParseError.InvalidHeaderValue or HttpParseError.ObsoleteLineFolding or HttpParseError.BareLineFeed
            or HttpParseError.MissingColon => 400,
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "Not an HTTP parse error."),
    };

    /// <summary>A clear English sentence saying what was wrong with the head.</summary>
    public static string Describe(HttpParseError e) => e switch
    {
        HttpParseError.None => "The message head is well formed.",
        HttpParseError.HeadTooLarge => "The message head is larger than the configured limit.",
        HttpParseError.StartLineTooLong => "The request-line or status-line is longer than the configured limit.",
        HttpParseError.HeaderLineTooLong => "A header field line is longer than the configured limit.",
        HttpParseError.TooManyHeaders => "The message head has more header fields than the configured limit.",
        HttpParseError.InvalidRequestLine => "The request-line is not 'method SP request-target SP HTTP-version' with single spaces.",
        HttpParseError.InvalidStatusLine => "The status-line is not 'HTTP-version SP status-code SP reason-phrase'.",
        HttpParseError.UnsupportedHttpVersion => "The HTTP version is not 1.x.",
        HttpParseError.InvalidHeaderName => "A header field name is empty, contains a character that is not allowed, or is followed by whitespace before the colon.",
        HttpParseError.InvalidHeaderValue => "A header field value contains a control character such as CR, LF or NUL.",
        HttpParseError.ObsoleteLineFolding => "A header line begins with whitespace (obsolete line folding), which is not accepted.",
        HttpParseError.BareLineFeed => "A line ends with LF that is not preceded by CR.",
        HttpParseError.MissingColon => "A header line has no colon after the field name.",
        _ => "The message head is malformed.",
    };
}
