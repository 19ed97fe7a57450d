using System.Runtime.CompilerServices;

namespace Duplex.Protocol.Connection;

/// <summary>Room for a partly received frame header, kept inside the receiver rather than as an array of its own.</summary>
[InlineArray(Frames.FrameHeader.MaxSize)]
internal struct HeaderBytes
{
    private byte _element;
}
