using Duplex.Protocol.Frames;
using Duplex.Protocol.Tests.Connection;

namespace Duplex.Protocol.Tests.Frames;

/// <summary>RFC 6455 §5.2: headers are written with the minimal length encoding.</summary>
public class FrameHeaderWriterTests
{
    private static readonly uint RfcKey = Masking.ReadKey([0x37, 0xFA, 0x21, 0x3D]);

    private static byte[] Write(bool fin, Opcode opcode, byte rsv, long length, uint? key)
    {
        byte[] buffer = new byte[FrameHeader.MaxSize];
        int written = FrameHeaderWriter.Write(buffer, fin, opcode, rsv, length, key);
        return buffer[..written];
    }

    [Fact]
    public void Unmasked_Hello_header_matches_section_5_7()
    {
        Assert.Equal(Hex.Bytes("81 05"), Write(true, Opcode.Text, 0, 5, null));
    }

    [Fact]
    public void Masked_Hello_header_matches_section_5_7()
    {
        Assert.Equal(Hex.Bytes("81 85 37 fa 21 3d"), Write(true, Opcode.Text, 0, 5, RfcKey));
    }

    [Fact]
    public void Fragmented_Hello_headers_match_section_5_7()
    {
        Assert.Equal(Hex.Bytes("01 03"), Write(false, Opcode.Text, 0, 3, null));
        Assert.Equal(Hex.Bytes("80 02"), Write(true, Opcode.Continuation, 0, 2, null));
    }

    [Fact]
    public void Ping_and_masked_pong_headers_match_section_5_7()
    {
        Assert.Equal(Hex.Bytes("89 05"), Write(true, Opcode.Ping, 0, 5, null));
        Assert.Equal(Hex.Bytes("8a 85 37 fa 21 3d"), Write(true, Opcode.Pong, 0, 5, RfcKey));
    }

    [Fact]
    public void Header_of_256_bytes_binary_matches_section_5_7()
    {
        Assert.Equal(Hex.Bytes("82 7E 01 00"), Write(true, Opcode.Binary, 0, 256, null));
    }

    [Fact]
    public void Header_of_64_KiB_binary_matches_section_5_7()
    {
        Assert.Equal(Hex.Bytes("82 7F 00 00 00 00 00 01 00 00"), Write(true, Opcode.Binary, 0, 65536, null));
    }

    [Theory]
    [InlineData(0, "82 00")]
    [InlineData(125, "82 7D")]
    [InlineData(126, "82 7E 00 7E")]
    [InlineData(65535, "82 7E FF FF")]
    [InlineData(65536, "82 7F 00 00 00 00 00 01 00 00")]
    [InlineData(long.MaxValue, "82 7F 7F FF FF FF FF FF FF FF")]
    public void Length_is_written_in_the_smallest_form_that_holds_it(long length, string hex)
    {
        Assert.Equal(Hex.Bytes(hex), Write(true, Opcode.Binary, 0, length, null));
    }

    [Theory]
    [InlineData(4, "C1 00")]
    [InlineData(2, "A1 00")]
    [InlineData(1, "91 00")]
    [InlineData(7, "F1 00")]
    public void RSV_bits_4_2_1_are_written_as_RSV1_RSV2_RSV3(byte rsv, string hex)
    {
        Assert.Equal(Hex.Bytes(hex), Write(true, Opcode.Text, rsv, 0, null));
    }

    [Fact]
    public void Negative_length_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Write(true, Opcode.Binary, 0, -1, null));
    }

    [Fact]
    public void Header_fits_exactly_a_destination_of_its_own_size()
    {
        byte[] exact = new byte[FrameHeader.SizeOf(300, masked: true)];

        int written = FrameHeaderWriter.Write(exact, true, Opcode.Binary, 0, 300, RfcKey);

        Assert.Equal(exact.Length, written);
        Assert.Equal(Hex.Bytes("82 FE 01 2C 37 fa 21 3d"), exact);
    }
}
