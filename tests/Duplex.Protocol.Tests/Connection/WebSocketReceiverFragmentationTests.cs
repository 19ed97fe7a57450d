using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>RFC 6455 §5.4: a message is a first frame, any continuations, and FIN on the last.</summary>
public class WebSocketReceiverFragmentationTests
{
    private static readonly Received ProtocolError = Received.Error(CloseStatus.ProtocolError);

    [Theory]
    [InlineData("80 02 6c 6f")]
    [InlineData("00 02 6c 6f")]
    [InlineData("80 00")]
    public void Continuation_with_no_message_to_continue_fails_with_1002(string hex)
    {
        Assert.Equal([ProtocolError], ReceiverDriver.Client().Feed(Hex.Bytes(hex)));
    }

    [Fact]
    public void Continuation_after_a_message_has_ended_fails_with_1002()
    {
        Assert.Equal(
            [Received.Text("Hello"), ProtocolError],
            ReceiverDriver.Client().Feed(Hex.Bytes("81 05 48 65 6c 6c 6f 80 02 6c 6f")));
    }

    [Theory]
    [InlineData("81 02 6c 6f")] // text, final
    [InlineData("01 02 6c 6f")] // text, not final
    [InlineData("82 02 6c 6f")] // binary, final
    [InlineData("02 00")] // binary, not final
    public void New_data_message_starting_inside_a_fragmented_message_fails_with_1002(string hex)
    {
        var client = ReceiverDriver.Client();

        Assert.Empty(client.Feed(Hex.Bytes("01 03 48 65 6c")));
        Assert.Equal([ProtocolError], client.Feed(Hex.Bytes(hex)));
    }

    [Fact]
    public void Many_fragments_including_empty_ones_make_one_message()
    {
        byte[] wire = Hex.Bytes("01 00" + "00 01 48" + "00 00" + "00 02 65 6c" + "00 00" + "00 01 6c" + "80 01 6f");

        Assert.Equal([Received.Text("Hello")], ReceiverDriver.Client().Feed(wire));
    }

    [Fact]
    public void Many_fragments_fed_byte_by_byte_make_one_message()
    {
        byte[] wire = Hex.Bytes("02 00" + "00 01 01" + "00 00" + "00 02 02 03" + "80 00");

        var client = ReceiverDriver.Client();
        client.FeedByteByByte(wire);

        Assert.Equal([Received.Binary([0x01, 0x02, 0x03])], client.Events);
    }

    [Fact]
    public void Message_ending_with_an_empty_final_fragment_is_whole()
    {
        Assert.Equal([Received.Text("Hello")], ReceiverDriver.Client().Feed(Hex.Bytes("01 05 48 65 6c 6c 6f 80 00")));
    }

    [Theory]
    [InlineData("81 00", "Text")]
    [InlineData("82 00", "Binary")]
    [InlineData("01 00 80 00", "Text")]
    [InlineData("02 00 00 00 80 00", "Binary")]
    public void Message_of_0_bytes_is_reported(string hex, string type)
    {
        var client = ReceiverDriver.Client();

        Assert.Equal([Received.Message(Enum.Parse<Opcode>(type), [])], client.Feed(Hex.Bytes(hex)));
        Assert.Equal(0, client.Receiver.MessageLength);
    }

    [Fact]
    public void Message_type_comes_from_the_first_frame()
    {
        var client = ReceiverDriver.Client();

        client.Feed(Hex.Bytes("02 01 ff 80 01 fe"));

        Assert.Equal([Received.Binary([0xFF, 0xFE])], client.Events);
        Assert.Equal(Opcode.Binary, client.Receiver.MessageOpcode);
        Assert.Equal(2, client.Receiver.MessageLength);
    }

    [Fact]
    public void Messages_follow_one_another_in_one_read()
    {
        Assert.Equal(
            [Received.Text("a"), Received.Binary([0x62]), Received.Text("cd")],
            ReceiverDriver.Client().Feed(Hex.Bytes("81 01 61 82 01 62 01 01 63 80 01 64")));
    }

    [Fact]
    public void Receive_stops_at_each_message_end_and_reports_the_bytes_it_used()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });
        byte[] input = Hex.Bytes("81 01 61 82 01 62");
        byte[] output = new byte[8];

        Assert.Equal(ReceiveEvent.MessageEnd, receiver.Receive(input, output, out int consumed, out int written));
        Assert.Equal(3, consumed);
        Assert.Equal(1, written);
        Assert.Equal(0x61, output[0]);

        Assert.Equal(ReceiveEvent.MessageEnd, receiver.Receive(input.AsSpan(3), output, out consumed, out written));
        Assert.Equal(3, consumed);
        Assert.Equal(1, written);
        Assert.Equal(0x62, output[0]);
    }
}
