using System.Buffers;
using Duplex.Protocol.Frames;
using Duplex.Protocol.Tests.Connection;

namespace Duplex.Protocol.Tests.Frames;

/// <summary>RFC 6455 §5.7: every example frame is produced byte for byte.</summary>
public class FrameWriterTests
{
    private static readonly uint RfcKey = Masking.ReadKey([0x37, 0xFA, 0x21, 0x3D]);

    private static byte[] Encode(Opcode opcode, bool fin, byte[] payload, uint? key, byte rsv = 0)
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.Write(output, opcode, fin, payload, key, rsv);
        Assert.Equal(FrameWriter.SizeOf(payload.Length, key.HasValue), output.WrittenCount);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Single_frame_unmasked_text_matches_section_5_7()
    {
        Assert.Equal(Hex.Bytes("81 05 48 65 6c 6c 6f"), Encode(Opcode.Text, true, "Hello"u8.ToArray(), null));
    }

    [Fact]
    public void Single_frame_masked_text_matches_section_5_7()
    {
        Assert.Equal(Hex.Bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58"), Encode(Opcode.Text, true, "Hello"u8.ToArray(), RfcKey));
    }

    [Fact]
    public void Fragmented_unmasked_text_matches_section_5_7()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.Write(output, Opcode.Text, fin: false, "Hel"u8, maskKey: null);
        FrameWriter.Write(output, Opcode.Continuation, fin: true, "lo"u8, maskKey: null);

        Assert.Equal(Hex.Bytes("01 03 48 65 6c 80 02 6c 6f"), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Unmasked_ping_matches_section_5_7()
    {
        Assert.Equal(Hex.Bytes("89 05 48 65 6c 6c 6f"), Encode(Opcode.Ping, true, "Hello"u8.ToArray(), null));
    }

    [Fact]
    public void Masked_pong_matches_section_5_7()
    {
        Assert.Equal(Hex.Bytes("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), Encode(Opcode.Pong, true, "Hello"u8.ToArray(), RfcKey));
    }

    [Fact]
    public void Binary_256_bytes_in_one_unmasked_frame_matches_section_5_7()
    {
        byte[] payload = Hex.Counting(256);

        Assert.Equal(Hex.Concat(Hex.Bytes("82 7E 01 00"), payload), Encode(Opcode.Binary, true, payload, null));
    }

    [Fact]
    public void Binary_64_KiB_in_one_unmasked_frame_matches_section_5_7()
    {
        byte[] payload = Hex.Counting(65536);

        Assert.Equal(Hex.Concat(Hex.Bytes("82 7F 00 00 00 00 00 01 00 00"), payload), Encode(Opcode.Binary, true, payload, null));
    }

    [Fact]
    public void Masking_does_not_change_the_callers_payload()
    {
        byte[] payload = "Hello"u8.ToArray();

        Encode(Opcode.Text, true, payload, RfcKey);

        Assert.Equal("Hello"u8.ToArray(), payload);
    }

    [Fact]
    public void Empty_masked_frame_is_header_and_key_only()
    {
        Assert.Equal(Hex.Bytes("88 80 37 fa 21 3d"), Encode(Opcode.Close, true, [], RfcKey));
    }

    [Fact]
    public void RSV1_is_written_when_asked_for()
    {
        Assert.Equal(Hex.Bytes("c1 01 00"), Encode(Opcode.Text, true, [0x00], null, rsv: 4));
    }

    [Fact]
    public void Masked_payload_crossing_the_vector_width_masks_every_octet_with_key_octet_i_mod_4()
    {
        byte[] payload = Hex.Counting(70);
        byte[] key = [0x37, 0xFA, 0x21, 0x3D];

        byte[] frame = Encode(Opcode.Binary, true, payload, RfcKey);

        Assert.Equal(Hex.Bytes("82 c6 37 fa 21 3d"), frame[..6]);
        for (int i = 0; i < payload.Length; i++)
        {
            Assert.Equal((byte)(payload[i] ^ key[i % 4]), frame[6 + i]);
        }
    }
}
