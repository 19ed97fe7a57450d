namespace Duplex;

/// <summary>The status codes of RFC 6455 §7.4.1 and the IANA WebSocket close code registry that Duplex sends or recognises.</summary>
public enum CloseStatus : ushort
{
    /// <summary>1000: the purpose for which the connection was established has been fulfilled.</summary>
    NormalClosure = 1000,

    /// <summary>1001: an endpoint is going away, such as a server going down.</summary>
    GoingAway = 1001,

    /// <summary>1002: the endpoint is terminating the connection due to a protocol error.</summary>
    ProtocolError = 1002,

    /// <summary>1003: the endpoint received a type of data it cannot accept.</summary>
    UnsupportedData = 1003,

    /// <summary>1005: reserved, never sent; it means the close frame carried no status code.</summary>
    NoStatusReceived = 1005,

    /// <summary>1006: reserved, never sent; it means the connection closed without a close frame.</summary>
    AbnormalClosure = 1006,

    /// <summary>1007: a message's data was not consistent with its type (non-UTF-8 text).</summary>
    InvalidPayloadData = 1007,

    /// <summary>1008: a message violates the endpoint's policy.</summary>
    PolicyViolation = 1008,

    /// <summary>1009: a message is too big to process.</summary>
    MessageTooBig = 1009,

    /// <summary>1010: the client expected the server to negotiate an extension it did not.</summary>
    MandatoryExtension = 1010,

    /// <summary>1011: the server met an unexpected condition that prevented it fulfilling the request.</summary>
    InternalServerError = 1011,

    /// <summary>1012 (IANA registry): the service is restarting; a client may reconnect, after a randomised delay.</summary>
    ServiceRestart = 1012,

    /// <summary>1013 (IANA registry): the service is overloaded for now; a client may try again later.</summary>
    TryAgainLater = 1013,

    /// <summary>1014 (IANA registry): acting as a gateway or proxy, the server received an invalid response from upstream.</summary>
    BadGateway = 1014,

    /// <summary>1015: reserved, never sent; it means the TLS handshake failed.</summary>
    TlsHandshakeFailure = 1015,
}
