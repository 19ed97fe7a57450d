namespace Duplex.Cli.Compare.Wire;

/// <summary>
/// Reads the frame headers of one direction of an HTTP/2 connection from bytes that arrive in
/// pieces of any size, without I/O, skipping the payloads (RFC 9113 §4.1).
/// </summary>
internal sealed class Http2FrameReader
{
    private readonly byte[] _header = new byte[Http2FrameHeader.Size];
    private int _have;
    private long _skip;

    /// <summary>Frame headers read whole so far.</summary>
    public long Frames { get; private set; }

    /// <summary>Reads on through <paramref name="bytes"/> to the end of the next frame header; false when the bytes ran out first.</summary>
    public bool TryRead(ref ReadOnlySpan<byte> bytes, out Http2FrameHeader frame)
    {
        int skip = (int)Math.Min(_skip, bytes.Length);
        _skip -= skip;
        bytes = bytes[skip..];
        int take = Math.Min(Http2FrameHeader.Size - _have, bytes.Length);
        bytes[..take].CopyTo(_header.AsSpan(_have));
        bytes = bytes[take..];
        _have += take;
        if (_have < Http2FrameHeader.Size)
        {
            frame = default;
            return false;
        }

        _have = 0;
        frame = Http2FrameHeader.Parse(_header);
        _skip = frame.Length;
        Frames++;
        return true;
    }
}
