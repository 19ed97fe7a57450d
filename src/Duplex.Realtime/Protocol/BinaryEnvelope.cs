namespace Duplex.Realtime.Protocol;

/// <summary>
/// A binary message in a WebSocket binary frame (docs/PROTOCOL.md §3): the byte 0x6D, the
/// sequence number as an unsigned LEB128 varint (at most 8 bytes, since numbers stay below
/// 2^53), then the payload as it is.
/// </summary>
public static class BinaryEnvelope
{
    /// <summary>The first byte: <c>m</c>.</summary>
    public const byte Marker = (byte)'m';

    /// <summary>The most bytes a header (marker and varint) takes.</summary>
    public const int MaxHeaderSize = 1 + 8;

    /// <summary>The header's size for this sequence number.</summary>
    public static int HeaderSize(long sequence)
    {
        int size = 2;
        for (ulong rest = (ulong)sequence >> 7; rest != 0; rest >>= 7)
        {
            size++;
        }

        return size;
    }

    /// <summary>Writes the marker and the varint into <paramref name="destination"/>; returns how many bytes.</summary>
    public static int WriteHeader(Span<byte> destination, long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, Envelope.MaxNumber);
        destination[0] = Marker;
        int pos = 1;
        ulong value = (ulong)sequence;
        while (value >= 0x80)
        {
            destination[pos++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[pos++] = (byte)value;
        return pos;
    }

    /// <summary>Reads a binary message envelope; the payload is a slice of <paramref name="frame"/>.</summary>
    public static EnvelopeError TryRead(ReadOnlyMemory<byte> frame, out long sequence, out ReadOnlyMemory<byte> payload)
    {
        sequence = 0;
        payload = default;
        ReadOnlySpan<byte> span = frame.Span;
        if (span.IsEmpty || span[0] != Marker)
        {
            return EnvelopeError.InvalidBinaryEnvelope;
        }

        ulong value = 0;
        int shift = 0;
        int pos = 1;
        while (true)
        {
            if (pos >= span.Length || pos > MaxHeaderSize - 1)
            {
                return EnvelopeError.InvalidBinaryEnvelope;
            }

            byte b = span[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }

            shift += 7;
        }

        if (value is 0 or > Envelope.MaxNumber || pos != HeaderSize((long)value))
        {
            // Zero, out of range, or not in its shortest form (one number, one encoding).
            return EnvelopeError.InvalidBinaryEnvelope;
        }

        sequence = (long)value;
        payload = frame[pos..];
        return EnvelopeError.None;
    }
}
