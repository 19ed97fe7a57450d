using Duplex.Protocol.Connection;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>The receiver writes message data only into the room it is given, and resumes where it stopped.</summary>
public class WebSocketReceiverOutputTests
{
    [Fact]
    public void Data_frame_larger_than_the_output_yields_OutputFull_and_resumes_exactly()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });
        byte[] input = Hex.Bytes("82 0A 00 01 02 03 04 05 06 07 08 09");
        byte[] output = new byte[4];

        Assert.Equal(ReceiveEvent.OutputFull, receiver.Receive(input, output, out int consumed, out int written));
        Assert.Equal(6, consumed);
        Assert.Equal(4, written);
        Assert.Equal(Hex.Bytes("00 01 02 03"), output);

        Assert.Equal(ReceiveEvent.OutputFull, receiver.Receive(input.AsSpan(6), output, out consumed, out written));
        Assert.Equal(4, consumed);
        Assert.Equal(4, written);
        Assert.Equal(Hex.Bytes("04 05 06 07"), output);

        Assert.Equal(ReceiveEvent.MessageEnd, receiver.Receive(input.AsSpan(10), output, out consumed, out written));
        Assert.Equal(2, consumed);
        Assert.Equal(2, written);
        Assert.Equal(Hex.Bytes("08 09"), output[..2]);
    }

    [Fact]
    public void Masked_frame_larger_than_the_output_is_unmasked_across_OutputFull()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Server });
        byte[] input = Hex.Bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58");
        byte[] output = new byte[3];

        Assert.Equal(ReceiveEvent.OutputFull, receiver.Receive(input, output, out int consumed, out int written));
        Assert.Equal(9, consumed);
        Assert.Equal("Hel"u8.ToArray(), output[..written]);

        Assert.Equal(ReceiveEvent.MessageEnd, receiver.Receive(input.AsSpan(9), output, out consumed, out written));
        Assert.Equal(2, consumed);
        Assert.Equal("lo"u8.ToArray(), output[..written]);
    }

    [Fact]
    public void Output_of_one_byte_receives_a_masked_message_a_byte_at_a_time()
    {
        var server = new ReceiverDriver(new ReceiverOptions { Role = Role.Server }, outputSize: 1);

        Assert.Equal([Received.Text("Hello")], server.Feed(Hex.Bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58")));
        Assert.Equal(4, server.OutputFullCount);
    }

    [Fact]
    public void Empty_output_with_payload_waiting_yields_OutputFull_without_consuming_it()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });
        byte[] input = Hex.Bytes("81 05 48 65 6c 6c 6f");

        Assert.Equal(ReceiveEvent.OutputFull, receiver.Receive(input, [], out int consumed, out int written));
        Assert.Equal(2, consumed);
        Assert.Equal(0, written);

        byte[] output = new byte[8];
        Assert.Equal(ReceiveEvent.MessageEnd, receiver.Receive(input.AsSpan(2), output, out consumed, out written));
        Assert.Equal(5, consumed);
        Assert.Equal("Hello"u8.ToArray(), output[..written]);
    }

    [Fact]
    public void Output_filled_exactly_by_the_input_asks_for_more_data()
    {
        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Client });
        byte[] output = new byte[3];

        Assert.Equal(ReceiveEvent.NeedMoreData, receiver.Receive(Hex.Bytes("81 05 48 65 6c"), output, out int consumed, out int written));
        Assert.Equal(5, consumed);
        Assert.Equal(3, written);
    }

    [Fact]
    public void Frames_after_an_OutputFull_are_read_once_the_message_is_out()
    {
        var client = new ReceiverDriver(new ReceiverOptions { Role = Role.Client }, outputSize: 2);

        Assert.Equal(
            [Received.Text("Hello"), Received.Ping("hi"u8), Received.Binary([0x01, 0x02, 0x03])],
            client.Feed(Hex.Bytes("81 05 48 65 6c 6c 6f 89 02 68 69 82 03 01 02 03")));
    }

    [Fact]
    public void Invalid_UTF8_found_after_an_OutputFull_still_fails_with_1007()
    {
        var client = new ReceiverDriver(new ReceiverOptions { Role = Role.Client }, outputSize: 2);

        Assert.Equal([Received.Error(CloseStatus.InvalidPayloadData)], client.Feed(Hex.Bytes("81 05 48 65 6c C3 28")));
    }
}
