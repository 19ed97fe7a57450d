using Duplex.Protocol.Connection;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>RFC 6455 §10.4: a message larger than the limit fails with 1009 at the header that crosses it.</summary>
public class WebSocketReceiverMessageSizeTests
{
    private static readonly Received TooBig = Received.Error(CloseStatus.MessageTooBig);

    [Theory]
    [InlineData("81 0B")] // 11 bytes, 7-bit length
    [InlineData("82 7E 00 0B")] // 11 bytes, 16-bit length
    [InlineData("82 7F 00 00 00 01 00 00 00 00")] // 4 GiB
    [InlineData("82 7F 7F FF FF FF FF FF FF FF")]
    public void Frame_header_declaring_more_than_MaxMessageSize_fails_with_1009_before_any_payload(string header)
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client, MaxMessageSize = 10 });

        Assert.Equal(ReceiveEvent.Error, receiver.Receive(Hex.Bytes(header), new byte[64], out _, out int written));
        Assert.Equal(CloseStatus.MessageTooBig, receiver.ErrorStatus);
        Assert.Equal(0, written);
    }

    [Fact]
    public void Frame_header_declaring_more_than_the_default_16_MiB_fails_with_1009()
    {
        // 16 MiB + 1 = 0x01000001.
        Assert.Equal([TooBig], new ReceiverDriver(new ReceiverOptions { Role = Role.Client }).Feed(Hex.Bytes("82 7F 00 00 00 00 01 00 00 01")));
    }

    [Fact]
    public void Message_of_exactly_MaxMessageSize_is_accepted()
    {
        Assert.Equal(
            [Received.Binary(Hex.Counting(10))],
            ReceiverDriver.Client(maxMessageSize: 10).Feed(Hex.Bytes("82 0A 00 01 02 03 04 05 06 07 08 09")));
    }

    [Fact]
    public void Fragments_summing_past_MaxMessageSize_fail_with_1009_at_the_header_of_the_fragment_that_crosses_it()
    {
        var client = ReceiverDriver.Client(maxMessageSize: 10);

        Assert.Empty(client.Feed(Hex.Bytes("02 06 00 01 02 03 04 05")));
        Assert.Empty(client.Feed(Hex.Bytes("00 00")));
        // 6 + 5 = 11: the header alone is refused.
        Assert.Equal([TooBig], client.Feed(Hex.Bytes("80 05")));
    }

    [Fact]
    public void Fragments_summing_to_exactly_MaxMessageSize_are_accepted()
    {
        Assert.Equal(
            [Received.Binary(Hex.Counting(10))],
            ReceiverDriver.Client(maxMessageSize: 10).Feed(Hex.Bytes("02 06 00 01 02 03 04 05 00 00 80 04 06 07 08 09")));
    }

    [Fact]
    public void Limit_applies_to_each_message_not_to_the_connection()
    {
        Assert.Equal(
            [Received.Binary(Hex.Counting(8)), Received.Binary(Hex.Counting(8))],
            ReceiverDriver.Client(maxMessageSize: 10).Feed(Hex.Bytes("82 08 00 01 02 03 04 05 06 07 82 08 00 01 02 03 04 05 06 07")));
    }

    [Fact]
    public void Control_frames_between_fragments_do_not_count_towards_the_message()
    {
        Assert.Equal(
            [Received.Ping(Hex.Counting(5)), Received.Binary(Hex.Counting(10))],
            ReceiverDriver.Client(maxMessageSize: 10).Feed(Hex.Bytes("02 06 00 01 02 03 04 05 89 05 00 01 02 03 04 80 04 06 07 08 09")));
    }
}
