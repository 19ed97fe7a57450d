using System.Buffers.Binary;

namespace Duplex.Protocol.Frames;

/// <summary>Encodes frame headers (RFC 6455 §5.2), always with the minimal length encoding.</summary>
public static class FrameHeaderWriter
{
    /// <summary>
    /// Writes the header of a frame into <paramref name="destination"/> (at least
    /// <see cref="FrameHeader.MaxSize"/> bytes, or exactly <see cref="FrameHeader.SizeOf"/>) and
    /// returns the number of bytes written.
    /// </summary>
    /// <param name="destination">Where the header goes.</param>
    /// <param name="fin">The FIN bit.</param>
    /// <param name="opcode">The opcode.</param>
    /// <param name="rsv">RSV1-3 as the bits 0x4, 0x2, 0x1.</param>
    /// <param name="payloadLength">The payload length; must not be negative.</param>
    /// <param name="maskKey">The masking key as on the wire read little-endian, or null for an unmasked frame.</param>
    public static int Write(Span<byte> destination, bool fin, Opcode opcode, byte rsv, long payloadLength, uint? maskKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        destination[0] = (byte)((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | ((byte)opcode & 0x0F));
        byte maskBit = maskKey.HasValue ? (byte)0x80 : (byte)0;
        int pos;
        if (payloadLength <= 125)
        {
            destination[1] = (byte)(maskBit | (byte)payloadLength);
            pos = 2;
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            pos = 4;
        }
        else
        {
            destination[1] = (byte)(maskBit | 127);
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
            pos = 10;
        }

        if (maskKey.HasValue)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[pos..], maskKey.Value);
            pos += 4;
        }

        return pos;
    }
}
