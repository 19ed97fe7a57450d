using System.Buffers;

namespace Duplex.Realtime.Client;

/// <summary>What <see cref="ServerSentEventParser"/> found: an event, or a comment (a sign of life).</summary>
internal enum ServerSentEventKind
{
    /// <summary>An event with data, dispatched at its blank line.</summary>
    Event,

    /// <summary>A comment line (<c>: h</c>, the heartbeat).</summary>
    Comment,
}

/// <summary>One thing from an event stream: an event (type, data as UTF-8 bytes, the last event id) or a comment.</summary>
internal sealed record ServerSentEvent(ServerSentEventKind Kind, string Type, byte[] Data, string LastEventId, long? Retry);

/// <summary>
/// An incremental parser of text/event-stream (WHATWG HTML, "Server-sent events", interpreting
/// an event stream): lines end with CR LF, LF or CR (a CR at the end of one chunk and an LF at
/// the start of the next are one line end); a leading BOM is skipped; <c>data</c>, <c>event</c>,
/// <c>id</c> (ignored when it holds NUL) and <c>retry</c> (digits only) fields; comments; an
/// event dispatched at a blank line only when its data is not empty; a field without a colon
/// takes the whole line as its name. Lines and events are bounded so that a stream without line
/// ends cannot take unbounded memory. Not thread-safe.
/// </summary>
internal sealed class ServerSentEventParser
{
    private readonly int _maxLine;
    private readonly ArrayBufferWriter<byte> _line = new(256);
    private readonly ArrayBufferWriter<byte> _data = new(256);
    private bool _sawData;
    private string _eventType = string.Empty;
    private string _lastEventId = string.Empty;
    private long? _retry;
    private bool _afterCr;
    private int _bomState; // 0: at the start, 1..2: BOM bytes matched, 3: past it

    /// <summary>Creates a parser that refuses lines and events over <paramref name="maxLineBytes"/>.</summary>
    public ServerSentEventParser(int maxLineBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineBytes);
        _maxLine = maxLineBytes;
    }

    /// <summary>The last event id set by the stream (kept across events, as the standard says).</summary>
    public string LastEventId => _lastEventId;

    /// <summary>Parses the next bytes of the stream; what is complete goes to <paramref name="output"/>. Throws <see cref="InvalidDataException"/> past the bounds.</summary>
    public void Parse(ReadOnlySpan<byte> chunk, ICollection<ServerSentEvent> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int i = 0;
        while (_bomState < 3 && i < chunk.Length)
        {
            // The UTF-8 BOM EF BB BF, once, at the very start.
            ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
            if (chunk[i] == bom[_bomState])
            {
                _bomState++;
                i++;
                continue;
            }

            if (_bomState > 0)
            {
                // A partial BOM was really content: give its bytes back to the line.
                _line.Write(bom[.._bomState]);
            }

            _bomState = 3;
        }

        for (; i < chunk.Length; i++)
        {
            byte b = chunk[i];
            if (_afterCr)
            {
                _afterCr = false;
                if (b == (byte)'\n')
                {
                    continue;
                }
            }

            if (b is (byte)'\n' or (byte)'\r')
            {
                _afterCr = b == (byte)'\r';
                ProcessLine(_line.WrittenSpan, output);
                _line.ResetWrittenCount();
                continue;
            }

            // Copy the run up to the next line end at once.
            ReadOnlySpan<byte> rest = chunk[i..];
            int end = rest.IndexOfAny((byte)'\n', (byte)'\r');
            ReadOnlySpan<byte> run = end < 0 ? rest : rest[..end];
            if (_line.WrittenCount + run.Length > _maxLine)
            {
                throw new InvalidDataException($"An event-stream line is longer than {_maxLine} bytes.");
            }

            _line.Write(run);
            i += run.Length - 1;
        }
    }

    private void ProcessLine(ReadOnlySpan<byte> line, ICollection<ServerSentEvent> output)
    {
        if (line.IsEmpty)
        {
            Dispatch(output);
            return;
        }

        if (line[0] == (byte)':')
        {
            output.Add(new ServerSentEvent(ServerSentEventKind.Comment, string.Empty, [], _lastEventId, null));
            return;
        }

        int colon = line.IndexOf((byte)':');
        ReadOnlySpan<byte> name = colon < 0 ? line : line[..colon];
        ReadOnlySpan<byte> value = colon < 0 ? default : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (name.SequenceEqual("data"u8))
        {
            if (_data.WrittenCount + value.Length + 1 > _maxLine)
            {
                throw new InvalidDataException($"An event's data is longer than {_maxLine} bytes.");
            }

            if (_sawData)
            {
                _data.Write("\n"u8);
            }

            _data.Write(value);
            _sawData = true;
        }
        else if (name.SequenceEqual("event"u8))
        {
            _eventType = System.Text.Encoding.UTF8.GetString(value);
        }
        else if (name.SequenceEqual("id"u8))
        {
            if (!value.Contains((byte)0))
            {
                _lastEventId = System.Text.Encoding.UTF8.GetString(value);
            }
        }
        else if (name.SequenceEqual("retry"u8))
        {
            if (!value.IsEmpty && !value.ContainsAnyExceptInRange((byte)'0', (byte)'9') &&
                long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long retry))
            {
                _retry = retry;
            }
        }

        // Any other field is ignored.
    }

    private void Dispatch(ICollection<ServerSentEvent> output)
    {
        if (!_sawData)
        {
            // No data: the event is dropped (its type with it).
            _eventType = string.Empty;
            return;
        }

        output.Add(new ServerSentEvent(
            ServerSentEventKind.Event,
            _eventType.Length == 0 ? "message" : _eventType,
            _data.WrittenSpan.ToArray(),
            _lastEventId,
            _retry));
        _data.ResetWrittenCount();
        _sawData = false;
        _eventType = string.Empty;
    }
}
