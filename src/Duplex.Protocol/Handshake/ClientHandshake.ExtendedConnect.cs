using Duplex.Protocol.Http;

namespace Duplex.Protocol.Handshake;

/// <summary>The client side of the opening handshake over HTTP/2: an extended CONNECT (RFC 8441 §5).</summary>
public static partial class ClientHandshake
{
    /// <summary>The value of the <c>:protocol</c> pseudo-header that asks for a WebSocket (RFC 8441 §5).</summary>
    public const string ExtendedConnectProtocol = WebSocketToken;

    // Over HTTP/2 the pseudo-headers carry the target and the upgrade, and connection-specific
    // fields are malformed (RFC 9113 §8.2.2); an extra header may not name those either.
    // (Listed in full: static fields of partial parts in different files initialize in no set order.)
    private static readonly string[] s_reservedExtendedConnectHeaders =
    [
        HttpFieldNames.Host, HttpFieldNames.Upgrade, HttpFieldNames.Connection, HttpFieldNames.SecWebSocketKey,
        HttpFieldNames.SecWebSocketVersion, HttpFieldNames.SecWebSocketProtocol, HttpFieldNames.SecWebSocketExtensions,
        HttpFieldNames.SecWebSocketAccept, HttpFieldNames.Origin, HttpFieldNames.ContentLength, HttpFieldNames.TransferEncoding,
        "Keep-Alive", "Proxy-Connection",
    ];

    /// <summary>
    /// The header fields of an extended CONNECT that opens a WebSocket over HTTP/2 (RFC 8441 §5),
    /// beside the pseudo-headers the HTTP/2 layer sets (<c>:method = CONNECT</c>,
    /// <c>:protocol = websocket</c>, <c>:scheme</c>, <c>:path</c>, <c>:authority</c>):
    /// <c>Sec-WebSocket-Version: 13</c>, then when given <c>Sec-WebSocket-Protocol</c>,
    /// <c>Origin</c>, <c>Sec-WebSocket-Extensions</c> and the extra headers. There is no
    /// Sec-WebSocket-Key: the <c>:protocol</c> pseudo-header does its work. Nothing is added when an
    /// argument is refused.
    /// </summary>
    /// <param name="output">Where the fields are added, in order.</param>
    /// <param name="subProtocols">Subprotocols to offer, most preferred first: distinct tokens.</param>
    /// <param name="extraHeaders">More headers, e.g. Authorization or Cookie; they may not name a handshake header or a connection-specific one.</param>
    /// <param name="origin">The Origin field value, or null to send none.</param>
    /// <param name="extensionsOffer">The Sec-WebSocket-Extensions value to offer, or null.</param>
    /// <returns>What must be remembered to check the answer with <see cref="ValidateExtendedConnectResponse"/>; its <see cref="ClientHandshakeRequest.Key"/> is empty.</returns>
    /// <exception cref="ArgumentException">An argument holds characters that cannot appear where it goes, a subprotocol repeats, or an extra header is reserved.</exception>
    public static ClientHandshakeRequest WriteExtendedConnectHeaders(
        ICollection<KeyValuePair<string, string>> output,
        IReadOnlyList<string>? subProtocols = null,
        IEnumerable<KeyValuePair<string, string>>? extraHeaders = null,
        string? origin = null,
        string? extensionsOffer = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        string[] offered = CheckOffered(subProtocols);
        var headers = new List<KeyValuePair<string, string>>(6)
        {
            new(HttpFieldNames.SecWebSocketVersion, ServerHandshake.SupportedVersion),
        };

        string? extensions = AppendOffers(headers, offered, origin, extensionsOffer);
        ExtraHeaders.Append(headers, extraHeaders, s_reservedExtendedConnectHeaders, nameof(extraHeaders));
        foreach (KeyValuePair<string, string> header in headers)
        {
            output.Add(header);
        }

        return new ClientHandshakeRequest(string.Empty, offered, extensions);
    }

    /// <summary>
    /// Checks the server's answer to an extended CONNECT (RFC 8441 §5): status 200 — "If the
    /// server agrees to the WebSocket connection, it MUST respond with a 200 (OK)" — then as over
    /// HTTP/1.1, at most one subprotocol and only one that was offered, and no extensions unless
    /// some were offered. There is no Sec-WebSocket-Accept to check. On failure the client must
    /// fail the WebSocket connection.
    /// </summary>
    /// <param name="statusCode">The <c>:status</c> of the response.</param>
    /// <param name="headers">The response's header fields (a name may repeat).</param>
    /// <param name="request">What <see cref="WriteExtendedConnectHeaders"/> returned.</param>
    public static ClientHandshakeResult ValidateExtendedConnectResponse(int statusCode, HttpHeaders headers, ClientHandshakeRequest request)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(request);
        if (statusCode != 200)
        {
            return ClientHandshakeResult.Failed(statusCode, $"The server answered {statusCode} instead of 200 to the WebSocket's extended CONNECT.");
        }

        return CheckSelections(statusCode, headers, request);
    }
}
