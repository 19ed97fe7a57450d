using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

/// <summary>
/// Large messages are read into their message buffer directly (the input buffer adopted, the
/// rest of the payload read in behind it): whatever way the bytes arrive, each echo is exact.
/// </summary>
public sealed class LargeMessageReceiveTests
{
    [Theory]
    [InlineData(20 * 1024)]
    [InlineData(70 * 1024)]
    [InlineData(300 * 1024)]
    public async Task Large_messages_sent_back_to_back_in_one_write_are_echoed_exactly(int size)
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);
        byte[][] payloads = [Pattern(size, 1), Pattern(size + 3, 2), "small text"u8.ToArray(), Pattern(size, 4)];

        // All in one write: the input holds the end of one frame and the start of the next.
        await raw.SendAsync([.. payloads.SelectMany((p, i) => RawWebSocket.Frame(i == 2 ? Opcode.Text : Opcode.Binary, p))]);

        foreach (byte[] payload in payloads)
        {
            RawFrame? echo = await raw.ReadFrameAsync();
            Assert.NotNull(echo);
            Assert.Equal(payload, echo.Payload);
        }
    }

    [Theory]
    [InlineData(64 * 1024, 1000)]
    [InlineData(64 * 1024, 40 * 1024)]
    [InlineData(1024 * 1024, 100 * 1024)]
    public async Task A_large_message_arriving_in_pieces_is_echoed_exactly(int size, int piece)
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);
        byte[] payload = Pattern(size, 7);
        byte[] frame = RawWebSocket.Frame(Opcode.Binary, payload);

        for (int at = 0; at < frame.Length; at += piece)
        {
            await raw.SendAsync(frame[at..Math.Min(frame.Length, at + piece)]);
        }

        RawFrame? echo = await raw.ReadFrameAsync();
        Assert.NotNull(echo);
        Assert.Equal(payload, echo.Payload);

        // And the next message after it, small, is not disturbed.
        await raw.SendTextAsync("after");
        RawFrame? next = await raw.ReadFrameAsync();
        Assert.NotNull(next);
        Assert.Equal("after"u8.ToArray(), next.Payload);
    }

    [Fact]
    public async Task A_large_text_message_with_invalid_UTF8_at_its_end_fails_with_1007()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);
        byte[] payload = new byte[80 * 1024];
        payload.AsSpan().Fill((byte)'a');
        payload[^1] = 0xFF;

        await raw.SendAsync(RawWebSocket.Frame(Opcode.Text, payload));

        RawFrame close = await raw.ReadCloseAsync();
        Assert.Equal(1007, close.CloseCode);
    }

    private static byte[] Pattern(int size, int seed)
    {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++)
        {
            data[i] = (byte)((i * 131) + seed + (i >> 9));
        }

        return data;
    }
}
