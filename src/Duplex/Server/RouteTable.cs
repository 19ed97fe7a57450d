namespace Duplex.Server;

/// <summary>
/// The routes of a server at one moment, immutable: mapping builds a new table, so requests
/// read one without a lock while endpoints are still being mapped.
/// </summary>
internal sealed class RouteTable
{
    private const string Options = "OPTIONS";
    private const string Get = "GET";
    private const string Head = "HEAD";
    private const string StaticAllow = "GET, HEAD, OPTIONS";

    private readonly Dictionary<string, PathRoutes> _paths;
    private readonly (string Prefix, StaticFiles Files)[] _mounts;
    private readonly string _serverAllow;

    private RouteTable(Dictionary<string, PathRoutes> paths, (string Prefix, StaticFiles Files)[] mounts)
    {
        _paths = paths;
        _mounts = mounts;
        _serverAllow = BuildServerAllow(paths, mounts.Length > 0);
    }

    public static RouteTable Empty { get; } = new(new Dictionary<string, PathRoutes>(StringComparer.Ordinal), []);

    public RouteTable WithHandler(string method, string path, HttpHandler handler) =>
        WithPath(path, Routes(path).WithHandler(method, handler));

    public RouteTable WithWebSocket(WebSocketEndpoint endpoint) =>
        WithPath(endpoint.Path, Routes(endpoint.Path).WithWebSocket(endpoint));

    public RouteTable WithStaticFiles(string prefix, StaticFiles files) =>
        new(_paths, [.. _mounts, (prefix, files)]);

    /// <summary>
    /// Finds what serves <paramref name="method"/> on <paramref name="path"/>: an exact path
    /// first, then the static folders in the order mapped (the first that holds the file). A
    /// WebSocket upgrade goes to the path's endpoint whatever its method, so that the handshake
    /// rules answer it (RFC 6455 §4.2.1: a handshake that is not a GET gets 400).
    /// </summary>
    public RouteMatch Match(string method, string path, bool isWebSocketUpgrade)
    {
        if (_paths.TryGetValue(path, out PathRoutes? routes))
        {
            HttpHandler? handler = routes.Find(method);
            if (handler is not null)
            {
                return new RouteMatch(RouteKind.Handler, routes.Allow, Handler: handler);
            }

            if (routes.WebSocket is not null && (method == Get || isWebSocketUpgrade))
            {
                return new RouteMatch(RouteKind.WebSocket, routes.Allow, WebSocket: routes.WebSocket);
            }

            return new RouteMatch(method == Options ? RouteKind.Options : RouteKind.MethodNotAllowed, routes.Allow);
        }

        // RFC 9110 §9.3.7: "OPTIONS *" asks about the server as a whole.
        if (path == "*" && method == Options)
        {
            return new RouteMatch(RouteKind.Options, _serverAllow);
        }

        foreach ((string prefix, StaticFiles files) in _mounts)
        {
            string? relative = StaticFiles.RelativePath(prefix, path);
            if (relative is null)
            {
                continue;
            }

            switch (files.Resolve(relative, out StaticFile? file))
            {
                case StaticLookup.Found:
                    RouteKind kind = method is Get or Head ? RouteKind.StaticFile : method == Options ? RouteKind.Options : RouteKind.MethodNotAllowed;
                    return new RouteMatch(kind, StaticAllow, Files: files, File: file);
                case StaticLookup.BadPath:
                    return new RouteMatch(RouteKind.BadPath);
            }
        }

        return new RouteMatch(RouteKind.NotFound);
    }

    private PathRoutes Routes(string path) => _paths.GetValueOrDefault(path) ?? PathRoutes.Empty;

    private RouteTable WithPath(string path, PathRoutes routes) =>
        new(new Dictionary<string, PathRoutes>(_paths, StringComparer.Ordinal) { [path] = routes }, _mounts);

    private static string BuildServerAllow(Dictionary<string, PathRoutes> paths, bool hasStaticFiles)
    {
        var methods = new SortedSet<string>(StringComparer.Ordinal) { Options };
        foreach (PathRoutes routes in paths.Values)
        {
            foreach (string method in routes.Allow.Split(", "))
            {
                methods.Add(method);
            }
        }

        if (hasStaticFiles)
        {
            methods.Add(Get);
            methods.Add(Head);
        }

        return string.Join(", ", methods);
    }
}
