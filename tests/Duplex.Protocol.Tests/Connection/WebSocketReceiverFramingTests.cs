using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>RFC 6455 §5.1-§5.3: lengths, the RSV bits, opcodes and masking, checked by the receiver.</summary>
public class WebSocketReceiverFramingTests
{
    private static readonly Received ProtocolError = Received.Error(CloseStatus.ProtocolError);

    [Fact]
    public void Seven_bit_length_of_125_is_read()
    {
        byte[] payload = Hex.Counting(125);

        Assert.Equal([Received.Binary(payload)], ReceiverDriver.Client().Feed(Hex.Concat(Hex.Bytes("82 7D"), payload)));
    }

    [Fact]
    public void Sixteen_bit_length_of_126_is_read()
    {
        byte[] payload = Hex.Counting(126);

        Assert.Equal([Received.Binary(payload)], ReceiverDriver.Client().Feed(Hex.Concat(Hex.Bytes("82 7E 00 7E"), payload)));
    }

    [Fact]
    public void Sixteen_bit_length_of_65535_is_read()
    {
        byte[] payload = Hex.Counting(65535);

        Assert.Equal([Received.Binary(payload)], ReceiverDriver.Client().Feed(Hex.Concat(Hex.Bytes("82 7E FF FF"), payload)));
    }

    [Fact]
    public void Sixty_four_bit_length_of_65536_is_read()
    {
        byte[] payload = Hex.Counting(65536);

        Assert.Equal([Received.Binary(payload)], ReceiverDriver.Client().Feed(Hex.Concat(Hex.Bytes("82 7F 00 00 00 00 00 01 00 00"), payload)));
    }

    [Theory]
    [InlineData("81 7E 00 05 48 65 6c 6c 6f")]
    [InlineData("81 7F 00 00 00 00 00 00 00 05 48 65 6c 6c 6f")]
    public void Length_5_sent_in_a_longer_form_than_needed_is_accepted(string hex)
    {
        Assert.Equal([Received.Text("Hello")], ReceiverDriver.Client().Feed(Hex.Bytes(hex)));
    }

    [Fact]
    public void Masked_frame_with_a_non_minimal_16_bit_length_is_accepted()
    {
        // Key 00 00 00 00 leaves the payload as it is.
        Assert.Equal([Received.Text("Hello")], ReceiverDriver.Server().Feed(Hex.Bytes("81 FE 00 05 00 00 00 00 48 65 6c 6c 6f")));
    }

    [Theory]
    [InlineData("82 7F 80 00 00 00 00 00 00 00")]
    [InlineData("82 7F 80 00 00 00 00 00 00 05 01 02 03 04 05")]
    [InlineData("82 7F FF FF FF FF FF FF FF FF")]
    public void Sixty_four_bit_length_with_the_most_significant_bit_set_fails_with_1002(string hex)
    {
        Assert.Equal([ProtocolError], ReceiverDriver.Client().Feed(Hex.Bytes(hex)));
    }

    [Fact]
    public void Sixty_four_bit_length_with_the_most_significant_bit_set_fails_with_1002_when_the_header_arrives_byte_by_byte()
    {
        var client = ReceiverDriver.Client();

        client.FeedByteByByte(Hex.Bytes("82 7F 80 00 00 00 00 00 00 00"));

        Assert.Equal([ProtocolError], client.Events);
    }

    [Fact]
    public void Sixty_four_bit_length_with_the_most_significant_bit_set_split_across_calls_fails_with_1002_consuming_within_the_input()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });
        byte[] output = new byte[16];

        Assert.Equal(ReceiveEvent.NeedMoreData, receiver.Receive(Hex.Bytes("82 7F 80 00"), output, out int consumed, out _));
        Assert.Equal(4, consumed);

        Assert.Equal(ReceiveEvent.Error, receiver.Receive(Hex.Bytes("00 00 00 00 00 00"), output, out consumed, out int written));
        Assert.Equal(CloseStatus.ProtocolError, receiver.ErrorStatus);
        Assert.Equal(0, written);
        Assert.InRange(consumed, 0, 6);
    }

    [Fact]
    public void After_an_error_it_reports_failed_and_returns_the_error_again_without_input()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });
        Assert.False(receiver.Failed);

        // A reserved opcode (RFC 6455 §5.2: "the receiving endpoint MUST _Fail the WebSocket Connection_").
        Assert.Equal(ReceiveEvent.Error, receiver.Receive(Hex.Bytes("83 00"), [], out _, out _));

        Assert.True(receiver.Failed);
        Assert.Equal(ReceiveEvent.Error, receiver.Receive([], [], out int consumed, out _));
        Assert.Equal(0, consumed);
        Assert.Equal(CloseStatus.ProtocolError, receiver.ErrorStatus);
    }

    [Theory]
    [InlineData("82 7F 80 00 00 00 00 00 00 00", 1002)] // 64-bit length with the high bit set
    [InlineData("81 05 48 65 6c 6c 6f 82 7F 80 00 00 00 00 00 00 00", 1002)]
    [InlineData("83 7E 00 05 48 65 6c 6c 6f", 1002)] // reserved opcode
    [InlineData("C1 7E 00 05 48 65 6c 6c 6f", 1002)] // RSV1
    [InlineData("81 FE 00 05 00 00 00 00 48 65 6c 6c 6f", 1002)] // masked, to a client
    [InlineData("89 7E 00 7E", 1002)] // ping of 126 bytes
    [InlineData("80 7F 00 00 00 00 00 00 00 02 6c 6f", 1002)] // continuation with no message
    [InlineData("88 03 03 E8 FF", 1007)]
    [InlineData("81 05 48 65 6c C3 28", 1007)]
    [InlineData("82 7F 00 00 00 00 01 00 00 01", 1009)]
    public void Invalid_input_split_into_two_reads_at_every_point_fails_with_the_same_code(string hex, int code)
    {
        byte[] wire = Hex.Bytes(hex);

        for (int at = 0; at <= wire.Length; at++)
        {
            var client = ReceiverDriver.Client();
            client.Feed(wire.AsSpan(0, at));
            if (!client.Failed)
            {
                client.Feed(wire.AsSpan(at));
            }

            Assert.Equal(Received.Error((CloseStatus)code), client.Events[^1]);
        }
    }

    [Fact]
    public void Header_split_across_calls_at_every_byte_is_reassembled()
    {
        // The longest header: 64-bit length and a masking key (key 00 00 00 00 leaves "Hello" as is).
        byte[] wire = Hex.Bytes("81 FF 00 00 00 00 00 00 00 05 00 00 00 00 48 65 6c 6c 6f");

        var server = ReceiverDriver.Server();
        server.FeedByteByByte(wire);

        Assert.Equal([Received.Text("Hello")], server.Events);
    }

    [Fact]
    public void Header_split_in_three_reads_is_reassembled()
    {
        var server = ReceiverDriver.Server();

        Assert.Empty(server.Feed(Hex.Bytes("81")));
        Assert.Empty(server.Feed(Hex.Bytes("85 37 fa")));
        Assert.Equal([Received.Text("Hello")], server.Feed(Hex.Bytes("21 3d 7f 9f 4d 51 58")));
    }

    [Fact]
    public void Rest_of_a_split_header_arriving_with_the_next_frame_is_consumed_exactly()
    {
        var client = ReceiverDriver.Client();

        Assert.Empty(client.Feed(Hex.Bytes("82 7E 00")));
        Assert.Equal(
            [Received.Binary(Hex.Counting(3)), Received.Text("Hello")],
            client.Feed(Hex.Bytes("03 00 01 02 81 05 48 65 6c 6c 6f")));
    }

    [Theory]
    [InlineData("C1 05 48 65 6c 6c 6f")] // RSV1
    [InlineData("A1 05 48 65 6c 6c 6f")] // RSV2
    [InlineData("91 05 48 65 6c 6c 6f")] // RSV3
    [InlineData("F1 05 48 65 6c 6c 6f")]
    [InlineData("C2 00")]
    [InlineData("C9 00")]
    public void RSV_bit_set_without_a_negotiated_extension_fails_with_1002(string hex)
    {
        Assert.Equal([ProtocolError], ReceiverDriver.Client().Feed(Hex.Bytes(hex)));
    }

    [Fact]
    public void RSV1_on_the_first_frame_of_a_message_is_allowed_when_an_extension_defines_it()
    {
        // The payload is compressed data, so it is neither inflated nor validated here.
        var client = ReceiverDriver.Client(allowedRsv: 4);

        Assert.Equal([Received.Message(Opcode.Text, Hex.Bytes("F2 48 CD C9 C9 07 00"))], client.Feed(Hex.Bytes("C1 07 F2 48 CD C9 C9 07 00")));
        Assert.True(client.Receiver.MessageCompressed);
    }

    [Fact]
    public void RSV1_on_a_fragmented_message_is_on_its_first_frame_only()
    {
        var client = ReceiverDriver.Client(allowedRsv: 4);

        Assert.Empty(client.Feed(Hex.Bytes("41 01 F2")));
        Assert.True(client.Receiver.MessageCompressed);
        Assert.Equal([Received.Message(Opcode.Text, [0xF2, 0x48])], client.Feed(Hex.Bytes("80 01 48")));
        Assert.True(client.Receiver.MessageCompressed);
    }

    [Fact]
    public void Message_without_RSV1_is_not_compressed_after_one_that_was()
    {
        var client = ReceiverDriver.Client(allowedRsv: 4);

        client.Feed(Hex.Bytes("C2 01 00"));
        Assert.True(client.Receiver.MessageCompressed);
        Assert.Equal([Received.Text("Hi")], client.Feed(Hex.Bytes("81 02 48 69")));
        Assert.False(client.Receiver.MessageCompressed);
    }

    [Fact]
    public void RSV1_on_a_continuation_frame_fails_with_1002_even_when_an_extension_defines_it()
    {
        var client = ReceiverDriver.Client(allowedRsv: 4);

        Assert.Empty(client.Feed(Hex.Bytes("41 01 F2")));
        Assert.Equal([ProtocolError], client.Feed(Hex.Bytes("C0 01 48")));
    }

    [Theory]
    [InlineData("C9 00")] // ping
    [InlineData("CA 00")] // pong
    [InlineData("C8 00")] // close
    public void RSV1_on_a_control_frame_fails_with_1002_even_when_an_extension_defines_it(string hex)
    {
        Assert.Equal([ProtocolError], ReceiverDriver.Client(allowedRsv: 4).Feed(Hex.Bytes(hex)));
    }

    [Theory]
    [InlineData("A1 00")] // RSV2
    [InlineData("91 00")] // RSV3
    public void RSV2_or_RSV3_fails_with_1002_when_only_RSV1_is_defined(string hex)
    {
        Assert.Equal([ProtocolError], ReceiverDriver.Client(allowedRsv: 4).Feed(Hex.Bytes(hex)));
    }

    [Theory]
    [InlineData("83 00")]
    [InlineData("84 00")]
    [InlineData("85 00")]
    [InlineData("86 00")]
    [InlineData("87 00")]
    [InlineData("8B 00")]
    [InlineData("8C 00")]
    [InlineData("8D 00")]
    [InlineData("8E 00")]
    [InlineData("8F 00")]
    [InlineData("83 05 48 65 6c 6c 6f")]
    [InlineData("0B 00")]
    public void Reserved_opcode_fails_with_1002(string hex)
    {
        Assert.Equal([ProtocolError], ReceiverDriver.Client().Feed(Hex.Bytes(hex)));
    }

    [Fact]
    public void Reserved_opcode_inside_a_fragmented_message_fails_with_1002()
    {
        var client = ReceiverDriver.Client();

        Assert.Empty(client.Feed(Hex.Bytes("01 03 48 65 6c")));
        Assert.Equal([ProtocolError], client.Feed(Hex.Bytes("83 00")));
    }

    [Theory]
    [InlineData("81 05 48 65 6c 6c 6f")]
    [InlineData("89 00")]
    [InlineData("88 00")]
    public void Server_receiving_an_unmasked_frame_fails_with_1002(string hex)
    {
        Assert.Equal([ProtocolError], ReceiverDriver.Server().Feed(Hex.Bytes(hex)));
    }

    [Theory]
    [InlineData("81 85 37 fa 21 3d 7f 9f 4d 51 58")]
    [InlineData("89 80 37 fa 21 3d")]
    [InlineData("88 80 00 00 00 00")]
    public void Client_receiving_a_masked_frame_fails_with_1002(string hex)
    {
        Assert.Equal([ProtocolError], ReceiverDriver.Client().Feed(Hex.Bytes(hex)));
    }

    [Fact]
    public void Error_carries_a_message_for_a_person_to_read()
    {
        var client = ReceiverDriver.Client();

        client.Feed(Hex.Bytes("C1 00"));

        Assert.Equal(CloseStatus.ProtocolError, client.Receiver.ErrorStatus);
        Assert.Contains("RSV", client.Receiver.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_is_reported_at_the_header_before_the_payload_arrives()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });

        ReceiveEvent result = receiver.Receive(Hex.Bytes("83 05"), new byte[16], out int consumed, out int written);

        Assert.Equal(ReceiveEvent.Error, result);
        Assert.Equal(0, written);
        Assert.InRange(consumed, 0, 2);
    }
}
