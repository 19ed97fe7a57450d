namespace Duplex.Protocol.Http;

/// <summary>How a request body is delimited (RFC 9112 §6.3).</summary>
public enum HttpBodyKind
{
    /// <summary>Neither Content-Length nor Transfer-Encoding: the request has no body (RFC 9112 §6.3 item 6).</summary>
    None,

    /// <summary>Content-Length gives the body's length in octets (RFC 9112 §6.3 item 5).</summary>
    ContentLength,

    /// <summary>The chunked transfer coding delimits the body (RFC 9112 §6.3 item 4, §7.1).</summary>
    Chunked,
}
