namespace Duplex.Cli.Compare.Wire;

/// <summary>
/// Follows the streams of one HTTP/2 connection by its frame headers both ways (RFC 9113 §5.1),
/// without I/O and without decoding a header block: the requests the client opens, what it sends
/// on its streams, and which server responses are in flight (their HEADERS arrived without
/// END_STREAM, and neither END_STREAM nor RST_STREAM has ended them since).
/// </summary>
internal sealed class Http2Streams
{
    private readonly Http2FrameReader _up = new();
    private readonly Http2FrameReader _down = new();
    private readonly HashSet<int> _responding = [];
    private int _highestClientStream;

    /// <summary>HEADERS frames from the client that opened a stream.</summary>
    public long Requests { get; private set; }

    /// <summary>HEADERS and DATA frames from the client on a stream (CONTINUATION frames belong to their HEADERS).</summary>
    public long Transfers { get; private set; }

    /// <summary>Those sent while a server response on this connection was in flight.</summary>
    public long Overlapping { get; private set; }

    /// <summary>Whether the server's first frame was something other than SETTINGS (§3.4): it does not speak HTTP/2.</summary>
    public bool NotHttp2 { get; private set; }

    /// <summary>Whether a server response is in flight now.</summary>
    public bool InFlight => _responding.Count > 0;

    /// <summary>Takes client bytes after the connection preface.</summary>
    public void Up(ReadOnlySpan<byte> bytes)
    {
        while (_up.TryRead(ref bytes, out Http2FrameHeader frame))
        {
            if (frame.StreamId == 0)
            {
                continue;
            }

            switch (frame.Type)
            {
                case Http2FrameHeader.Headers:
                    if (frame.StreamId > _highestClientStream)
                    {
                        _highestClientStream = frame.StreamId;
                        Requests++;
                    }

                    Transfer();
                    break;
                case Http2FrameHeader.Data:
                    Transfer();
                    break;
                case Http2FrameHeader.RstStream:
                    _responding.Remove(frame.StreamId);
                    break;
            }
        }
    }

    /// <summary>Takes server bytes (from its first frame, SETTINGS).</summary>
    public void Down(ReadOnlySpan<byte> bytes)
    {
        while (!NotHttp2 && _down.TryRead(ref bytes, out Http2FrameHeader frame))
        {
            if (_down.Frames == 1 && frame.Type != Http2FrameHeader.Settings)
            {
                NotHttp2 = true;
                _responding.Clear();
                return;
            }

            if (frame.StreamId == 0)
            {
                continue;
            }

            if (frame.EndStream || frame.Type == Http2FrameHeader.RstStream)
            {
                _responding.Remove(frame.StreamId);
            }
            else if (frame.Type == Http2FrameHeader.Headers)
            {
                _responding.Add(frame.StreamId);
            }
        }
    }

    private void Transfer()
    {
        Transfers++;
        if (InFlight)
        {
            Overlapping++;
        }
    }
}
