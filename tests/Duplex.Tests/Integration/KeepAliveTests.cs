using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

public sealed class KeepAliveTests
{
    [Fact]
    public async Task An_idle_connection_is_pinged()
    {
        await using EchoServer server = await EchoServer.StartAsync(webSocket: new WebSocketConnectionOptions
        {
            KeepAliveInterval = TimeSpan.FromMilliseconds(100),
            KeepAliveTimeout = TimeSpan.FromSeconds(10),
        });
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        RawFrame? frame = await raw.ReadFrameAsync();

        Assert.NotNull(frame);
        Assert.Equal(Opcode.Ping, frame.Opcode);
    }

    [Fact]
    public async Task A_peer_that_answers_pings_stays_connected()
    {
        await using EchoServer server = await EchoServer.StartAsync(webSocket: new WebSocketConnectionOptions
        {
            KeepAliveInterval = TimeSpan.FromMilliseconds(50),
            KeepAliveTimeout = TimeSpan.FromMilliseconds(200),
        });
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        // Answer ten pings in a row: each is sent only after a silence, so the connection has
        // lived through several timeout periods by the end.
        for (int i = 0; i < 10; i++)
        {
            RawFrame? ping = await raw.ReadFrameAsync();
            Assert.NotNull(ping);
            Assert.Equal(Opcode.Ping, ping.Opcode);
            await raw.SendFrameAsync(Opcode.Pong, ping.Payload);
        }

        await raw.SendTextAsync("alive");
        RawFrame? echo;
        do
        {
            echo = await raw.ReadFrameAsync();
            Assert.NotNull(echo);
            if (echo.Opcode == Opcode.Ping)
            {
                await raw.SendFrameAsync(Opcode.Pong, echo.Payload);
            }
        }
        while (echo.Opcode != Opcode.Text);

        Assert.Equal("alive", System.Text.Encoding.UTF8.GetString(echo.Payload));
    }

    [Fact]
    public async Task A_silent_peer_is_dropped_after_the_pong_timeout()
    {
        var closed = new TaskCompletionSource<CloseStatus?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using EchoServer server = await EchoServer.StartAsync(
            webSocket: new WebSocketConnectionOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(100), KeepAliveTimeout = TimeSpan.FromMilliseconds(200) },
            map: s => s.MapWebSocket("/watch", async (ws, ct) =>
            {
                await ws.ReceiveAsync(ct);
                closed.TrySetResult(ws.CloseStatus);
            }));
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port, "/watch");

        // The raw client never reads or answers: like a peer behind a NAT that forgot the flow.
        Assert.Equal(CloseStatus.AbnormalClosure, await closed.Task.Within("the server to drop the silent peer"));
    }

    [Fact]
    public async Task The_client_drops_a_silent_server()
    {
        await using EchoServer server = await EchoServer.StartAsync(
            webSocket: new WebSocketConnectionOptions { KeepAliveInterval = Timeout.InfiniteTimeSpan },
            map: s => s.MapWebSocket("/mute", (_, ct) => Task.Delay(Timeout.Infinite, ct)));
        await using WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri("/mute"), new WebSocketClientOptions
        {
            WebSocket = new WebSocketConnectionOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(100), KeepAliveTimeout = TimeSpan.FromMilliseconds(200) },
        });

        // The server's handler never reads, so the client's pings are never answered.
        WebSocketMessage message = await client.ReceiveAsync(Bounded.Token()).Within("the client to give up");

        Assert.True(message.IsClose);
        Assert.Equal(CloseStatus.AbnormalClosure, client.CloseStatus);
    }
}
