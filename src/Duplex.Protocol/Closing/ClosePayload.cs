using System.Buffers.Binary;
using System.Text;

namespace Duplex.Protocol.Closing;

/// <summary>Builds the body of a close frame (RFC 6455 §5.5.1): a 2-byte status code and a UTF-8 reason.</summary>
public static class ClosePayload
{
    /// <summary>The longest reason that fits a control frame: 125 bytes less the 2-byte code.</summary>
    public const int MaxReasonBytes = 123;

    /// <summary>
    /// Writes the status code and reason into <paramref name="destination"/> (at least 125 bytes)
    /// and returns the number of bytes written. A reason longer than 123 UTF-8 bytes is cut at a
    /// code-point boundary so that the frame stays a valid control frame.
    /// </summary>
    public static int Write(Span<byte> destination, ushort code, string? reason)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, code);
        if (string.IsNullOrEmpty(reason))
        {
            return 2;
        }

        int written = 0;
        Span<byte> room = destination.Slice(2, MaxReasonBytes);
        foreach (Rune rune in reason.EnumerateRunes())
        {
            if (!rune.TryEncodeToUtf8(room[written..], out int bytes))
            {
                break;
            }

            written += bytes;
        }

        return 2 + written;
    }
}
