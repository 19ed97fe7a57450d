using System.Buffers;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>RFC 6455 §5.5: control frames are short, never fragmented, and may come between fragments.</summary>
public class WebSocketReceiverControlFrameTests
{
    private static readonly Received ProtocolError = Received.Error(CloseStatus.ProtocolError);

    [Theory]
    [InlineData("89 7E 00 7E")] // ping, 126 bytes
    [InlineData("8A 7E 00 7E")] // pong, 126 bytes
    [InlineData("88 7E 00 7E")] // close, 126 bytes
    [InlineData("89 7E 01 00")]
    [InlineData("89 7F 00 00 00 00 00 01 00 00")]
    public void Control_frame_longer_than_125_bytes_fails_with_1002(string header)
    {
        // The error comes at the header, before any of the payload has arrived.
        Assert.Equal([ProtocolError], ReceiverDriver.Client().Feed(Hex.Bytes(header)));
    }

    [Fact]
    public void Control_frame_of_exactly_125_bytes_is_accepted()
    {
        byte[] payload = Hex.Counting(125);

        Assert.Equal([Received.Ping(payload)], ReceiverDriver.Client().Feed(Hex.Concat(Hex.Bytes("89 7D"), payload)));
    }

    [Theory]
    [InlineData("09 00")] // ping without FIN
    [InlineData("0A 00")] // pong without FIN
    [InlineData("08 00")] // close without FIN
    [InlineData("09 05 48 65 6c 6c 6f")]
    public void Control_frame_with_FIN_clear_fails_with_1002(string hex)
    {
        Assert.Equal([ProtocolError], ReceiverDriver.Client().Feed(Hex.Bytes(hex)));
    }

    [Fact]
    public void Ping_between_fragments_is_reported_and_answered_and_the_message_is_whole_afterwards()
    {
        var client = ReceiverDriver.Client();

        Assert.Empty(client.Feed(Hex.Bytes("01 03 48 65 6c")));
        Assert.Equal([Received.Ping("hi"u8)], client.Feed(Hex.Bytes("89 02 68 69")));
        Assert.True(client.Receiver.InMessage);

        // The pong echoes the ping's payload (RFC 6455 §5.5.3); a client masks it.
        var pong = new ArrayBufferWriter<byte>();
        FrameWriter.Write(pong, Opcode.Pong, fin: true, "hi"u8, maskKey: 0);
        Assert.Equal(Hex.Bytes("8A 82 00 00 00 00 68 69"), pong.WrittenSpan.ToArray());

        Assert.Equal([Received.Text("Hello")], client.Feed(Hex.Bytes("80 02 6c 6f")));
    }

    [Fact]
    public void Ping_pong_and_ping_between_fragments_in_one_read_keep_their_order()
    {
        byte[] wire = Hex.Bytes("01 01 48" + "89 01 31" + "00 02 65 6c" + "8A 01 32" + "89 00" + "80 02 6c 6f");

        Assert.Equal(
            [Received.Ping("1"u8), Received.Pong("2"u8), Received.Ping([]), Received.Text("Hello")],
            ReceiverDriver.Client().Feed(wire));
    }

    [Fact]
    public void Ping_inside_a_masked_fragmented_message_is_unmasked_with_its_own_key()
    {
        // "Hel" under key 37 fa 21 3d, then a ping "hi" under key 01 02 03 04, then "lo" under key 00 00 00 00.
        byte[] wire = Hex.Bytes("01 83 37 fa 21 3d 7f 9f 4d" + "89 82 01 02 03 04 69 6b" + "80 82 00 00 00 00 6c 6f");

        Assert.Equal([Received.Ping("hi"u8), Received.Text("Hello")], ReceiverDriver.Server().Feed(wire));
    }

    [Fact]
    public void Zero_length_ping_is_reported_with_an_empty_payload()
    {
        var client = ReceiverDriver.Client();

        Assert.Equal([Received.Ping([])], client.Feed(Hex.Bytes("89 00")));
        Assert.True(client.Receiver.ControlPayload.IsEmpty);
    }

    [Fact]
    public void Zero_length_pong_is_reported_with_an_empty_payload()
    {
        Assert.Equal([Received.Pong([])], ReceiverDriver.Client().Feed(Hex.Bytes("8A 00")));
    }

    [Fact]
    public void Zero_length_ping_after_a_longer_one_has_an_empty_payload()
    {
        Assert.Equal(
            [Received.Ping("Hello"u8), Received.Ping([])],
            ReceiverDriver.Client().Feed(Hex.Bytes("89 05 48 65 6c 6c 6f 89 00")));
    }

    [Fact]
    public void Control_payload_split_across_reads_is_reassembled()
    {
        var server = ReceiverDriver.Server();

        Assert.Empty(server.Feed(Hex.Bytes("89 85 37 fa 21 3d 7f")));
        Assert.Empty(server.Feed(Hex.Bytes("9f 4d")));
        Assert.Equal([Received.Ping("Hello"u8)], server.Feed(Hex.Bytes("51 58")));
    }

    [Fact]
    public void Control_payload_is_valid_until_the_next_call_or_its_release()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });
        byte[] ping = Hex.Bytes("89 02 68 69");

        Assert.Equal(ReceiveEvent.Ping, receiver.Receive(ping, [], out _, out _));
        Assert.Equal("hi"u8.ToArray(), receiver.ControlPayload.ToArray());
        receiver.ReleaseControlPayload();
        Assert.True(receiver.ControlPayload.IsEmpty);

        Assert.Equal(ReceiveEvent.Ping, receiver.Receive(ping, [], out _, out _));
        Assert.Equal(ReceiveEvent.NeedMoreData, receiver.Receive([], [], out _, out _));
        Assert.True(receiver.ControlPayload.IsEmpty);
    }

    [Fact]
    public void Control_frame_payload_does_not_go_to_the_output()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });
        byte[] output = new byte[16];

        ReceiveEvent result = receiver.Receive(Hex.Bytes("89 05 48 65 6c 6c 6f"), output, out int consumed, out int written);

        Assert.Equal(ReceiveEvent.Ping, result);
        Assert.Equal(7, consumed);
        Assert.Equal(0, written);
        Assert.Equal("Hello"u8.ToArray(), receiver.ControlPayload.ToArray());
    }

    [Fact]
    public void Control_frame_is_received_even_with_no_output_room()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });

        Assert.Equal(ReceiveEvent.Ping, receiver.Receive(Hex.Bytes("89 02 68 69"), [], out int consumed, out _));
        Assert.Equal(4, consumed);
    }
}
