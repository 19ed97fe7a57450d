using System.Buffers;

namespace Duplex.Protocol.Frames;

/// <summary>
/// Writes whole frames, header and payload (RFC 6455 §5.2), masking the payload when a key is
/// given: the one place frame bytes are assembled, for <see cref="Connection.WebSocketProtocol"/>,
/// for messages framed once for many connections, and for tests and benchmarks.
/// </summary>
public static class FrameWriter
{
    /// <summary>The number of bytes a frame with a payload of this length takes, masked (a client's) or not.</summary>
    public static int SizeOf(int payloadLength, bool masked) => FrameHeader.SizeOf(payloadLength, masked) + payloadLength;

    /// <summary>
    /// Writes one frame to the start of <paramref name="destination"/> (at least
    /// <see cref="SizeOf"/> bytes) and returns its length. With a <paramref name="maskKey"/> (a
    /// client's frames, RFC 6455 §5.3) the payload is masked as it is copied; the caller's
    /// payload is never changed.
    /// </summary>
    public static int Write(Span<byte> destination, bool fin, Opcode opcode, byte rsv, ReadOnlySpan<byte> payload, uint? maskKey)
    {
        int header = FrameHeaderWriter.Write(destination, fin, opcode, rsv, payload.Length, maskKey);
        Span<byte> body = destination.Slice(header, payload.Length);
        if (maskKey.HasValue)
        {
            Masking.Apply(payload, body, maskKey.Value, 0);
        }
        else
        {
            payload.CopyTo(body);
        }

        return header + payload.Length;
    }

    /// <summary>Writes one frame to <paramref name="output"/> (see <see cref="Write(Span{byte}, bool, Opcode, byte, ReadOnlySpan{byte}, uint?)"/>).</summary>
    public static void Write(IBufferWriter<byte> output, Opcode opcode, bool fin, ReadOnlySpan<byte> payload, uint? maskKey, byte rsv = 0)
    {
        ArgumentNullException.ThrowIfNull(output);
        int written = Write(output.GetSpan(SizeOf(payload.Length, maskKey.HasValue)), fin, opcode, rsv, payload, maskKey);
        output.Advance(written);
    }
}
