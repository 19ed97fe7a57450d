using Duplex.Protocol.Connection;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>RFC 6455 §5.5.1 and §7.4: the close frame's body, and what follows it.</summary>
public class WebSocketReceiverCloseTests
{
    private static readonly Received ProtocolError = Received.Error(CloseStatus.ProtocolError);

    [Fact]
    public void Close_with_an_empty_payload_has_no_code()
    {
        var client = ReceiverDriver.Client();

        Assert.Equal([Received.Close(null, string.Empty)], client.Feed(Hex.Bytes("88 00")));
        Assert.Null(client.Receiver.CloseCode);
        Assert.Equal(string.Empty, client.Receiver.CloseReason);
    }

    [Fact]
    public void Close_with_a_1_byte_payload_fails_with_1002()
    {
        Assert.Equal([ProtocolError], ReceiverDriver.Client().Feed(Hex.Bytes("88 01 03")));
    }

    [Theory]
    [InlineData("03 E8", 1000)]
    [InlineData("03 E9", 1001)]
    [InlineData("03 EA", 1002)]
    [InlineData("03 EB", 1003)]
    [InlineData("03 EF", 1007)]
    [InlineData("03 F0", 1008)]
    [InlineData("03 F1", 1009)]
    [InlineData("03 F2", 1010)]
    [InlineData("03 F3", 1011)]
    [InlineData("03 F4", 1012)]
    [InlineData("03 F5", 1013)]
    [InlineData("03 F6", 1014)]
    [InlineData("0B B8", 3000)]
    [InlineData("0F 9F", 3999)]
    [InlineData("0F A0", 4000)]
    [InlineData("13 87", 4999)]
    public void Close_code_that_may_be_sent_is_accepted(string code, int expected)
    {
        var client = ReceiverDriver.Client();

        Assert.Equal([Received.Close((ushort)expected, string.Empty)], client.Feed(Hex.Bytes("88 02 " + code)));
        Assert.Equal((ushort)expected, client.Receiver.CloseCode);
    }

    [Theory]
    [InlineData("00 00")] // 0
    [InlineData("03 E7")] // 999
    [InlineData("03 EC")] // 1004
    [InlineData("03 ED")] // 1005
    [InlineData("03 EE")] // 1006
    [InlineData("03 F7")] // 1015
    [InlineData("03 F8")] // 1016
    [InlineData("07 D0")] // 2000
    [InlineData("0B B7")] // 2999
    [InlineData("13 88")] // 5000
    [InlineData("FF FF")] // 65535
    public void Close_code_that_may_not_be_sent_fails_with_1002(string code)
    {
        Assert.Equal([ProtocolError], ReceiverDriver.Client().Feed(Hex.Bytes("88 02 " + code)));
    }

    [Theory]
    [InlineData("88 04 03 E8 C3 28")]
    [InlineData("88 03 03 E8 FF")]
    [InlineData("88 03 03 E8 C3")] // ends inside a code point
    [InlineData("88 05 03 E8 ED A0 80")] // a surrogate
    public void Close_reason_that_is_not_UTF8_fails_with_1007(string hex)
    {
        Assert.Equal([Received.Error(CloseStatus.InvalidPayloadData)], ReceiverDriver.Client().Feed(Hex.Bytes(hex)));
    }

    [Fact]
    public void Close_reason_is_returned()
    {
        var client = ReceiverDriver.Client();

        Assert.Equal([Received.Close(1000, "bye")], client.Feed(Hex.Bytes("88 05 03 E8 62 79 65")));
        Assert.Equal("bye", client.Receiver.CloseReason);
    }

    [Fact]
    public void Close_reason_of_123_bytes_fills_a_control_frame()
    {
        string reason = new('r', 123);

        Assert.Equal(
            [Received.Close(1001, reason)],
            ReceiverDriver.Client().Feed(Hex.Concat(Hex.Bytes("88 7D 03 E9"), System.Text.Encoding.UTF8.GetBytes(reason))));
    }

    [Fact]
    public void Masked_close_from_a_client_is_unmasked()
    {
        // 03 E8 "bye" under key 37 fa 21 3d.
        Assert.Equal([Received.Close(1000, "bye")], ReceiverDriver.Server().Feed(Hex.Bytes("88 85 37 fa 21 3d 34 12 43 44 52")));
    }

    [Fact]
    public void Close_is_received_between_fragments()
    {
        Assert.Equal(
            [Received.Close(1001, string.Empty)],
            ReceiverDriver.Client().Feed(Hex.Bytes("01 03 48 65 6c 88 02 03 E9 80 02 6c 6f")));
    }

    [Fact]
    public void Bytes_after_a_close_frame_are_discarded()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });
        byte[] input = Hex.Bytes("88 00 81 05 48 65 6c 6c 6f");
        byte[] output = new byte[16];

        Assert.Equal(ReceiveEvent.Close, receiver.Receive(input, output, out int consumed, out int written));
        Assert.Equal(2, consumed);
        Assert.Equal(0, written);

        Assert.Equal(ReceiveEvent.NeedMoreData, receiver.Receive(input.AsSpan(2), output, out consumed, out written));
        Assert.Equal(7, consumed);
        Assert.Equal(0, written);

        // Even bytes that would be a protocol error are only discarded.
        Assert.Equal(ReceiveEvent.NeedMoreData, receiver.Receive(Hex.Bytes("83 00"), output, out consumed, out written));
        Assert.Equal(2, consumed);
        Assert.Equal(0, written);
    }

    [Fact]
    public void Bytes_after_a_close_frame_produce_no_events()
    {
        Assert.Equal(
            [Received.Close(1000, string.Empty)],
            ReceiverDriver.Client().Feed(Hex.Bytes("88 02 03 E8 81 05 48 65 6c 6c 6f 89 00 C1 00")));
    }

    [Fact]
    public void Error_is_sticky()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });
        byte[] output = new byte[16];

        Assert.Equal(ReceiveEvent.Error, receiver.Receive(Hex.Bytes("88 01 03"), output, out _, out _));
        string message = receiver.ErrorMessage;

        // A valid frame afterwards changes nothing: it is neither consumed nor decoded.
        Assert.Equal(ReceiveEvent.Error, receiver.Receive(Hex.Bytes("81 05 48 65 6c 6c 6f"), output, out int consumed, out int written));
        Assert.Equal(0, consumed);
        Assert.Equal(0, written);
        Assert.Equal(CloseStatus.ProtocolError, receiver.ErrorStatus);
        Assert.Equal(message, receiver.ErrorMessage);

        Assert.Equal(ReceiveEvent.Error, receiver.Receive([], output, out _, out _));
    }

    [Fact]
    public void Error_status_stays_that_of_the_first_error()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client, MaxMessageSize = 4 });

        Assert.Equal(ReceiveEvent.Error, receiver.Receive(Hex.Bytes("81 02 C3 28"), new byte[16], out _, out _));
        Assert.Equal(ReceiveEvent.Error, receiver.Receive(Hex.Bytes("82 05"), new byte[16], out _, out _));
        Assert.Equal(CloseStatus.InvalidPayloadData, receiver.ErrorStatus);
    }
}
