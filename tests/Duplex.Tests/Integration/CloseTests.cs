using System.Text;
using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

public sealed class CloseTests
{
    [Fact]
    public async Task Client_close_is_echoed_and_the_server_sees_code_and_reason()
    {
        var seen = new TaskCompletionSource<(CloseStatus?, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using EchoServer server = await EchoServer.StartAsync(map: s => s.MapWebSocket("/watch", async (ws, ct) =>
        {
            await foreach (WebSocketMessage _ in ws.ReadMessagesAsync(ct))
            {
            }

            seen.TrySetResult((ws.CloseStatus, ws.CloseStatusDescription));
        }));
        WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri("/watch"));

        await client.CloseAsync(CloseStatus.NormalClosure, "done here", Bounded.Token()).Within("the close");

        Assert.Equal(WebSocketConnectionState.Closed, client.State);
        Assert.Equal(CloseStatus.NormalClosure, client.CloseStatus);
        (CloseStatus? code, string? reason) = await seen.Task.Within("the server to see the close");
        Assert.Equal(CloseStatus.NormalClosure, code);
        Assert.Equal("done here", reason);
        await client.Completion.Within("the client to release the connection");
    }

    [Fact]
    public async Task Server_close_reaches_the_client_with_code_and_reason()
    {
        await using EchoServer server = await EchoServer.StartAsync(map: s => s.MapWebSocket("/bye", (ws, ct) =>
            ws.CloseAsync((CloseStatus)4000, "see you", ct).AsTask()));
        await using WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri("/bye"));

        WebSocketMessage message = await client.ReceiveAsync(Bounded.Token()).Within("the close");

        Assert.True(message.IsClose);
        Assert.Equal((CloseStatus)4000, client.CloseStatus);
        Assert.Equal("see you", client.CloseStatusDescription);
        await client.Completion.Within("the client to see the server close TCP");
    }

    [Fact]
    public async Task Handler_returning_closes_with_1000()
    {
        await using EchoServer server = await EchoServer.StartAsync(map: s => s.MapWebSocket("/quick", (_, _) => Task.CompletedTask));
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port, "/quick");

        RawFrame close = await raw.ReadCloseAsync();
        Assert.Equal(1000, close.CloseCode);
        await raw.SendFrameAsync(Opcode.Close, RawWebSocket.ClosePayload(1000));
        Assert.True(await raw.WaitForServerCloseAsync(), "the server should close TCP after the closing handshake");
    }

    [Fact]
    public async Task Handler_that_throws_closes_with_1011()
    {
        await using EchoServer server = await EchoServer.StartAsync(map: s => s.MapWebSocket("/broken", (_, _) =>
            throw new InvalidOperationException("handler bug")));
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port, "/broken");

        RawFrame close = await raw.ReadCloseAsync();
        Assert.Equal(1011, close.CloseCode);
    }

    [Fact]
    public async Task Server_echoes_a_close_and_closes_TCP()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        await raw.SendFrameAsync(Opcode.Close, RawWebSocket.ClosePayload(4321, "custom"));
        RawFrame close = await raw.ReadCloseAsync();

        Assert.Equal(4321, close.CloseCode);
        Assert.False(close.Masked);
        Assert.True(await raw.WaitForServerCloseAsync(), "the server closes TCP after echoing the close");
    }

    [Theory]
    [InlineData(1012)] // Service Restart
    [InlineData(1013)] // Try Again Later
    [InlineData(1014)] // Bad Gateway
    public async Task Close_codes_registered_with_IANA_after_RFC_6455_are_accepted_and_echoed(ushort code)
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        await raw.SendFrameAsync(Opcode.Close, RawWebSocket.ClosePayload(code, "later"));

        Assert.Equal(code, (await raw.ReadCloseAsync()).CloseCode);
    }

    [Fact]
    public async Task Empty_close_is_answered_with_an_empty_close()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        await raw.SendFrameAsync(Opcode.Close, []);
        RawFrame close = await raw.ReadCloseAsync();

        Assert.Empty(close.Payload);
    }

    [Fact]
    public async Task Data_after_a_close_is_ignored()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        await raw.SendAsync([.. RawWebSocket.Frame(Opcode.Close, RawWebSocket.ClosePayload(1000)), .. RawWebSocket.Frame(Opcode.Text, "late"u8.ToArray())]);

        RawFrame? first = await raw.ReadFrameAsync();
        Assert.NotNull(first);
        Assert.Equal(Opcode.Close, first.Opcode);
        Assert.Null(await raw.ReadFrameAsync());
    }

    [Fact]
    public async Task Server_shutdown_sends_1001_to_every_client()
    {
        EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection a = await EchoServer.ConnectAsync(server.Uri());
        await using WebSocketConnection b = await EchoServer.ConnectAsync(server.Uri());
        Task<WebSocketMessage> receiveA = a.ReceiveAsync(Bounded.Token()).AsTask();
        Task<WebSocketMessage> receiveB = b.ReceiveAsync(Bounded.Token()).AsTask();

        await server.Server.StopAsync(Bounded.Token()).Within("shutdown");

        Assert.True((await receiveA.Within("a's close")).IsClose);
        Assert.True((await receiveB.Within("b's close")).IsClose);
        Assert.Equal(CloseStatus.GoingAway, a.CloseStatus);
        Assert.Equal(CloseStatus.GoingAway, b.CloseStatus);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Peer_vanishing_without_a_close_frame_is_1006()
    {
        var seen = new TaskCompletionSource<CloseStatus?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using EchoServer server = await EchoServer.StartAsync(map: s => s.MapWebSocket("/watch", async (ws, ct) =>
        {
            WebSocketMessage message = await ws.ReceiveAsync(ct);
            seen.TrySetResult(message.IsClose ? ws.CloseStatus : null);
        }));
        RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port, "/watch");

        await raw.DisposeAsync();

        Assert.Equal(CloseStatus.AbnormalClosure, await seen.Task.Within("the server to notice"));
    }

    [Fact]
    public async Task Sending_after_close_throws()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri());
        await client.CloseAsync(CloseStatus.NormalClosure, null, Bounded.Token());

        await Assert.ThrowsAsync<WebSocketClosedException>(async () => await client.SendTextAsync("too late", Bounded.Token()));
    }

    [Fact]
    public async Task Client_waits_for_the_server_to_close_TCP_after_the_handshake()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri());

        await client.CloseAsync(CloseStatus.NormalClosure, "bye", Bounded.Token()).Within("the close");

        // The client returns only once the server closed TCP (or the close timeout passed);
        // with a live server that is the server's FIN, well inside the timeout.
        Assert.True(client.Completion.IsCompleted);
        Assert.Equal(CloseStatus.NormalClosure, client.CloseStatus);
    }

    [Fact]
    public async Task Close_reason_longer_than_123_bytes_is_cut_at_a_code_point()
    {
        await using EchoServer server = await EchoServer.StartAsync(map: s => s.MapWebSocket("/long", (ws, ct) =>
            ws.CloseAsync(CloseStatus.PolicyViolation, new string('é', 200), ct).AsTask()));
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port, "/long");

        RawFrame close = await raw.ReadCloseAsync();

        Assert.Equal(1008, close.CloseCode);
        Assert.Equal(124, close.Payload.Length);
        Assert.Equal(new string('é', 61), Encoding.UTF8.GetString(close.Payload.AsSpan(2)));
    }

    [Fact]
    public async Task Close_from_one_task_while_another_loops_on_receive_ends_the_loop_cleanly()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri());
        var loopEnded = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (WebSocketMessage _ in client.ReadMessagesAsync(Bounded.Token()))
                {
                    first.TrySetResult();
                }

                loopEnded.TrySetResult(null);
            }
            catch (Exception ex)
            {
                loopEnded.TrySetResult(ex);
            }
        });
        await client.SendTextAsync("one", Bounded.Token());
        await first.Task.Within("the first echo");

        // Close from this task while the loop is (or is about to be) inside a receive.
        await client.CloseAsync(CloseStatus.NormalClosure, "bye", Bounded.Token()).Within("the close");

        Assert.Null(await loopEnded.Task.Within("the receive loop to end"));
        Assert.Equal(CloseStatus.NormalClosure, client.CloseStatus);
    }
}
