using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Frames;

/// <summary>RFC 6455 §5.2 header sizes and §5.5 control opcodes.</summary>
public class FrameHeaderTests
{
    [Theory]
    [InlineData(0, false, 2)]
    [InlineData(125, false, 2)]
    [InlineData(126, false, 4)]
    [InlineData(65535, false, 4)]
    [InlineData(65536, false, 10)]
    [InlineData(0, true, 6)]
    [InlineData(125, true, 6)]
    [InlineData(126, true, 8)]
    [InlineData(65536, true, 14)]
    public void Minimal_header_size_follows_the_7_16_64_bit_length_forms(long length, bool masked, int size)
    {
        Assert.Equal(size, FrameHeader.SizeOf(length, masked));
        Assert.Equal(size, new FrameHeader(true, Opcode.Binary, 0, masked, 0, length).EncodedSize);
    }

    [Theory]
    [InlineData(0x0, false)]
    [InlineData(0x1, false)]
    [InlineData(0x2, false)]
    [InlineData(0x7, false)]
    [InlineData(0x8, true)]
    [InlineData(0x9, true)]
    [InlineData(0xA, true)]
    [InlineData(0xF, true)]
    public void Control_frames_are_the_opcodes_with_the_high_bit_set(byte opcode, bool control)
    {
        Assert.Equal(control, OpcodeRules.IsControl((Opcode)opcode));
        Assert.Equal(control, new FrameHeader(true, (Opcode)opcode, 0, false, 0, 0).IsControl);
    }

    [Theory]
    [InlineData(0x0, true)]
    [InlineData(0x1, true)]
    [InlineData(0x2, true)]
    [InlineData(0x3, false)]
    [InlineData(0x4, false)]
    [InlineData(0x5, false)]
    [InlineData(0x6, false)]
    [InlineData(0x7, false)]
    [InlineData(0x8, true)]
    [InlineData(0x9, true)]
    [InlineData(0xA, true)]
    [InlineData(0xB, false)]
    [InlineData(0xC, false)]
    [InlineData(0xD, false)]
    [InlineData(0xE, false)]
    [InlineData(0xF, false)]
    public void Opcodes_3_to_7_and_B_to_F_are_reserved(byte opcode, bool defined)
    {
        Assert.Equal(defined, OpcodeRules.IsDefined((Opcode)opcode));
    }
}
