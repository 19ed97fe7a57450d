namespace Duplex;

/// <summary>How one WebSocket endpoint accepts connections.</summary>
public sealed class WebSocketEndpointOptions
{
    /// <summary>The subprotocols this endpoint speaks; the first of the client's offers found here is chosen.</summary>
    public IReadOnlyList<string> SubProtocols { get; init; } = [];

    /// <summary>
    /// Decides whether to accept a connection (for example by its Origin, RFC 6455 §10.2);
    /// false refuses it with 403 Forbidden. Null accepts every valid request.
    /// </summary>
    public Func<WebSocketAcceptContext, bool>? Accept { get; init; }

    /// <summary>Limits and timers for this endpoint's connections; null uses the server's.</summary>
    public WebSocketOptions? WebSocket { get; init; }
}
