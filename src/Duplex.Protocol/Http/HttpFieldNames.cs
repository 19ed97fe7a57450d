namespace Duplex.Protocol.Http;

/// <summary>The field names this layer writes or inspects, spelled as RFC 9110 and RFC 6455 spell them.</summary>
internal static class HttpFieldNames
{
    internal const string Host = "Host";
    internal const string Connection = "Connection";
    internal const string Upgrade = "Upgrade";
    internal const string ContentLength = "Content-Length";
    internal const string ContentType = "Content-Type";
    internal const string TransferEncoding = "Transfer-Encoding";
    internal const string Origin = "Origin";
    internal const string ProxyAuthorization = "Proxy-Authorization";
    internal const string SecWebSocketKey = "Sec-WebSocket-Key";
    internal const string SecWebSocketAccept = "Sec-WebSocket-Accept";
    internal const string SecWebSocketVersion = "Sec-WebSocket-Version";
    internal const string SecWebSocketProtocol = "Sec-WebSocket-Protocol";
    internal const string SecWebSocketExtensions = "Sec-WebSocket-Extensions";
}
