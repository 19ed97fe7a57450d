namespace Duplex.Protocol.Frames;

/// <summary>
/// The fixed part of a frame (RFC 6455 §5.2): FIN, RSV1-3, opcode, the mask bit and key, and
/// the payload length. The payload itself is not part of the header.
/// </summary>
public readonly struct FrameHeader
{
    /// <summary>The largest header on the wire: 2 bytes, an 8-byte extended length and a 4-byte key.</summary>
    public const int MaxSize = 14;

    /// <summary>The largest payload of a control frame (RFC 6455 §5.5).</summary>
    public const int MaxControlPayload = 125;

    /// <summary>Creates a header.</summary>
    public FrameHeader(bool fin, Opcode opcode, byte rsv, bool masked, uint maskKey, long payloadLength)
    {
        Fin = fin;
        Opcode = opcode;
        Rsv = rsv;
        Masked = masked;
        MaskKey = maskKey;
        PayloadLength = payloadLength;
    }

    /// <summary>FIN: this is the final fragment of a message.</summary>
    public bool Fin { get; }

    /// <summary>The frame's opcode, as sent (it may be one RFC 6455 reserves).</summary>
    public Opcode Opcode { get; }

    /// <summary>RSV1, RSV2 and RSV3 as the bits 0x4, 0x2 and 0x1 (so RSV1 alone is 4).</summary>
    public byte Rsv { get; }

    /// <summary>RSV1: set by permessage-deflate (RFC 7692) on the first frame of a compressed message.</summary>
    public bool Rsv1 => (Rsv & 0x4) != 0;

    /// <summary>The MASK bit.</summary>
    public bool Masked { get; }

    /// <summary>The four key bytes as on the wire, read little-endian (key byte j is <c>(byte)(MaskKey &gt;&gt; 8*j)</c>).</summary>
    public uint MaskKey { get; }

    /// <summary>The payload length in bytes.</summary>
    public long PayloadLength { get; }

    /// <summary>Whether this is a control frame (close, ping, pong or a reserved control opcode).</summary>
    public bool IsControl => OpcodeRules.IsControl(Opcode);

    /// <summary>The number of bytes this header takes on the wire in its minimal encoding.</summary>
    public int EncodedSize => SizeOf(PayloadLength, Masked);

    /// <summary>The size of a minimally encoded header for a payload of this length.</summary>
    public static int SizeOf(long payloadLength, bool masked) =>
        (payloadLength <= 125 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10) + (masked ? 4 : 0);
}
