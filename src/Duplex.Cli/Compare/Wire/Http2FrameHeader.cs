namespace Duplex.Cli.Compare.Wire;

/// <summary>The 9-octet header of an HTTP/2 frame (RFC 9113 §4.1): what a frame is, without its payload.</summary>
internal readonly record struct Http2FrameHeader(int Length, byte Type, byte Flags, int StreamId)
{
    public const int Size = 9;

    public const byte Data = 0x0;
    public const byte Headers = 0x1;
    public const byte RstStream = 0x3;
    public const byte Settings = 0x4;
    public const byte Continuation = 0x9;

    /// <summary>END_STREAM, on DATA and HEADERS (§6.1, §6.2).</summary>
    public bool EndStream => (Type is Data or Headers) && (Flags & 0x1) != 0;

    /// <summary>END_HEADERS, on HEADERS and CONTINUATION (§6.2, §6.10).</summary>
    public bool EndHeaders => (Type is Headers or Continuation) && (Flags & 0x4) != 0;

    public static Http2FrameHeader Parse(ReadOnlySpan<byte> header) => new(
        (header[0] << 16) | (header[1] << 8) | header[2],
        header[3],
        header[4],
        ((header[5] & 0x7f) << 24) | (header[6] << 16) | (header[7] << 8) | header[8]);
}
