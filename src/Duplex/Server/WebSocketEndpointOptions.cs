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
    public Func<WebSocketUpgradeContext, bool>? Accept { get; init; }

    /// <summary>
    /// Whether <see cref="WebSocketConnection.Request"/> keeps the upgrade request (its path,
    /// query and headers) for the handler; true by default. An endpoint whose handler never reads
    /// it (or that reads what it needs in <see cref="Accept"/>) can set false and save the parsed
    /// head, about 0.5 KiB per connection for a minimal request and more for a browser's.
    /// </summary>
    public bool RetainRequest { get; init; } = true;

    /// <summary>Limits and timers for this endpoint's connections; null uses the server's.</summary>
    public WebSocketConnectionOptions? WebSocket { get; init; }
}
