namespace Duplex.Server;

/// <summary>A WebSocket endpoint mapped at a path.</summary>
internal sealed record WebSocketEndpoint(string Path, WebSocketHandler Handler, WebSocketEndpointOptions Options);
