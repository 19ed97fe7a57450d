namespace Duplex;

/// <summary>
/// Serves one accepted WebSocket connection. When it returns, the server closes the connection
/// (1000, or 1011 if it threw) unless it is closed already.
/// </summary>
public delegate Task WebSocketHandler(WebSocketConnection connection, CancellationToken cancellationToken);
