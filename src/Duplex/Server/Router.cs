namespace Duplex.Server;

/// <summary>
/// Routes requests by method and exact path to HTTP handlers and WebSocket endpoints, then to
/// static folders by prefix. Mapping may happen while the server runs: each map publishes a new
/// <see cref="RouteTable"/>, and a request uses the table it found.
/// </summary>
internal sealed class Router
{
    private readonly Lock _gate = new();
    private volatile RouteTable _table = RouteTable.Empty;

    public RouteTable Table => _table;

    public void Map(string method, string path, HttpHandler handler)
    {
        lock (_gate)
        {
            _table = _table.WithHandler(method, path, handler);
        }
    }

    public void MapWebSocket(WebSocketEndpoint endpoint)
    {
        lock (_gate)
        {
            _table = _table.WithWebSocket(endpoint);
        }
    }

    public void MapStaticFiles(string prefix, StaticFiles files)
    {
        lock (_gate)
        {
            _table = _table.WithStaticFiles(prefix, files);
        }
    }

    public RouteMatch Match(string method, string path, bool isWebSocketUpgrade) => _table.Match(method, path, isWebSocketUpgrade);
}
