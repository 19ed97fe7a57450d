namespace Duplex.Protocol.Http;

/// <summary>What <see cref="HttpRequestRules.Check"/> learned from a request head: how its body is framed and what the connection does after it.</summary>
/// <param name="Body">How the body is delimited.</param>
/// <param name="ContentLength">The body length when <paramref name="Body"/> is <see cref="HttpBodyKind.ContentLength"/>; otherwise 0.</param>
/// <param name="KeepAlive">Whether the connection may carry another request after this one (RFC 9112 §9.3).</param>
/// <param name="ExpectsContinue">Whether the client waits for <c>100 Continue</c> before it sends the body (RFC 9110 §10.1.1).</param>
/// <param name="IsHttp10">Whether the request is HTTP/1.0, whose peer understands neither chunked responses nor 1xx (RFC 9112 §6.1, RFC 9110 §15.2).</param>
public readonly record struct HttpRequestFraming(HttpBodyKind Body, long ContentLength, bool KeepAlive, bool ExpectsContinue, bool IsHttp10)
{
    /// <summary>Whether a body follows the head: chunked, or a Content-Length above zero.</summary>
    public bool HasBody => Body == HttpBodyKind.Chunked || (Body == HttpBodyKind.ContentLength && ContentLength > 0);
}
