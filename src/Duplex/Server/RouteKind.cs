namespace Duplex.Server;

/// <summary>What the router found for a request's method and path.</summary>
internal enum RouteKind
{
    /// <summary>An HTTP handler mapped for the method (GET's also answers HEAD).</summary>
    Handler,

    /// <summary>A WebSocket endpoint, for a GET.</summary>
    WebSocket,

    /// <summary>A file below a static folder.</summary>
    StaticFile,

    /// <summary>A path under a static folder that tries to leave it or cannot name a file (400).</summary>
    BadPath,

    /// <summary>Nothing at this path (404).</summary>
    NotFound,

    /// <summary>Something at this path, but not for this method (405 with Allow).</summary>
    MethodNotAllowed,

    /// <summary>OPTIONS for a path that exists, or for the server (<c>OPTIONS *</c>): 204 with Allow.</summary>
    Options,
}
