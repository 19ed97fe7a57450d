using System.Buffers;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Handshake;

/// <summary>The client side of the RFC 6455 opening handshake (§4.1): write the request, then check the server's answer.</summary>
public static partial class ClientHandshake
{
    /// <summary>
    /// Why <paramref name="uri"/> cannot be a WebSocket URI (RFC 6455 §3), or null when it can:
    /// absolute, with the ws or wss scheme, and no fragment (fragment identifiers are
    /// meaningless in WebSocket URIs and must not be used).
    /// </summary>
    public static string? CheckUri(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || (uri.Scheme != "ws" && uri.Scheme != "wss"))
        {
            return $"A WebSocket URI must be absolute with the ws or wss scheme, not '{uri}'.";
        }

        return string.IsNullOrEmpty(uri.Fragment) ? null : "A WebSocket URI must not have a fragment.";
    }

    private const int DefaultWsPort = 80;
    private const int DefaultWssPort = 443;
    private const string WebSocketToken = "websocket";
    private const string UpgradeToken = "Upgrade";

    // Headers WriteRequest sets itself; an extra header may not repeat or contradict them, and a
    // handshake GET has no content.
    private static readonly string[] s_reservedRequestHeaders =
    [
        HttpFieldNames.Host, HttpFieldNames.Upgrade, HttpFieldNames.Connection, HttpFieldNames.SecWebSocketKey,
        HttpFieldNames.SecWebSocketVersion, HttpFieldNames.SecWebSocketProtocol, HttpFieldNames.SecWebSocketExtensions,
        HttpFieldNames.SecWebSocketAccept, HttpFieldNames.Origin, HttpFieldNames.ContentLength, HttpFieldNames.TransferEncoding,
    ];

    /// <summary>
    /// Writes the opening handshake request (RFC 6455 §4.1): <c>GET {pathAndQuery} HTTP/1.1</c>,
    /// <c>Host</c>, <c>Upgrade: websocket</c>, <c>Connection: Upgrade</c>, a fresh
    /// <c>Sec-WebSocket-Key</c>, <c>Sec-WebSocket-Version: 13</c>, then when given
    /// <c>Sec-WebSocket-Protocol</c>, <c>Origin</c>, <c>Sec-WebSocket-Extensions</c> and the extra
    /// headers. Nothing is written when an argument is refused.
    /// </summary>
    /// <param name="output">Where the request is written.</param>
    /// <param name="host">The host name or IP address; an IPv6 literal is bracketed in the Host field.</param>
    /// <param name="port">The port; left out of Host when it is the default (80 for ws, 443 for wss, §4.1 item 4).</param>
    /// <param name="secure">Whether this is a wss connection (TLS), which decides the default port.</param>
    /// <param name="pathAndQuery">The resource name (§3): a path beginning with '/', optionally with '?' and a query; "" means "/".</param>
    /// <param name="subProtocols">Subprotocols to offer, most preferred first: distinct tokens (§4.1 item 10).</param>
    /// <param name="extraHeaders">More headers, e.g. Authorization or Cookie; they may not name a handshake header.</param>
    /// <param name="origin">The Origin field value (§4.1 item 8, RFC 6454), or null to send none.</param>
    /// <param name="extensionsOffer">The Sec-WebSocket-Extensions value to offer (§9.1), or null.</param>
    /// <returns>What must be remembered to check the answer with <see cref="ValidateResponse"/>.</returns>
    /// <exception cref="ArgumentException">An argument holds characters that cannot appear where it goes, a subprotocol repeats, or an extra header is reserved.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 1..65535.</exception>
    public static ClientHandshakeRequest WriteRequest(
        IBufferWriter<byte> output,
        string host,
        int port,
        bool secure,
        string pathAndQuery,
        IReadOnlyList<string>? subProtocols = null,
        IEnumerable<KeyValuePair<string, string>>? extraHeaders = null,
        string? origin = null,
        string? extensionsOffer = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        string authority = HostHeader.Format(host, port, secure ? DefaultWssPort : DefaultWsPort, nameof(host), nameof(port));

        // RFC 6455 §3: the resource name is "/" when the path is empty, and is sent as the request-target.
        string target = pathAndQuery.Length == 0 ? "/" : pathAndQuery;
        if (target[0] != '/' || !HttpSyntax.IsVisibleAscii(target.AsSpan()))
        {
            throw new ArgumentException(
                $"The resource name '{pathAndQuery}' must begin with '/' and hold only visible ASCII (percent-encode the rest).",
                nameof(pathAndQuery));
        }

        string[] offered = CheckOffered(subProtocols);
        string key = WebSocketKey.Generate();
        var headers = new List<KeyValuePair<string, string>>(8)
        {
            new(HttpFieldNames.Host, authority),
            new(HttpFieldNames.Upgrade, WebSocketToken),
            new(HttpFieldNames.Connection, UpgradeToken),
            new(HttpFieldNames.SecWebSocketKey, key),
            new(HttpFieldNames.SecWebSocketVersion, ServerHandshake.SupportedVersion),
        };

        string? extensions = AppendOffers(headers, offered, origin, extensionsOffer);
        ExtraHeaders.Append(headers, extraHeaders, s_reservedRequestHeaders, nameof(extraHeaders));
        HttpHeadWriter.Write(output, "GET", target, HttpSyntax.Http11, headers, contentLength: null, body: default);
        return new ClientHandshakeRequest(key, offered, extensions);
    }

    /// <summary>
    /// Checks the server's answer as RFC 6455 §4.1 requires of a client: status 101, Upgrade
    /// "websocket", Connection "Upgrade" (both ASCII case-insensitive), exactly one
    /// Sec-WebSocket-Accept equal to the value derived from the key, at most one subprotocol and
    /// only one that was offered, and no extensions unless some were offered. On failure the
    /// client must fail the WebSocket connection (§4.1: "_Fail the WebSocket Connection_").
    /// </summary>
    public static ClientHandshakeResult ValidateResponse(HttpResponseHead response, ClientHandshakeRequest request)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(request);
        HttpHeaders headers = response.Headers;
        int status = response.StatusCode;

        // §4.1: "If the status code received from the server is not 101, the client handles the
        // response per HTTP procedures" — which for us means the handshake failed.
        if (status != 101)
        {
            string answered = response.ReasonPhrase.Length == 0 ? $"{status}" : $"{status} {response.ReasonPhrase}";
            return ClientHandshakeResult.Failed(status, $"The server answered {answered} instead of 101 Switching Protocols.");
        }

        if (!headers.ContainsToken(HttpFieldNames.Upgrade, WebSocketToken))
        {
            return ClientHandshakeResult.Failed(status, "The server's response has no 'Upgrade: websocket' header.");
        }

        if (!headers.ContainsToken(HttpFieldNames.Connection, UpgradeToken))
        {
            return ClientHandshakeResult.Failed(status, "The server's response has no 'Connection: Upgrade' header.");
        }

        IReadOnlyList<string> accepts = headers.GetValues(HttpFieldNames.SecWebSocketAccept);
        if (accepts.Count == 0)
        {
            return ClientHandshakeResult.Failed(status, "The server's response has no Sec-WebSocket-Accept header.");
        }

        if (accepts.Count > 1)
        {
            return ClientHandshakeResult.Failed(status, "The server's response has more than one Sec-WebSocket-Accept header.");
        }

        if (!string.Equals(accepts[0], WebSocketKey.ComputeAccept(request.Key), StringComparison.Ordinal))
        {
            return ClientHandshakeResult.Failed(status, "The server's Sec-WebSocket-Accept does not match the Sec-WebSocket-Key that was sent.");
        }

        return CheckSelections(status, headers, request);
    }

    /// <summary>
    /// Appends what the client offers, the same over HTTP/1.1 and HTTP/2 (RFC 8441 §5):
    /// Sec-WebSocket-Protocol, Origin, Sec-WebSocket-Extensions. Returns the extensions offered, or null.
    /// </summary>
    private static string? AppendOffers(List<KeyValuePair<string, string>> headers, string[] offered, string? origin, string? extensionsOffer)
    {
        if (offered.Length > 0)
        {
            headers.Add(new(HttpFieldNames.SecWebSocketProtocol, string.Join(", ", offered)));
        }

        if (origin is not null)
        {
            HttpSyntax.ValidateField(HttpFieldNames.Origin, origin, "origin");
            headers.Add(new(HttpFieldNames.Origin, origin));
        }

        string? extensions = string.IsNullOrEmpty(extensionsOffer) ? null : extensionsOffer;
        if (extensions is not null)
        {
            HttpSyntax.ValidateField(HttpFieldNames.SecWebSocketExtensions, extensions, "extensionsOffer");
            headers.Add(new(HttpFieldNames.SecWebSocketExtensions, extensions));
        }

        return extensions;
    }

    /// <summary>The subprotocols to offer, checked: each a token, none twice (RFC 6455 §4.1 item 10).</summary>
    private static string[] CheckOffered(IReadOnlyList<string>? subProtocols)
    {
        string[] offered = subProtocols is null ? [] : [.. subProtocols];
        for (int i = 0; i < offered.Length; i++)
        {
            // §4.1 item 10: each element is a token, and the elements are unique.
            if (offered[i] is null || !HttpSyntax.IsToken(offered[i].AsSpan()))
            {
                throw new ArgumentException($"The subprotocol '{offered[i]}' is not a token (RFC 6455 §4.1).", nameof(subProtocols));
            }

            if (Array.IndexOf(offered, offered[i], 0, i) >= 0)
            {
                throw new ArgumentException($"The subprotocol '{offered[i]}' is offered twice (RFC 6455 §4.1).", nameof(subProtocols));
            }
        }

        return offered;
    }

    /// <summary>
    /// The checks every answer shares, over HTTP/1.1 and HTTP/2 alike: at most one subprotocol,
    /// only one that was offered, and no extensions unless some were offered.
    /// </summary>
    private static ClientHandshakeResult CheckSelections(int status, HttpHeaders headers, ClientHandshakeRequest request)
    {
        // An empty Sec-WebSocket-Protocol selects nothing, the same as none.
        string? subProtocol = null;
        string[] selected = [.. headers.GetTokens(HttpFieldNames.SecWebSocketProtocol)];
        if (selected.Length > 0)
        {
            if (request.SubProtocols.Count == 0)
            {
                return ClientHandshakeResult.Failed(status, "The server selected a subprotocol, but the client offered none.");
            }

            if (selected.Length != 1)
            {
                return ClientHandshakeResult.Failed(status, "The server's Sec-WebSocket-Protocol must name exactly one subprotocol.");
            }

            // §4.1: the server may only select a subprotocol the client offered; names are case-sensitive (§11.3.4).
            subProtocol = request.SubProtocols.FirstOrDefault(offered => string.Equals(offered, selected[0], StringComparison.Ordinal));
            if (subProtocol is null)
            {
                return ClientHandshakeResult.Failed(status, $"The server selected the subprotocol '{selected[0]}', which the client did not offer.");
            }
        }

        // §4.1: an extension the client did not offer fails the connection. Negotiating the
        // parameters of offered extensions is left to the extension (RFC 7692).
        string? extensions = null;
        if (headers.GetTokens(HttpFieldNames.SecWebSocketExtensions).Any())
        {
            if (string.IsNullOrEmpty(request.ExtensionsOffer))
            {
                return ClientHandshakeResult.Failed(status, "The server answered with Sec-WebSocket-Extensions, but the client offered no extensions.");
            }

            extensions = headers[HttpFieldNames.SecWebSocketExtensions];
        }

        return ClientHandshakeResult.Accepted(status, subProtocol, extensions);
    }
}
