using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>RFC 6455 §8.1: text messages are UTF-8, checked as the bytes arrive; binary ones are not checked.</summary>
public class WebSocketReceiverUtf8Tests
{
    private static readonly Received InvalidPayload = Received.Error(CloseStatus.InvalidPayloadData);

    [Theory]
    [InlineData("81 02 C3 28")] // a two-byte lead followed by ASCII
    [InlineData("81 01 FF")] // never in UTF-8
    [InlineData("81 01 80")] // continuation with no lead
    [InlineData("81 02 C0 AF")] // overlong "/"
    [InlineData("81 03 ED A0 80")] // surrogate U+D800
    [InlineData("81 04 F4 90 80 80")] // above U+10FFFF
    [InlineData("81 07 48 65 6c 6c 6f FE 21")]
    public void Invalid_UTF8_in_a_text_message_fails_with_1007(string hex)
    {
        Assert.Equal([InvalidPayload], ReceiverDriver.Client().Feed(Hex.Bytes(hex)));
    }

    [Fact]
    public void Invalid_UTF8_fails_at_the_call_whose_bytes_make_it_invalid_before_the_frame_is_complete()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });
        byte[] output = new byte[64];

        // A text frame declaring 20 bytes; "He" is a valid start.
        Assert.Equal(ReceiveEvent.NeedMoreData, receiver.Receive(Hex.Bytes("81 14 48 65"), output, out _, out _));

        // ED A0 can only begin a surrogate: no later byte can make it valid, so fail now,
        // 16 bytes before the frame ends.
        Assert.Equal(ReceiveEvent.Error, receiver.Receive(Hex.Bytes("ED A0"), output, out _, out _));
        Assert.Equal(CloseStatus.InvalidPayloadData, receiver.ErrorStatus);
    }

    [Fact]
    public void Invalid_UTF8_in_the_first_bytes_of_a_frame_fails_in_the_same_call_as_the_header()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });

        Assert.Equal(ReceiveEvent.Error, receiver.Receive(Hex.Bytes("81 14 C0"), new byte[64], out _, out _));
        Assert.Equal(CloseStatus.InvalidPayloadData, receiver.ErrorStatus);
    }

    [Fact]
    public void Invalid_UTF8_in_a_masked_frame_fails_before_the_frame_is_complete()
    {
        var server = ReceiverDriver.Server();

        // 20 bytes declared under key 00 00 00 00; F4 90 is above U+10FFFF.
        Assert.Empty(server.Feed(Hex.Bytes("81 94 00 00 00 00 48")));
        Assert.Equal([InvalidPayload], server.Feed(Hex.Bytes("F4 90")));
    }

    [Fact]
    public void Invalid_UTF8_in_a_later_fragment_fails_before_that_fragment_is_complete()
    {
        var client = ReceiverDriver.Client();

        Assert.Empty(client.Feed(Hex.Bytes("01 02 48 69")));
        Assert.Equal([InvalidPayload], client.Feed(Hex.Bytes("80 0A 21 FF")));
    }

    [Fact]
    public void Code_point_split_across_two_fragments_is_valid()
    {
        // "é" is C3 A9.
        Assert.Equal([Received.Text("é")], ReceiverDriver.Client().Feed(Hex.Bytes("01 01 C3 80 01 A9")));
    }

    [Fact]
    public void Four_byte_code_point_split_across_four_fragments_with_a_ping_between_is_valid()
    {
        // U+1F600 is F0 9F 98 80.
        byte[] wire = Hex.Bytes("01 01 F0" + "00 01 9F" + "89 00" + "00 01 98" + "80 01 80");

        Assert.Equal([Received.Ping([]), Received.Text("\U0001F600")], ReceiverDriver.Client().Feed(wire));
    }

    [Fact]
    public void Code_point_split_across_reads_inside_one_frame_is_valid()
    {
        var client = ReceiverDriver.Client();

        Assert.Empty(client.Feed(Hex.Bytes("81 04 F0 9F")));
        Assert.Equal([Received.Text("\U0001F600")], client.Feed(Hex.Bytes("98 80")));
    }

    [Theory]
    [InlineData("81 01 C3")]
    [InlineData("81 03 48 69 E2")]
    [InlineData("81 03 F0 9F 98")]
    public void Text_ending_inside_a_code_point_fails_with_1007(string hex)
    {
        Assert.Equal([InvalidPayload], ReceiverDriver.Client().Feed(Hex.Bytes(hex)));
    }

    [Fact]
    public void Text_ending_inside_a_code_point_fails_with_1007_only_at_the_final_fragment()
    {
        var client = ReceiverDriver.Client();

        Assert.Empty(client.Feed(Hex.Bytes("01 01 C3")));
        Assert.Equal([InvalidPayload], client.Feed(Hex.Bytes("80 00")));
    }

    [Theory]
    [InlineData("82 02 C3 28")]
    [InlineData("82 01 FF")]
    [InlineData("82 03 ED A0 80")]
    [InlineData("82 01 C3")]
    [InlineData("02 01 C3 80 00")]
    public void Binary_message_is_never_validated_as_UTF8(string hex)
    {
        var client = ReceiverDriver.Client();

        client.Feed(Hex.Bytes(hex));

        Assert.Single(client.Events);
        Assert.Equal(ReceiveEvent.MessageEnd, client.Events[0].Event);
    }

    [Fact]
    public void Text_after_an_unfinished_binary_byte_sequence_starts_fresh()
    {
        Assert.Equal(
            [Received.Binary([0xC3]), Received.Text("A")],
            ReceiverDriver.Client().Feed(Hex.Bytes("82 01 C3 81 01 41")));
    }

    [Fact]
    public void Text_message_after_an_invalid_compressed_one_starts_fresh()
    {
        // With permessage-deflate the raw bytes are not text; they are validated after inflating.
        Assert.Equal(
            [Received.Message(Opcode.Text, [0xFF]), Received.Text("A")],
            ReceiverDriver.Client(allowedRsv: 4).Feed(Hex.Bytes("C1 01 FF 81 01 41")));
    }
}
