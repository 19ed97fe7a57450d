using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

public sealed class OutputBufferTests
{
    [Fact]
    public async Task A_reply_buffered_while_input_was_pending_still_goes_out_when_the_handler_stops_receiving()
    {
        await using EchoServer server = await EchoServer.StartAsync(map: s => s.MapWebSocket("/once", async (ws, ct) =>
        {
            WebSocketMessage first = await ws.ReceiveAsync(ct);

            // The second message is already buffered here, so this reply is held back to be
            // written with the next one; the handler then never receives or sends again.
            Assert.True(ws.HasBufferedInput);
            await ws.SendAsync(first, ct);
            await Task.Delay(Timeout.Infinite, ct);
        }));
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port, "/once");

        // Both messages in one write, so the server reads them together.
        await raw.SendAsync([.. RawWebSocket.Frame(Opcode.Text, "first"u8.ToArray()), .. RawWebSocket.Frame(Opcode.Text, "second"u8.ToArray())]);

        RawFrame? reply = await raw.ReadFrameAsync();
        Assert.NotNull(reply);
        Assert.Equal("first", System.Text.Encoding.UTF8.GetString(reply.Payload));
    }

    [Fact]
    public async Task Pipelined_messages_are_echoed_in_order_and_whole()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);
        byte[] burst = [.. Enumerable.Range(0, 100).SelectMany(i => RawWebSocket.Frame(Opcode.Text, System.Text.Encoding.UTF8.GetBytes($"m{i}")))];

        await raw.SendAsync(burst);

        for (int i = 0; i < 100; i++)
        {
            RawFrame? echo = await raw.ReadFrameAsync();
            Assert.NotNull(echo);
            Assert.Equal($"m{i}", System.Text.Encoding.UTF8.GetString(echo.Payload));
        }
    }

    [Fact]
    public async Task Prepared_messages_buffered_without_flush_arrive_after_FlushAsync()
    {
        var ready = new TaskCompletionSource<WebSocketConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using EchoServer server = await EchoServer.StartAsync(map: s => s.MapWebSocket("/burst", async (ws, ct) =>
        {
            ready.TrySetResult(ws);
            await ws.ReceiveAsync(ct);
        }));
        await using WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri("/burst"));
        WebSocketConnection serverSide = await ready.Task.Within("the server side");

        for (int i = 0; i < 10; i++)
        {
            await serverSide.SendAsync(PreparedMessage.Text($"p{i}"), flush: false, Bounded.Token());
        }

        await serverSide.FlushAsync(Bounded.Token());
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal($"p{i}", (await client.ReceiveAsync(Bounded.Token()).Within("a buffered message")).Text);
        }
    }
}
