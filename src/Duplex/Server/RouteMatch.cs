namespace Duplex.Server;

/// <summary>The router's answer for one request: what serves it, and the Allow value of its path.</summary>
internal readonly record struct RouteMatch(
    RouteKind Kind,
    string? Allow = null,
    HttpHandler? Handler = null,
    WebSocketEndpoint? WebSocket = null,
    StaticFiles? Files = null,
    StaticFile? File = null);
