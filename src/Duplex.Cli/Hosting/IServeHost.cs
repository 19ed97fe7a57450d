using System.Net;
using Duplex.Realtime;

namespace Duplex.Cli.Hosting;

/// <summary>
/// The server under <c>duplex serve</c>: the built-in one (<see cref="BuiltInServeHost"/>) or
/// ASP.NET Core on Kestrel (<see cref="AspNetCoreServeHost"/>). Both take the same handlers
/// (<see cref="Endpoints.MapServe"/>), so the two serve the same pages and endpoints.
/// </summary>
internal interface IServeHost : IAsyncDisposable
{
    /// <summary>Serves WebSockets at <paramref name="path"/> with <paramref name="handler"/>.</summary>
    void MapWebSocket(string path, WebSocketHandler handler);

    /// <summary>
    /// Serves realtime sessions under <paramref name="basePath"/> with <paramref name="handler"/>
    /// and <paramref name="options"/> (null: the defaults); returns the endpoint (its channels).
    /// </summary>
    RealtimeEndpoint MapRealtime(string basePath, RealtimeHandler handler, RealtimeOptions? options = null);

    /// <summary>Answers GET (and HEAD) at exactly <paramref name="path"/> with <paramref name="handler"/>, before the static files.</summary>
    void MapGet(string path, HttpHandler handler);

    /// <summary>Serves the files below <paramref name="directory"/> at /.</summary>
    void MapStaticFiles(string directory);

    /// <summary>Listens; returns the address bound (port 0 resolved).</summary>
    /// <exception cref="ServeListenException">The address cannot be listened on.</exception>
    Task<IPEndPoint> StartAsync(CancellationToken cancellationToken);

    /// <summary>Stops gracefully: WebSockets get 1001, sessions end, requests in flight finish (bounded).</summary>
    Task StopAsync();
}
