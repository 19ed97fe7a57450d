using System.Net;
using System.Net.Sockets;
using Duplex.Realtime;
using Microsoft.Extensions.Logging;

namespace Duplex.Cli.Hosting;

/// <summary><c>duplex serve</c> on Duplex's own server (HTTP/1.1, with TLS through SslStream).</summary>
internal sealed class BuiltInServeHost(ServeHostOptions options, ILoggerFactory loggerFactory) : IServeHost
{
    private readonly DuplexServer _server = new(
        new DuplexServerOptions { Address = options.Address, Port = options.Port, WebSocket = options.WebSocket, ServerCertificate = options.Certificate },
        loggerFactory);

    public void MapWebSocket(string path, WebSocketHandler handler) => _server.MapWebSocket(path, handler);

    public RealtimeEndpoint MapRealtime(string basePath, RealtimeHandler handler, RealtimeOptions? options = null) => _server.MapRealtime(basePath, handler, options);

    // The router answers HEAD for a GET route, without the body; exact paths go before the static folder.
    public void MapGet(string path, HttpHandler handler) => _server.MapGet(path, handler);

    public void MapStaticFiles(string directory) => _server.MapStaticFiles(directory, "/");

    public async Task<IPEndPoint> StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new ServeListenException(ex.Message, ex);
        }

        return _server.LocalEndPoint;
    }

    public Task StopAsync() => _server.StopAsync(CancellationToken.None);

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
