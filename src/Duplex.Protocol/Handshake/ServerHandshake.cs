using System.Buffers;
using System.Text;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Handshake;

/// <summary>The server side of the RFC 6455 opening handshake (§4.2): check the client's request, then accept or refuse it.</summary>
public static partial class ServerHandshake
{
    /// <summary>The only protocol version this library speaks (RFC 6455 §4.1 item 9).</summary>
    public const string SupportedVersion = "13";

    private const string WebSocketToken = "websocket";
    private const string UpgradeToken = "Upgrade";

    // Headers WriteAccept sets itself; an extra header may not repeat or contradict them, and a
    // 101 response has no content (RFC 9110 §8.6).
    private static readonly string[] s_reservedResponseHeaders =
    [
        HttpFieldNames.Upgrade, HttpFieldNames.Connection, HttpFieldNames.SecWebSocketAccept,
        HttpFieldNames.SecWebSocketProtocol, HttpFieldNames.SecWebSocketExtensions,
        HttpFieldNames.SecWebSocketVersion, HttpFieldNames.ContentLength, HttpFieldNames.TransferEncoding,
    ];

    /// <summary>
    /// Whether <paramref name="request"/> asks for a WebSocket: its Upgrade field holds the token
    /// "websocket", in any case. A router uses this to tell upgrades from plain HTTP requests;
    /// <see cref="Validate"/> then checks the rest.
    /// </summary>
    public static bool IsUpgradeRequest(HttpRequestHead request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.ContainsToken(HttpFieldNames.Upgrade, WebSocketToken);
    }

    /// <summary>
    /// Checks an opening handshake request against RFC 6455 §4.2.1. The version is checked before
    /// the key, so a client speaking another version of the protocol is told which version to use
    /// (426, §4.4) rather than that its key is wrong.
    /// </summary>
    /// <param name="request">The parsed request head.</param>
    /// <param name="accepted">The values needed to answer, when the result is <see cref="HandshakeRejection.None"/>.</param>
    /// <returns><see cref="HandshakeRejection.None"/>, or the first rule the request breaks.</returns>
    public static HandshakeRejection Validate(HttpRequestHead request, out ServerHandshakeRequest? accepted)
    {
        ArgumentNullException.ThrowIfNull(request);
        accepted = null;
        HttpHeaders headers = request.Headers;

        // §4.2.1 item 1: "An HTTP/1.1 or higher GET request".
        if (!string.Equals(request.Method, "GET", StringComparison.Ordinal))
        {
            return HandshakeRejection.MethodNotGet;
        }

        if (!IsHttp11OrLater(request.Version))
        {
            return HandshakeRejection.HttpVersionTooOld;
        }

        // §4.2.1 item 2 and RFC 9112 §3.2: exactly one Host field.
        string? host = headers.GetFirst(HttpFieldNames.Host, out int hosts);
        if (hosts > 1)
        {
            return HandshakeRejection.MultipleHosts;
        }

        if (string.IsNullOrEmpty(host))
        {
            return HandshakeRejection.MissingHost;
        }

        // §4.2.1 item 3: Upgrade contains "websocket", ASCII case-insensitive.
        if (!headers.ContainsToken(HttpFieldNames.Upgrade, WebSocketToken))
        {
            return HandshakeRejection.MissingUpgrade;
        }

        // §4.2.1 item 4: Connection contains the token "Upgrade", ASCII case-insensitive.
        if (!headers.ContainsToken(HttpFieldNames.Connection, UpgradeToken))
        {
            return HandshakeRejection.MissingConnectionUpgrade;
        }

        // §4.2.1 item 6: Sec-WebSocket-Version must be 13; §4.4 says how to refuse others.
        string? version = headers.GetFirst(HttpFieldNames.SecWebSocketVersion, out int versions);
        if (versions != 1 || !version.AsSpan().Trim(" \t").SequenceEqual(SupportedVersion))
        {
            return HandshakeRejection.UnsupportedVersion;
        }

        // §4.2.1 item 5 and §11.3.1: one Sec-WebSocket-Key, base64 of 16 bytes.
        string? key = headers.GetFirst(HttpFieldNames.SecWebSocketKey, out int keys);
        if (key is null)
        {
            return HandshakeRejection.MissingKey;
        }

        if (keys > 1)
        {
            return HandshakeRejection.MultipleKeys;
        }

        if (!WebSocketKey.IsValid(key))
        {
            return HandshakeRejection.InvalidKey;
        }

        accepted = new ServerHandshakeRequest(
            request,
            key,
            headers[HttpFieldNames.Origin],
            headers.Contains(HttpFieldNames.SecWebSocketProtocol) ? [.. headers.GetTokens(HttpFieldNames.SecWebSocketProtocol)] : [],
            headers.GetValues(HttpFieldNames.SecWebSocketExtensions));
        return HandshakeRejection.None;
    }

    /// <summary>
    /// The status to refuse with: 426 Upgrade Required for <see cref="HandshakeRejection.UnsupportedVersion"/>
    /// (RFC 6455 §4.4), 400 Bad Request for every other rejection (§4.2.1: "the server MUST stop
    /// processing the client's handshake and return an HTTP response with an appropriate error
    /// code (such as 400 Bad Request)").
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="r"/> is <see cref="HandshakeRejection.None"/> or undefined.</exception>
    public static int StatusCodeFor(HandshakeRejection r) => r switch
    {
        HandshakeRejection.UnsupportedVersion => 426,
        HandshakeRejection.MethodNotGet or HandshakeRejection.HttpVersionTooOld or HandshakeRejection.MissingHost
            or HandshakeRejection.MultipleHosts or HandshakeRejection.MissingUpgrade
            or HandshakeRejection.MissingConnectionUpgrade or HandshakeRejection.MissingKey
            or HandshakeRejection.MultipleKeys or HandshakeRejection.InvalidKey
            or HandshakeRejection.MethodNotConnect or HandshakeRejection.ProtocolNotWebSocket => 400,
        _ => throw new ArgumentOutOfRangeException(nameof(r), r, "Not a handshake rejection."),
    };

    /// <summary>A sentence saying why the handshake was refused, fit for a log line or a response body.</summary>
    public static string Describe(HandshakeRejection r) => r switch
    {
        HandshakeRejection.None => "The request is a valid WebSocket opening handshake.",
        HandshakeRejection.MethodNotGet => "A WebSocket opening handshake must use the GET method.",
        HandshakeRejection.HttpVersionTooOld => "A WebSocket opening handshake must use HTTP/1.1 or later.",
        HandshakeRejection.MissingHost => "The request has no Host header.",
        HandshakeRejection.MultipleHosts => "The request has more than one Host header.",
        HandshakeRejection.MissingUpgrade => "The request has no 'Upgrade: websocket' header.",
        HandshakeRejection.MissingConnectionUpgrade => "The request's Connection header does not contain 'Upgrade'.",
        HandshakeRejection.MissingKey => "The request has no Sec-WebSocket-Key header.",
        HandshakeRejection.MultipleKeys => "The request has more than one Sec-WebSocket-Key header.",
        HandshakeRejection.InvalidKey => "The Sec-WebSocket-Key header is not the base64 encoding of 16 bytes.",
        HandshakeRejection.UnsupportedVersion => "The Sec-WebSocket-Version header is missing or not 13; this server speaks version 13 only.",
        HandshakeRejection.MethodNotConnect => "A WebSocket over HTTP/2 must be opened with an extended CONNECT (RFC 8441 §4).",
        HandshakeRejection.ProtocolNotWebSocket => "The extended CONNECT's :protocol is not 'websocket' (RFC 8441 §4).",
        _ => "The request is not a valid WebSocket opening handshake.",
    };

    /// <summary>
    /// The first subprotocol in the client's list that the server supports, or null when there is
    /// none. The client's order wins, and names compare exactly: subprotocol names are
    /// case-sensitive (RFC 6455 §11.3.4).
    /// </summary>
    public static string? SelectSubProtocol(IReadOnlyList<string> offered, IReadOnlyList<string> supported)
    {
        ArgumentNullException.ThrowIfNull(offered);
        ArgumentNullException.ThrowIfNull(supported);
        foreach (string candidate in offered)
        {
            foreach (string name in supported)
            {
                if (string.Equals(candidate, name, StringComparison.Ordinal))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Writes the whole refusal: the status from <see cref="StatusCodeFor"/>,
    /// <c>Sec-WebSocket-Version: 13</c> with a 426 (RFC 6455 §4.4), <c>Connection: close</c>, and a
    /// short text/plain body from <see cref="Describe"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rejection"/> is <see cref="HandshakeRejection.None"/>.</exception>
    public static void WriteRejection(IBufferWriter<byte> output, HandshakeRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(output);
        int status = StatusCodeFor(rejection);
        var headers = new List<KeyValuePair<string, string>>(3);
        headers.AddRange(RejectionHeaders(rejection));

        headers.Add(new(HttpFieldNames.ContentType, "text/plain; charset=utf-8"));
        headers.Add(new(HttpFieldNames.Connection, "close"));
        byte[] body = Encoding.UTF8.GetBytes(Describe(rejection) + "\n");
        HttpResponseWriter.Write(output, status, HttpResponseWriter.ReasonPhrase(status), headers, body);
    }

    /// <summary>
    /// The header fields a refusal must carry besides its status: <c>Sec-WebSocket-Version: 13</c>
    /// for a version this server does not speak (RFC 6455 §4.4), none otherwise.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> RejectionHeaders(HandshakeRejection rejection) =>
        rejection == HandshakeRejection.UnsupportedVersion ? s_versionHeader : [];

    /// <summary>
    /// The header fields of a 426 for a request to a WebSocket-only resource that is not an
    /// upgrade: <c>Upgrade: websocket</c> names the protocol it needs (RFC 9110 §15.5.22) and
    /// <c>Sec-WebSocket-Version: 13</c> the version (RFC 6455 §4.4).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> UpgradeRequiredHeaders { get; } =
        [new(HttpFieldNames.Upgrade, WebSocketToken), new(HttpFieldNames.SecWebSocketVersion, SupportedVersion)];

    private static readonly KeyValuePair<string, string>[] s_versionHeader = [new(HttpFieldNames.SecWebSocketVersion, SupportedVersion)];

    /// <summary>
    /// Writes the 101 response that completes the handshake (RFC 6455 §4.2.2 item 5):
    /// <c>HTTP/1.1 101 Switching Protocols</c>, <c>Upgrade: websocket</c>, <c>Connection: Upgrade</c>,
    /// <c>Sec-WebSocket-Accept</c>, then <c>Sec-WebSocket-Protocol</c> and
    /// <c>Sec-WebSocket-Extensions</c> when given, then <paramref name="extraHeaders"/>.
    /// </summary>
    /// <param name="output">Where the response is written.</param>
    /// <param name="key">The client's Sec-WebSocket-Key (<see cref="ServerHandshakeRequest.Key"/>).</param>
    /// <param name="subProtocol">The selected subprotocol (one the client offered), or null.</param>
    /// <param name="extensions">The accepted extensions as a Sec-WebSocket-Extensions value, or null.</param>
    /// <param name="extraHeaders">More headers, e.g. Set-Cookie; they may not name a header this method writes.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="subProtocol"/> is not a token, <paramref name="extensions"/> holds control
    /// characters, or an extra header is malformed or reserved.
    /// </exception>
    public static void WriteAccept(
        IBufferWriter<byte> output,
        string key,
        string? subProtocol,
        string? extensions = null,
        IEnumerable<KeyValuePair<string, string>>? extraHeaders = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(key);
        var headers = new List<KeyValuePair<string, string>>(6)
        {
            new(HttpFieldNames.Upgrade, WebSocketToken),
            new(HttpFieldNames.Connection, UpgradeToken),
            new(HttpFieldNames.SecWebSocketAccept, WebSocketKey.ComputeAccept(key)),
        };

        if (subProtocol is not null)
        {
            // §4.2.2 item 5.4: the server answers with a single subprotocol, a token (§4.1 item 10).
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

        ExtraHeaders.Append(headers, extraHeaders, s_reservedResponseHeaders, nameof(extraHeaders));
        HttpResponseWriter.Write(output, 101, HttpResponseWriter.ReasonPhrase(101), headers);
    }

    // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT; "1.1 or higher" compares the numbers.
    private static bool IsHttp11OrLater(string version) =>
        version.Length == 8
        && version.StartsWith("HTTP/", StringComparison.Ordinal)
        && char.IsAsciiDigit(version[5])
        && version[6] == '.'
        && char.IsAsciiDigit(version[7])
        && (version[5] > '1' || (version[5] == '1' && version[7] >= '1'));
}
