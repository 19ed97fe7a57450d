using System.Buffers;
using Duplex.Protocol.Frames;
using Duplex.Protocol.Tests.Connection;

namespace Duplex.Protocol.Tests.Frames;

/// <summary>RFC 6455 §5.2: the base framing protocol, decoded from bytes.</summary>
public class FrameHeaderReaderTests
{
    [Fact]
    public void Unmasked_Hello_header_from_section_5_7_decodes()
    {
        OperationStatus status = FrameHeaderReader.TryRead(Hex.Bytes("81 05 48 65 6c 6c 6f"), out FrameHeader header, out int consumed);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(2, consumed);
        Assert.True(header.Fin);
        Assert.Equal(Opcode.Text, header.Opcode);
        Assert.Equal(0, header.Rsv);
        Assert.False(header.Masked);
        Assert.Equal(0u, header.MaskKey);
        Assert.Equal(5, header.PayloadLength);
    }

    [Fact]
    public void Masked_Hello_header_from_section_5_7_decodes_with_the_key_in_wire_order()
    {
        OperationStatus status = FrameHeaderReader.TryRead(Hex.Bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58"), out FrameHeader header, out int consumed);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(6, consumed);
        Assert.True(header.Masked);
        Assert.Equal(0x3D21FA37u, header.MaskKey);
        Assert.Equal(5, header.PayloadLength);
    }

    [Fact]
    public void First_fragment_has_FIN_clear()
    {
        Assert.Equal(OperationStatus.Done, FrameHeaderReader.TryRead(Hex.Bytes("01 03 48 65 6c"), out FrameHeader first, out _));
        Assert.Equal(OperationStatus.Done, FrameHeaderReader.TryRead(Hex.Bytes("80 02 6c 6f"), out FrameHeader last, out _));

        Assert.False(first.Fin);
        Assert.Equal(Opcode.Text, first.Opcode);
        Assert.True(last.Fin);
        Assert.Equal(Opcode.Continuation, last.Opcode);
    }

    [Theory]
    [InlineData("82 00", 0, 2)]
    [InlineData("82 7D", 125, 2)]
    [InlineData("82 7E 00 7E", 126, 4)]
    [InlineData("82 7E 01 00", 256, 4)]
    [InlineData("82 7E FF FF", 65535, 4)]
    [InlineData("82 7F 00 00 00 00 00 01 00 00", 65536, 10)]
    [InlineData("82 7F 7F FF FF FF FF FF FF FF", long.MaxValue, 10)]
    public void Payload_length_is_read_in_its_7_16_or_64_bit_form(string hex, long length, int headerSize)
    {
        Assert.Equal(OperationStatus.Done, FrameHeaderReader.TryRead(Hex.Bytes(hex), out FrameHeader header, out int consumed));

        Assert.Equal(length, header.PayloadLength);
        Assert.Equal(headerSize, consumed);
    }

    [Theory]
    [InlineData("81 7E 00 05", 5, 4)]
    [InlineData("81 7E 00 00", 0, 4)]
    [InlineData("81 7F 00 00 00 00 00 00 00 05", 5, 10)]
    [InlineData("81 7F 00 00 00 00 00 00 01 00", 256, 10)]
    [InlineData("81 FE 00 05 01 02 03 04", 5, 8)]
    public void Non_minimal_length_encodings_are_accepted_on_input(string hex, long length, int headerSize)
    {
        Assert.Equal(OperationStatus.Done, FrameHeaderReader.TryRead(Hex.Bytes(hex), out FrameHeader header, out int consumed));

        Assert.Equal(length, header.PayloadLength);
        Assert.Equal(headerSize, consumed);
    }

    [Theory]
    [InlineData("82 7F 80 00 00 00 00 00 00 00")]
    [InlineData("82 7F FF FF FF FF FF FF FF FF")]
    [InlineData("82 FF 80 00 00 00 00 00 00 05 01 02 03 04")]
    public void Sixty_four_bit_length_with_the_most_significant_bit_set_is_invalid(string hex)
    {
        Assert.Equal(OperationStatus.InvalidData, FrameHeaderReader.TryRead(Hex.Bytes(hex), out _, out int consumed));
        Assert.Equal(0, consumed);
    }

    [Theory]
    [InlineData("81 05 48 65 6c 6c 6f")]
    [InlineData("81 85 37 fa 21 3d 7f 9f 4d 51 58")]
    [InlineData("82 7E 01 00")]
    [InlineData("82 FE 01 00 01 02 03 04")]
    [InlineData("82 7F 00 00 00 00 00 01 00 00")]
    [InlineData("82 FF 00 00 00 00 00 01 00 00 01 02 03 04")]
    public void Every_proper_prefix_of_a_header_needs_more_data(string hex)
    {
        byte[] bytes = Hex.Bytes(hex);
        Assert.Equal(OperationStatus.Done, FrameHeaderReader.TryRead(bytes, out _, out int size));

        for (int length = 0; length < size; length++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, FrameHeaderReader.TryRead(bytes.AsSpan(0, length), out _, out int consumed));
            Assert.Equal(0, consumed);
        }
    }

    [Theory]
    [InlineData("C1 00", 4)]
    [InlineData("A1 00", 2)]
    [InlineData("91 00", 1)]
    [InlineData("F1 00", 7)]
    public void RSV1_RSV2_RSV3_are_read_as_the_bits_4_2_1(string hex, byte rsv)
    {
        Assert.Equal(OperationStatus.Done, FrameHeaderReader.TryRead(Hex.Bytes(hex), out FrameHeader header, out _));

        Assert.Equal(rsv, header.Rsv);
        Assert.Equal((rsv & 4) != 0, header.Rsv1);
        Assert.Equal(Opcode.Text, header.Opcode);
    }

    [Theory]
    [InlineData("83 00", 0x3)]
    [InlineData("87 00", 0x7)]
    [InlineData("8B 00", 0xB)]
    [InlineData("8F 00", 0xF)]
    public void Reserved_opcodes_are_decoded_as_sent_for_the_receiver_to_reject(string hex, byte opcode)
    {
        Assert.Equal(OperationStatus.Done, FrameHeaderReader.TryRead(Hex.Bytes(hex), out FrameHeader header, out _));

        Assert.Equal((Opcode)opcode, header.Opcode);
        Assert.False(OpcodeRules.IsDefined(header.Opcode));
    }
}
