using System.Runtime.CompilerServices;

namespace Duplex.Protocol.Connection;

/// <summary>Room for a partly received frame header, kept inside the receiver rather than as an array of its own.</summary>
[InlineArray(Frames.FrameHeader.MaxSize)]
internal struct HeaderBytes
{
    private byte _element;
}

/// <summary>Room for a control frame's payload (at most 125 bytes, RFC 6455 §5.5).</summary>
[InlineArray(Frames.FrameHeader.MaxControlPayload)]
internal struct ControlBytes
{
    private byte _element;
}
