using System.Buffers;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>
/// RFC 6455 §5.7, every example: unmasked frames travel server to client (so a client decodes
/// them), masked frames client to server (so a server decodes them). Each is also encoded back.
/// </summary>
public class WebSocketReceiverExampleTests
{
    private static readonly uint RfcKey = Masking.ReadKey([0x37, 0xFA, 0x21, 0x3D]);

    private static byte[] Encode(params (Opcode Opcode, bool Fin, byte[] Payload, uint? Key)[] frames)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach ((Opcode opcode, bool fin, byte[] payload, uint? key) in frames)
        {
            FrameWriter.Write(output, opcode, fin, payload, key);
        }

        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Single_frame_unmasked_text_Hello_is_decoded_by_a_client()
    {
        byte[] wire = Hex.Bytes("81 05 48 65 6c 6c 6f");

        Assert.Equal([Received.Text("Hello")], ReceiverDriver.Client().Feed(wire));
        Assert.Equal(wire, Encode((Opcode.Text, true, "Hello"u8.ToArray(), null)));
    }

    [Fact]
    public void Single_frame_masked_text_Hello_is_decoded_by_a_server()
    {
        byte[] wire = Hex.Bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58");

        Assert.Equal([Received.Text("Hello")], ReceiverDriver.Server().Feed(wire));
        Assert.Equal(wire, Encode((Opcode.Text, true, "Hello"u8.ToArray(), RfcKey)));
    }

    [Fact]
    public void Fragmented_unmasked_text_Hel_lo_is_decoded_as_one_message()
    {
        byte[] wire = Hex.Bytes("01 03 48 65 6c 80 02 6c 6f");

        Assert.Equal([Received.Text("Hello")], ReceiverDriver.Client().Feed(wire));
        Assert.Equal(wire, Encode((Opcode.Text, false, "Hel"u8.ToArray(), null), (Opcode.Continuation, true, "lo"u8.ToArray(), null)));
    }

    [Fact]
    public void Fragmented_unmasked_text_Hel_lo_in_two_reads_ends_only_at_the_final_fragment()
    {
        var client = ReceiverDriver.Client();

        Assert.Empty(client.Feed(Hex.Bytes("01 03 48 65 6c")));
        Assert.True(client.Receiver.InMessage);
        Assert.Equal([Received.Text("Hello")], client.Feed(Hex.Bytes("80 02 6c 6f")));
        Assert.False(client.Receiver.InMessage);
    }

    [Fact]
    public void Unmasked_ping_Hello_is_decoded_by_a_client()
    {
        byte[] wire = Hex.Bytes("89 05 48 65 6c 6c 6f");

        Assert.Equal([Received.Ping("Hello"u8)], ReceiverDriver.Client().Feed(wire));
        Assert.Equal(wire, Encode((Opcode.Ping, true, "Hello"u8.ToArray(), null)));
    }

    [Fact]
    public void Masked_pong_Hello_is_decoded_by_a_server()
    {
        byte[] wire = Hex.Bytes("8a 85 37 fa 21 3d 7f 9f 4d 51 58");

        Assert.Equal([Received.Pong("Hello"u8)], ReceiverDriver.Server().Feed(wire));
        Assert.Equal(wire, Encode((Opcode.Pong, true, "Hello"u8.ToArray(), RfcKey)));
    }

    [Fact]
    public void Binary_256_bytes_in_one_unmasked_frame_with_a_16_bit_length_is_decoded()
    {
        byte[] payload = Hex.Counting(256);
        byte[] wire = Hex.Concat(Hex.Bytes("82 7E 01 00"), payload);

        Assert.Equal([Received.Binary(payload)], ReceiverDriver.Client().Feed(wire));
        Assert.Equal(wire, Encode((Opcode.Binary, true, payload, null)));
    }

    [Fact]
    public void Binary_64_KiB_in_one_unmasked_frame_with_a_64_bit_length_is_decoded()
    {
        byte[] payload = Hex.Counting(65536);
        byte[] wire = Hex.Concat(Hex.Bytes("82 7F 00 00 00 00 00 01 00 00"), payload);

        Assert.Equal([Received.Binary(payload)], ReceiverDriver.Client().Feed(wire));
        Assert.Equal(wire, Encode((Opcode.Binary, true, payload, null)));
    }

    [Fact]
    public void Every_section_5_7_example_in_one_stream_split_at_every_byte_decodes_the_same()
    {
        byte[] wire = Hex.Bytes("81 05 48 65 6c 6c 6f" + "01 03 48 65 6c" + "89 05 48 65 6c 6c 6f" + "80 02 6c 6f");
        Received[] expected = [Received.Text("Hello"), Received.Ping("Hello"u8), Received.Text("Hello")];

        for (int at = 0; at <= wire.Length; at++)
        {
            var client = ReceiverDriver.Client();
            client.Feed(wire.AsSpan(0, at));
            client.Feed(wire.AsSpan(at));
            Assert.Equal(expected, client.Events);
        }
    }
}
