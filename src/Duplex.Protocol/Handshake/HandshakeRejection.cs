namespace Duplex.Protocol.Handshake;

/// <summary>
/// Why a server refused an opening handshake (RFC 6455 §4.2.1). <see cref="ServerHandshake.StatusCodeFor"/>
/// gives the status to answer with; <see cref="ServerHandshake.Describe"/> a sentence.
/// </summary>
public enum HandshakeRejection
{
    /// <summary>The request is a valid WebSocket upgrade.</summary>
    None = 0,

    /// <summary>The method is not GET (§4.2.1 item 1): 400.</summary>
    MethodNotGet,

    /// <summary>The HTTP version is lower than 1.1 (§4.2.1 item 1): 400.</summary>
    HttpVersionTooOld,

    /// <summary>There is no Host field, or it is empty (§4.2.1 item 2, RFC 9112 §3.2): 400.</summary>
    MissingHost,

    /// <summary>There is more than one Host field (RFC 9112 §3.2): 400.</summary>
    MultipleHosts,

    /// <summary>The Upgrade field lacks the token "websocket" (§4.2.1 item 3): 400.</summary>
    MissingUpgrade,

    /// <summary>The Connection field lacks the token "Upgrade" (§4.2.1 item 4): 400.</summary>
    MissingConnectionUpgrade,

    /// <summary>There is no Sec-WebSocket-Key field (§4.2.1 item 5): 400.</summary>
    MissingKey,

    /// <summary>There is more than one Sec-WebSocket-Key field (§11.3.1: it must not appear more than once): 400.</summary>
    MultipleKeys,

    /// <summary>The Sec-WebSocket-Key is not base64 of 16 bytes (§4.2.1 item 5): 400.</summary>
    InvalidKey,

    /// <summary>Sec-WebSocket-Version is missing or not exactly 13 (§4.2.1 item 6): 426 with <c>Sec-WebSocket-Version: 13</c> (§4.4).</summary>
    UnsupportedVersion,

    /// <summary>An HTTP/2 (or later) request for a WebSocket whose method is not CONNECT (RFC 8441 §4).</summary>
    MethodNotConnect,

    /// <summary>An extended CONNECT whose <c>:protocol</c> pseudo-header is absent or not <c>websocket</c> (RFC 8441 §4).</summary>
    ProtocolNotWebSocket,
}
