namespace Duplex.Protocol.Handshake;

/// <summary>What a client sent in its opening handshake and must remember to check the server's answer (RFC 6455 §4.1).</summary>
public sealed class ClientHandshakeRequest
{
    /// <summary>Creates the record of a sent handshake; <see cref="ClientHandshake.WriteRequest"/> makes these.</summary>
    /// <param name="key">The Sec-WebSocket-Key that was sent; empty over HTTP/2, which sends none (RFC 8441 §5).</param>
    /// <param name="subProtocols">The subprotocols that were offered, in order; empty for none.</param>
    /// <param name="extensionsOffer">The Sec-WebSocket-Extensions value that was sent, or null.</param>
    public ClientHandshakeRequest(string key, IReadOnlyList<string> subProtocols, string? extensionsOffer)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(subProtocols);
        Key = key;
        SubProtocols = subProtocols;
        ExtensionsOffer = extensionsOffer;
    }

    /// <summary>The Sec-WebSocket-Key that was sent; the server's Sec-WebSocket-Accept must be derived from it. Empty over HTTP/2.</summary>
    public string Key { get; }

    /// <summary>The subprotocols offered, in order of preference; the server may pick one of them only.</summary>
    public IReadOnlyList<string> SubProtocols { get; }

    /// <summary>The Sec-WebSocket-Extensions value offered, or null when none was offered.</summary>
    public string? ExtensionsOffer { get; }
}
