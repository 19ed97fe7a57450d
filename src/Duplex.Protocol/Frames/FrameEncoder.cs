using System.Buffers;

namespace Duplex.Protocol.Frames;

/// <summary>Writes whole frames (header and payload) to a buffer writer, masking the payload when a key is given.</summary>
public static class FrameEncoder
{
    /// <summary>
    /// Writes one frame. With a <paramref name="maskKey"/> (a client's frames, RFC 6455 §5.3)
    /// the payload is masked as it is copied; the caller's payload is never changed.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, Opcode opcode, bool fin, ReadOnlySpan<byte> payload, uint? maskKey, byte rsv = 0)
    {
        ArgumentNullException.ThrowIfNull(output);
        int headerSize = FrameHeader.SizeOf(payload.Length, maskKey.HasValue);
        Span<byte> span = output.GetSpan(headerSize + payload.Length);
        int written = FrameHeaderWriter.Write(span, fin, opcode, rsv, payload.Length, maskKey);
        if (maskKey.HasValue)
        {
            Masking.Apply(payload, span.Slice(written, payload.Length), maskKey.Value, 0);
        }
        else
        {
            payload.CopyTo(span[written..]);
        }

        output.Advance(written + payload.Length);
    }

    /// <summary>The number of bytes <see cref="Write"/> produces for a payload of this length.</summary>
    public static int SizeOf(int payloadLength, bool masked) => FrameHeader.SizeOf(payloadLength, masked) + payloadLength;
}
