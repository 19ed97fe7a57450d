using System.Net;

namespace Duplex.Tests.Support;

/// <summary>A Duplex server on 127.0.0.1 with an OS-picked port and an echo endpoint at /echo; stopped on dispose.</summary>
internal sealed class EchoServer : IEchoHost
{
    private EchoServer(DuplexServer server)
    {
        Server = server;
    }

    public DuplexServer Server { get; }

    public Uri Uri(string path = "/echo") => new($"ws://127.0.0.1:{Server.LocalEndPoint.Port}{path}");

    public int Port => Server.LocalEndPoint.Port;

    public static async Task<EchoServer> StartAsync(
        WebSocketConnectionOptions? webSocket = null,
        Action<DuplexServer>? map = null,
        TimeSpan? handshakeTimeout = null,
        WebSocketEndpointOptions? endpoint = null)
    {
        var server = new DuplexServer(new DuplexServerOptions
        {
            Address = IPAddress.Loopback,
            Port = 0,
            WebSocket = webSocket ?? new WebSocketConnectionOptions { MaxMessageSize = 32 * 1024 * 1024 },
            HandshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(10),
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        });
        server.MapWebSocket("/echo", EchoAsync, endpoint);
        map?.Invoke(server);
        await server.StartAsync();
        return new EchoServer(server);
    }

    public static async Task EchoAsync(WebSocketConnection ws, CancellationToken ct)
    {
        await foreach (WebSocketMessage message in ws.ReadMessagesAsync(ct))
        {
            await ws.SendAsync(message, ct);
        }
    }

    public static Task<WebSocketConnection> ConnectAsync(Uri uri, WebSocketClientOptions? options = null) =>
        WebSocketClient.ConnectAsync(uri, options ?? new WebSocketClientOptions { WebSocket = new WebSocketConnectionOptions { MaxMessageSize = 32 * 1024 * 1024 } }, Bounded.Token());

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
