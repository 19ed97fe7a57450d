namespace Duplex.Protocol.Http;

/// <summary>How a response body is delimited (RFC 9112 §6.3).</summary>
public enum HttpResponseFraming
{
    /// <summary>The response has no body: HEAD, 1xx, 204 or 304 (RFC 9112 §6.3 item 1).</summary>
    None,

    /// <summary>Content-Length gives the body's length (RFC 9112 §6.3 item 5).</summary>
    ContentLength,

    /// <summary>The chunked transfer coding, for an HTTP/1.1 peer when the length is not known up front (RFC 9112 §7.1).</summary>
    Chunked,

    /// <summary>The body ends when the server closes the connection: an HTTP/1.0 peer and no known length (RFC 9112 §6.3 item 8).</summary>
    CloseDelimited,
}
