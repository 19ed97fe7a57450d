using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

/// <summary>
/// Frames that arrive together are received from the input buffer one after another: whole
/// small messages at once, control frames, fragments and bad frames the full way, in order.
/// </summary>
public sealed class BufferedReceiveTests
{
    /// <summary>A continuation much longer than the fragment before it.</summary>
    private static readonly byte[] Tail = [.. Enumerable.Repeat((byte)'g', 300)];

    [Fact]
    public async Task Messages_pings_fragments_and_a_bad_frame_in_one_write_are_handled_in_order()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        await raw.SendAsync([
            .. RawWebSocket.Frame(Opcode.Text, "one"u8.ToArray()),
            .. RawWebSocket.Frame(Opcode.Ping, "p"u8.ToArray()),
            .. RawWebSocket.Frame(Opcode.Binary, [1, 2, 3]),
            .. RawWebSocket.Frame(Opcode.Text, "fr"u8.ToArray(), fin: false),
            .. RawWebSocket.Frame(Opcode.Continuation, Tail),
            .. RawWebSocket.Frame(Opcode.Text, "two"u8.ToArray()),
            .. RawWebSocket.Frame(Opcode.Text, [0x61, 0xC3, 0x28]),
            .. RawWebSocket.Frame(Opcode.Text, "never"u8.ToArray()),
        ]);

        await ExpectAsync(raw, Opcode.Text, "one"u8.ToArray());
        await ExpectAsync(raw, Opcode.Pong, "p"u8.ToArray());
        await ExpectAsync(raw, Opcode.Binary, [1, 2, 3]);
        await ExpectAsync(raw, Opcode.Text, [.. "fr"u8.ToArray(), .. Tail]);
        await ExpectAsync(raw, Opcode.Text, "two"u8.ToArray());

        // Invalid UTF-8 fails the connection (RFC 6455 §8.1); nothing after it is echoed.
        RawFrame? close = await raw.ReadFrameAsync();
        Assert.NotNull(close);
        Assert.Equal(Opcode.Close, close.Opcode);
        Assert.Equal(1007, close.CloseCode);
    }

    private static async Task ExpectAsync(RawWebSocket raw, Opcode opcode, byte[] payload)
    {
        RawFrame? frame = await raw.ReadFrameAsync();
        Assert.NotNull(frame);
        Assert.Equal(opcode, frame.Opcode);
        Assert.Equal(payload, frame.Payload);
    }
}
