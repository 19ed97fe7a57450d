namespace Duplex.Server;

/// <summary>Everything mapped at one exact path, immutable: handlers by method, a WebSocket endpoint, and the Allow value they make.</summary>
internal sealed class PathRoutes
{
    private const string Get = "GET";
    private const string Head = "HEAD";
    private const string Options = "OPTIONS";

    private readonly KeyValuePair<string, HttpHandler>[] _handlers;

    private PathRoutes(KeyValuePair<string, HttpHandler>[] handlers, WebSocketEndpoint? webSocket)
    {
        _handlers = handlers;
        WebSocket = webSocket;
        Allow = BuildAllow(handlers, webSocket);
    }

    public static PathRoutes Empty { get; } = new([], null);

    public WebSocketEndpoint? WebSocket { get; }

    /// <summary>The methods served here (RFC 9110 §10.2.1), OPTIONS included, in the order mapped.</summary>
    public string Allow { get; }

    /// <summary>The methods this path serves, for the server-wide Allow.</summary>
    public IEnumerable<string> Methods
    {
        get
        {
            foreach (KeyValuePair<string, HttpHandler> handler in _handlers)
            {
                yield return handler.Key;
            }
        }
    }

    public PathRoutes WithHandler(string method, HttpHandler handler)
    {
        var handlers = new List<KeyValuePair<string, HttpHandler>>(_handlers.Length + 1);
        foreach (KeyValuePair<string, HttpHandler> existing in _handlers)
        {
            if (existing.Key != method)
            {
                handlers.Add(existing);
            }
        }

        handlers.Add(new(method, handler));
        return new PathRoutes([.. handlers], WebSocket);
    }

    public PathRoutes WithWebSocket(WebSocketEndpoint endpoint) => new(_handlers, endpoint);

    /// <summary>The handler for <paramref name="method"/>; a GET handler also answers HEAD (RFC 9110 §9.3.2).</summary>
    public HttpHandler? Find(string method)
    {
        HttpHandler? get = null;
        foreach (KeyValuePair<string, HttpHandler> handler in _handlers)
        {
            if (string.Equals(handler.Key, method, StringComparison.Ordinal))
            {
                return handler.Value;
            }

            if (handler.Key == Get)
            {
                get = handler.Value;
            }
        }

        return method == Head ? get : null;
    }

    private static string BuildAllow(KeyValuePair<string, HttpHandler>[] handlers, WebSocketEndpoint? webSocket)
    {
        var methods = new List<string>();
        void AddOnce(string method)
        {
            if (!methods.Contains(method))
            {
                methods.Add(method);
            }
        }

        foreach (KeyValuePair<string, HttpHandler> handler in handlers)
        {
            AddOnce(handler.Key);
            if (handler.Key == Get)
            {
                AddOnce(Head);
            }
        }

        if (webSocket is not null)
        {
            AddOnce(Get);
        }

        AddOnce(Options);
        return string.Join(", ", methods);
    }
}
