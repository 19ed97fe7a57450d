using System.Buffers;
using System.Buffers.Binary;

namespace Duplex.Protocol.Frames;

/// <summary>Decodes a frame header from bytes (RFC 6455 §5.2). It checks only what the encoding itself forbids.</summary>
public static class FrameHeaderReader
{
    /// <summary>
    /// Reads a header from the start of <paramref name="input"/>. Returns
    /// <see cref="OperationStatus.NeedMoreData"/> until the whole header is present, and
    /// <see cref="OperationStatus.InvalidData"/> when a 64-bit length has its most significant
    /// bit set (RFC 6455 §5.2: "the most significant bit MUST be 0"). Lengths need not be
    /// minimally encoded on input.
    /// </summary>
    public static OperationStatus TryRead(ReadOnlySpan<byte> input, out FrameHeader header, out int consumed)
    {
        header = default;
        consumed = 0;
        if (input.Length < 2)
        {
            return OperationStatus.NeedMoreData;
        }

        byte b0 = input[0];
        byte b1 = input[1];
        bool masked = (b1 & 0x80) != 0;
        int length7 = b1 & 0x7F;
        int size = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (input.Length < size)
        {
            return OperationStatus.NeedMoreData;
        }

        long length;
        int pos = 2;
        if (length7 == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(input[2..]);
            pos = 4;
        }
        else if (length7 == 127)
        {
            ulong wide = BinaryPrimitives.ReadUInt64BigEndian(input[2..]);
            if ((wide & 0x8000_0000_0000_0000UL) != 0)
            {
                return OperationStatus.InvalidData;
            }

            length = (long)wide;
            pos = 10;
        }
        else
        {
            length = length7;
        }

        uint key = masked ? BinaryPrimitives.ReadUInt32LittleEndian(input[pos..]) : 0;
        header = new FrameHeader(
            fin: (b0 & 0x80) != 0,
            opcode: (Opcode)(b0 & 0x0F),
            rsv: (byte)((b0 >> 4) & 0x7),
            masked: masked,
            maskKey: key,
            payloadLength: length);
        consumed = size;
        return OperationStatus.Done;
    }
}
