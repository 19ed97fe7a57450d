using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>
/// Payload read straight into the message buffer: the input given to the receiver is the very
/// memory it writes to (at most the rest of the frame), and it is unmasked in place.
/// </summary>
public class WebSocketReceiverInPlaceTests
{
    [Theory]
    [InlineData(Opcode.Binary, 1)]
    [InlineData(Opcode.Binary, 7)]
    [InlineData(Opcode.Text, 3)]
    [InlineData(Opcode.Text, 1000)]
    public void Payload_aliased_with_the_output_is_unmasked_in_place(Opcode opcode, int piece)
    {
        byte[] payload = new byte[5000];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)('a' + (i % 26));
        }

        const uint key = 0x1F_2E_3D_4C;
        byte[] frame = new byte[FrameHeader.SizeOf(payload.Length, masked: true) + payload.Length];
        int header = FrameHeaderWriter.Write(frame, true, opcode, 0, payload.Length, key);
        Masking.Apply(payload, frame.AsSpan(header), key, 0);

        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Server });
        byte[] message = new byte[payload.Length];

        // The header (and the first few payload bytes) through the ordinary path.
        int first = header + 10;
        Assert.Equal(ReceiveEvent.NeedMoreData, receiver.Receive(frame.AsSpan(0, first), message, out int consumed, out int written));
        Assert.Equal(first, consumed);
        Assert.Equal(10, written);
        Assert.Equal(payload.Length - 10, receiver.FrameRemaining);

        // The rest "read from the socket" straight into the message buffer, a piece at a time.
        ReceiveEvent last = ReceiveEvent.NeedMoreData;
        while (written < payload.Length)
        {
            int take = (int)Math.Min(piece, receiver.FrameRemaining);
            Span<byte> landed = message.AsSpan(written, take);
            frame.AsSpan(header + written, take).CopyTo(landed);
            last = receiver.Receive(landed, landed, out consumed, out int count);
            Assert.Equal(take, consumed);
            Assert.Equal(take, count);
            written += count;
        }

        Assert.Equal(ReceiveEvent.MessageEnd, last);
        Assert.Equal(payload, message);
    }

    [Fact]
    public void Invalid_text_read_in_place_fails_the_connection()
    {
        byte[] payload = [0x61, 0x62, 0xC3, 0x28, 0x63, 0x64, 0x65, 0x66];
        const uint key = 0x01_02_03_04;
        byte[] frame = new byte[FrameHeader.SizeOf(payload.Length, masked: true) + payload.Length];
        int header = FrameHeaderWriter.Write(frame, true, Opcode.Text, 0, payload.Length, key);
        Masking.Apply(payload, frame.AsSpan(header), key, 0);

        var receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Server });
        byte[] message = new byte[payload.Length];
        Assert.Equal(ReceiveEvent.NeedMoreData, receiver.Receive(frame.AsSpan(0, header), message, out _, out _));

        Span<byte> landed = message.AsSpan(0, payload.Length);
        frame.AsSpan(header).CopyTo(landed);
        Assert.Equal(ReceiveEvent.Error, receiver.Receive(landed, landed, out _, out _));
        Assert.Equal(CloseStatus.InvalidPayloadData, receiver.ErrorStatus);
    }
}
