using System.Net;
using System.Net.Sockets;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Client;

/// <summary>The client's HTTP options: a handler shared by many clients, the HTTP version, and what they refuse.</summary>
public sealed class ClientSharedHandlerTests
{
    [Fact]
    public async Task Clients_on_one_shared_handler_reuse_its_connections_and_leave_it_undisposed()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync();
        int connects = 0;
        using var shared = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                Interlocked.Increment(ref connects);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };

        for (int round = 0; round < 3; round++)
        {
            RealtimeClient client = fixture.Client(WithHandler(shared, RealtimeTransport.Polling));
            await client.ConnectAsync().Within("connect");
            Task receiving = Traffic.ExpectAsync(client, 0, 4);
            await Traffic.SendAsync(client, 0, 4);
            await receiving;
            await client.DisposeAsync().AsTask().Within("dispose");

            // The shared handler's sockets are not the client's to count.
            Assert.Equal(0, client.Statistics.TcpConnections);
            Assert.Equal(0, client.Statistics.BytesSent);
            Assert.True(client.Statistics.HttpRequests > 0);
        }

        // Each client ran on the handler the one before left: it was not disposed, and its idle connections were reused
        // (a client of its own opens at least one each).
        Assert.InRange(Volatile.Read(ref connects), 1, 2);
    }

    [Fact]
    public async Task Over_http2_a_server_without_it_fails_negotiate_clearly()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync();
        var http2 = new RealtimeClient(fixture.Endpoint, new RealtimeClientOptions { HttpVersion = HttpVersion.Version20, OpenTimeout = TimeSpan.FromSeconds(3) });
        await using (http2)
        {
            IOException error = await Assert.ThrowsAsync<IOException>(() => http2.ConnectAsync()).Within("the failed connect");

            Assert.Contains("negotiate", error.Message, StringComparison.Ordinal);
            Assert.Equal(RealtimeClientState.Closed, http2.State);
        }
    }

    [Fact]
    public void Options_refuse_other_http_versions_and_a_websocket_invoker_of_their_own()
    {
        var endpoint = new Uri("http://127.0.0.1:1/realtime");
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());

        Assert.Contains("HttpVersion", Assert.Throws<ArgumentException>(() =>
            new RealtimeClient(endpoint, new RealtimeClientOptions { HttpVersion = HttpVersion.Version30 })).Message, StringComparison.Ordinal);
        Assert.Contains("HttpInvoker", Assert.Throws<ArgumentException>(() =>
            new RealtimeClient(endpoint, new RealtimeClientOptions
            {
                HttpVersion = HttpVersion.Version20,
                WebSocket = new WebSocketClientOptions { HttpVersion = HttpVersion.Version20, HttpInvoker = invoker },
            })).Message, StringComparison.Ordinal);
    }

    private static RealtimeClientOptions WithHandler(HttpMessageHandler handler, RealtimeTransport transport) => new()
    {
        Transports = [transport],
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        OpenTimeout = TimeSpan.FromSeconds(3),
        HttpHandler = handler,
    };
}
