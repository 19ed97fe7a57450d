namespace Duplex.Protocol.Http;

/// <summary>The head of an HTTP/1.1 response: the status-line and the header fields (RFC 9112 §4).</summary>
public sealed class HttpResponseHead
{
    /// <summary>Creates a response head; the parser makes these, and so can an adapter that has its own parser.</summary>
    /// <param name="version">The HTTP-version, e.g. <c>HTTP/1.1</c>.</param>
    /// <param name="statusCode">The three-digit status code.</param>
    /// <param name="reasonPhrase">The reason-phrase, possibly empty.</param>
    /// <param name="headers">The header fields.</param>
    public HttpResponseHead(string version, int statusCode, string reasonPhrase, HttpHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(reasonPhrase);
        ArgumentNullException.ThrowIfNull(headers);
        Version = version;
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Headers = headers;
    }

    /// <summary>The HTTP-version as sent, e.g. <c>HTTP/1.1</c>.</summary>
    public string Version { get; }

    /// <summary>The three-digit status code (RFC 9110 §15).</summary>
    public int StatusCode { get; }

    /// <summary>The reason-phrase as sent, decoded as Latin-1; may be empty (RFC 9112 §4).</summary>
    public string ReasonPhrase { get; }

    /// <summary>The header fields, in the order received.</summary>
    public HttpHeaders Headers { get; }
}
