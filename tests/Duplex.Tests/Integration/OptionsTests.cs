using System.Net;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

/// <summary>Options are checked when they are handed over, with a message naming the option, the rule and the value.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void Server_port_out_of_range_is_refused_at_construction()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DuplexServer(new DuplexServerOptions { Port = 70000 }));
        Assert.Equal("Port", ex.ParamName);
        Assert.Contains("DuplexServerOptions.Port must be 0 (any free port) to 65535 (it is 70000)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_with_zero_handshake_timeout_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DuplexServer(new DuplexServerOptions { HandshakeTimeout = TimeSpan.Zero }));
        Assert.Contains("DuplexServerOptions.HandshakeTimeout must be a positive time", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_websocket_options_are_checked_too()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DuplexServer(new DuplexServerOptions
        {
            WebSocket = new WebSocketConnectionOptions { ReceiveBufferSize = 10 },
        }));
        Assert.Contains("WebSocketConnectionOptions.ReceiveBufferSize must be at least 256 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoint_websocket_options_are_checked_when_mapped()
    {
        var server = new DuplexServer(new DuplexServerOptions { Port = 0 });
        var ex = Assert.Throws<ArgumentException>(() => server.MapWebSocket("/x", EchoServer.EchoAsync, new WebSocketEndpointOptions
        {
            WebSocket = new WebSocketConnectionOptions { MaxMessageSize = 0 },
        }));
        Assert.Contains("WebSocketConnectionOptions.MaxMessageSize must be at least 1 byte (it is 0)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keepalive_may_be_off_but_its_timeout_must_be_positive_when_on()
    {
        new WebSocketConnectionOptions { KeepAliveInterval = Timeout.InfiniteTimeSpan, KeepAliveTimeout = TimeSpan.Zero }.Validate();
        var ex = Assert.Throws<ArgumentException>(() => new WebSocketConnectionOptions { KeepAliveTimeout = TimeSpan.Zero }.Validate());
        Assert.Contains("WebSocketConnectionOptions.KeepAliveTimeout must be a positive time", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_with_zero_connect_timeout_is_refused_before_connecting()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => WebSocketClient.ConnectAsync(
            new Uri("ws://127.0.0.1:9/never"), new WebSocketClientOptions { ConnectTimeout = TimeSpan.Zero }, Bounded.Token()));
        Assert.Contains("WebSocketClientOptions.ConnectTimeout must be a positive time", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SocketEngine.Auto, true)]
    [InlineData(SocketEngine.DotNet, false)]
    public async Task Socket_engine_option_decides_how_server_and_client_sockets_wait(SocketEngine engine, bool readinessEngine)
    {
        // Auto means the readiness engine on Linux x64/arm64 unless DUPLEX_SOCKET_ENGINE=dotnet (test.sh's second pass).
        bool expected = readinessEngine && Duplex.Transport.ReadinessEngine.Readable is not null;
        var seen = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, SocketEngine = engine });
        server.MapWebSocket("/engine", async (ws, ct) =>
        {
            seen.TrySetResult(ws.UsesReadinessEngine);
            await EchoServer.EchoAsync(ws, ct);
        });
        await server.StartAsync();

        await using WebSocketConnection client = await WebSocketClient.ConnectAsync(
            new Uri($"ws://127.0.0.1:{server.LocalEndPoint.Port}/engine"), new WebSocketClientOptions { SocketEngine = engine }, Bounded.Token());
        await client.SendTextAsync("still works", Bounded.Token());
        Assert.Equal("still works", (await client.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
        Assert.Equal(expected, await seen.Task.Within("the handler"));
        Assert.Equal(expected, client.UsesReadinessEngine);
    }
}
