using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Connection;

/// <summary>
/// How the payload of a frame begun with <see cref="WebSocketProtocol.BeginDataFrame"/> goes on
/// the wire after its header: as it is (a server's frames), or masked with the frame's key
/// (a client's, RFC 6455 §5.3), piece by piece, the key's position carried from piece to piece.
/// </summary>
public struct PayloadMask
{
    private readonly uint _key;
    private int _offset;

    internal PayloadMask(uint? key)
    {
        IsMasked = key.HasValue;
        _key = key.GetValueOrDefault();
    }

    /// <summary>Whether the payload must be masked (false: write it as it is, from the caller's memory).</summary>
    public bool IsMasked { get; }

    /// <summary>Masks the next piece of the payload from <paramref name="source"/> into <paramref name="destination"/> (same length).</summary>
    public void Apply(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (!IsMasked)
        {
            throw new InvalidOperationException("This frame's payload is not masked: write it as it is.");
        }

        Masking.Apply(source, destination, _key, _offset);
        _offset = (_offset + source.Length) & 3;
    }
}
