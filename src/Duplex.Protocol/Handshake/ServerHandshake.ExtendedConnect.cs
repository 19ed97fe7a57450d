using Duplex.Protocol.Http;

namespace Duplex.Protocol.Handshake;

/// <summary>The server side of bootstrapping a WebSocket over HTTP/2 (RFC 8441).</summary>
public static partial class ServerHandshake
{
    /// <summary>
    /// Checks an HTTP/2 (or HTTP/3, RFC 9220) extended CONNECT for a WebSocket against RFC 8441 §4
    /// and §5: method CONNECT, <c>:protocol</c> <c>websocket</c>, <c>Sec-WebSocket-Version: 13</c>.
    /// There is no key to check: "the Sec-WebSocket-Key and Sec-WebSocket-Accept header fields are
    /// not used" (§5); the origin, subprotocols and extensions mean what they mean in RFC 6455. The
    /// server accepts with a 2xx (<see cref="ExtendedConnectAcceptHeaders"/>), not a 101.
    /// </summary>
    /// <param name="request">The request as the host decoded it (its pseudo-headers aside; <c>:authority</c> may be given as Host).</param>
    /// <param name="protocol">The <c>:protocol</c> pseudo-header, or null when the request had none.</param>
    /// <param name="accepted">The values needed to answer, with an empty <see cref="ServerHandshakeRequest.Key"/>, when the result is <see cref="HandshakeRejection.None"/>.</param>
    /// <returns><see cref="HandshakeRejection.None"/>, or the first rule the request breaks.</returns>
    public static HandshakeRejection ValidateExtendedConnect(HttpRequestHead request, string? protocol, out ServerHandshakeRequest? accepted)
    {
        ArgumentNullException.ThrowIfNull(request);
        accepted = null;
        if (!string.Equals(request.Method, "CONNECT", StringComparison.Ordinal))
        {
            return HandshakeRejection.MethodNotConnect;
        }

        // §4: ":protocol" carries the Upgrade token, compared as HTTP/1.1's Upgrade is: case-insensitively.
        if (!string.Equals(protocol, WebSocketToken, StringComparison.OrdinalIgnoreCase))
        {
            return HandshakeRejection.ProtocolNotWebSocket;
        }

        HttpHeaders headers = request.Headers;
        string? version = headers.GetFirst(HttpFieldNames.SecWebSocketVersion, out int versions);
        if (versions != 1 || !version.AsSpan().Trim(" \t").SequenceEqual(SupportedVersion))
        {
            return HandshakeRejection.UnsupportedVersion;
        }

        accepted = new ServerHandshakeRequest(
            request,
            string.Empty,
            headers[HttpFieldNames.Origin],
            headers.Contains(HttpFieldNames.SecWebSocketProtocol) ? [.. headers.GetTokens(HttpFieldNames.SecWebSocketProtocol)] : [],
            headers.GetValues(HttpFieldNames.SecWebSocketExtensions));
        return HandshakeRejection.None;
    }

    /// <summary>
    /// The header fields of the 2xx that accepts an extended CONNECT (RFC 8441 §5): the selected
    /// subprotocol and the accepted extensions, when there are; no Upgrade, Connection or
    /// Sec-WebSocket-Accept (connection-specific fields are forbidden in HTTP/2, RFC 9113 §8.2.2).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="subProtocol"/> is not a token, or <paramref name="extensions"/> holds control characters.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> ExtendedConnectAcceptHeaders(string? subProtocol, string? extensions)
    {
        var headers = new List<KeyValuePair<string, string>>(2);
        if (subProtocol is not null)
        {
            if (!HttpSyntax.IsToken(subProtocol.AsSpan()))
            {
                throw new ArgumentException($"The subprotocol '{subProtocol}' is not a single token (RFC 6455 §4.1).", nameof(subProtocol));
            }

            headers.Add(new(HttpFieldNames.SecWebSocketProtocol, subProtocol));
        }

        if (!string.IsNullOrEmpty(extensions))
        {
            HttpSyntax.ValidateField(HttpFieldNames.SecWebSocketExtensions, extensions, nameof(extensions));
            headers.Add(new(HttpFieldNames.SecWebSocketExtensions, extensions));
        }

        return headers;
    }
}
