namespace Duplex.Protocol.Http;

/// <summary>
/// Why an HTTP/1.1 message head was refused. <see cref="HttpParseErrors"/> maps each value to
/// the status code a server answers with and to a sentence a person can read.
/// </summary>
public enum HttpParseError
{
    /// <summary>No error: the head parsed, or more data is needed.</summary>
    None = 0,

    /// <summary>The head is longer than <see cref="HttpLimits.MaxHeadSize"/> (431).</summary>
    HeadTooLarge,

    /// <summary>The request-line or status-line is longer than <see cref="HttpLimits.MaxStartLineLength"/> (414).</summary>
    StartLineTooLong,

    /// <summary>A header field line is longer than <see cref="HttpLimits.MaxHeaderLineLength"/> (431).</summary>
    HeaderLineTooLong,

    /// <summary>The head has more header fields than <see cref="HttpLimits.MaxHeaderCount"/> (431).</summary>
    TooManyHeaders,

    /// <summary>The request-line is not <c>method SP request-target SP HTTP-version</c> (RFC 9112 §3).</summary>
    InvalidRequestLine,

    /// <summary>The status-line is not <c>HTTP-version SP 3DIGIT SP reason-phrase</c> (RFC 9112 §4).</summary>
    InvalidStatusLine,

    /// <summary>The HTTP-version is well formed but its major version is not 1 (505, RFC 9110 §15.6.6).</summary>
    UnsupportedHttpVersion,

    /// <summary>A field-name is empty, holds a character outside the token set, or has whitespace before the colon (RFC 9112 §5.1).</summary>
    InvalidHeaderName,

    /// <summary>A field-value holds CR, LF, NUL, DEL or another control character (RFC 9110 §5.5).</summary>
    InvalidHeaderValue,

    /// <summary>A header line begins with whitespace: obsolete line folding, which a server must reject (RFC 9112 §5.2).</summary>
    ObsoleteLineFolding,

    /// <summary>A line ends in LF without the CR before it (RFC 9112 §2.2).</summary>
    BareLineFeed,

    /// <summary>A header line has no colon after its field-name (RFC 9112 §5).</summary>
    MissingColon,
}
