using System.Buffers;
using Duplex.Cli.Bench.Sessions;
using Duplex.Cli.Relay;

namespace Duplex.Cli.Compare.Wire;

/// <summary>
/// What crossed one TCP connection, from its bytes alone, fed each way in the order they crossed
/// (no I/O): the bytes, the protocol, the requests, and the client's application sends
/// ("upstream transfers") with those that went out while a server response on this same
/// connection was in flight — the evidence that a transport sends while it receives.
/// </summary>
/// <remarks>
/// An upstream transfer is each HTTP/1.1 request (its head read whole), each client read after a
/// 101 that carries bytes, or each HTTP/2 HEADERS or DATA frame from the client on a stream.
/// HTTP/2 is recognized by the client's connection preface (RFC 9113 §3.4), prior knowledge;
/// everything else is read as HTTP/1.1 until it is not. Not thread-safe: lock it while feeding or
/// reading (<see cref="TcpRelay{TObserver}"/> does while feeding).
/// </remarks>
internal sealed class WireTracker : IRelayObserver
{
    private const int MaxEarlyBytes = 64 * 1024;
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private readonly RequestCounter _requests;
    private readonly Http1Responses _responses;
    private readonly ArrayBufferWriter<byte> _start = new();
    private readonly ArrayBufferWriter<byte> _earlyDown = new();
    private readonly ArrayBufferWriter<byte> _awaitingUpgrade = new();
    private Http2Streams? _h2;
    private Mode _mode = Mode.Detecting;
    private long _http1Transfers;
    private long _http1Overlapping;

    public WireTracker()
    {
        _responses = new Http1Responses(UpgradeAnswered);
        _requests = new RequestCounter(_responses.Expect);
    }

    private enum Mode
    {
        Detecting,
        Http1,
        Http2,
        Unknown,
    }

    /// <summary>"http/1.1", "websocket" (after a 101), "h2" (the client preface seen), or "unknown" (nothing recognized yet, or not HTTP).</summary>
    public string Protocol => _mode switch
    {
        Mode.Http2 => _h2!.NotHttp2 ? "unknown" : "h2",
        Mode.Http1 when _responses.Switched => "websocket",
        Mode.Http1 when _requests.Requests > 0 => "http/1.1",
        _ => "unknown",
    };

    public long BytesUp { get; private set; }

    public long BytesDown { get; private set; }

    /// <summary>HTTP/1.1 request heads, and HTTP/2 HEADERS frames that opened a client stream (an upgrade or an extended CONNECT is one).</summary>
    public long Requests => _mode == Mode.Http2 ? _h2!.Requests : _requests.Requests;

    /// <summary>The client's application sends (see the remarks).</summary>
    public long UpstreamTransfers => _mode == Mode.Http2 ? _h2!.Transfers : _http1Transfers;

    /// <summary>Those that went out while a server response on this connection was in flight.</summary>
    public long OverlappingTransfers => _mode == Mode.Http2 ? _h2!.Overlapping : _http1Overlapping;

    /// <summary>Whether a server response is in flight now.</summary>
    public bool ResponseInFlight => _mode switch
    {
        Mode.Http1 => _responses.InFlight,
        Mode.Http2 => _h2!.InFlight,
        _ => false,
    };

    /// <summary>The HTTP/1.1 requests by kind (method and last path segment, as <see cref="RequestCounter.ByKind"/>).</summary>
    public IReadOnlyDictionary<string, long> RequestsByKind => _requests.ByKind;

    /// <summary>Bytes the client sent.</summary>
    public void Up(ReadOnlySpan<byte> bytes)
    {
        BytesUp += bytes.Length;
        switch (_mode)
        {
            case Mode.Detecting:
                Detect(bytes);
                break;
            case Mode.Http1:
                Http1Up(bytes);
                break;
            case Mode.Http2:
                _h2!.Up(bytes);
                break;
        }
    }

    /// <summary>Bytes the server sent.</summary>
    public void Down(ReadOnlySpan<byte> bytes)
    {
        BytesDown += bytes.Length;
        switch (_mode)
        {
            case Mode.Detecting:
                if (_earlyDown.WrittenCount + bytes.Length <= MaxEarlyBytes)
                {
                    _earlyDown.Write(bytes);
                }
                else
                {
                    _mode = Mode.Unknown;
                }

                break;
            case Mode.Http1:
                _responses.Feed(bytes);
                break;
            case Mode.Http2:
                _h2!.Down(bytes);
                break;
        }
    }

    /// <summary>Waits for enough of the client's first bytes to tell an HTTP/2 preface from anything else.</summary>
    private void Detect(ReadOnlySpan<byte> bytes)
    {
        int take = Math.Min(Preface.Length - _start.WrittenCount, bytes.Length);
        _start.Write(bytes[..take]);
        ReadOnlySpan<byte> start = _start.WrittenSpan;
        if (!Preface.AsSpan().StartsWith(start))
        {
            _mode = Mode.Http1;
            _responses.Feed(_earlyDown.WrittenSpan);
            Http1Up(start);
            Http1Up(bytes[take..]);
        }
        else if (start.Length == Preface.Length)
        {
            _mode = Mode.Http2;
            _h2 = new Http2Streams();
            _h2.Down(_earlyDown.WrittenSpan);
            _h2.Up(bytes[take..]);
        }
        else
        {
            return;
        }

        _earlyDown.Clear();
        _earlyDown.ResetWrittenCount();
    }

    private void Http1Up(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        if (_responses.Switched)
        {
            // After a 101 the whole connection is one response in flight: every send overlaps it.
            CountHttp1(1, overlapping: true);
            return;
        }

        if (_requests.Upgraded)
        {
            // An upgrade asked for and not yet answered: what the client sends now waits for the answer.
            _awaitingUpgrade.Write(bytes);
            return;
        }

        bool inFlight = _responses.InFlight;
        long before = _requests.Requests;
        int used = _requests.Feed(bytes);
        CountHttp1(_requests.Requests - before, inFlight);
        if (_requests.Upgraded && used < bytes.Length)
        {
            _awaitingUpgrade.Write(bytes[used..]);
        }
    }

    private void UpgradeAnswered(bool switched)
    {
        if (switched)
        {
            // Sent before the 101 came: one send, nothing in flight yet.
            CountHttp1(_awaitingUpgrade.WrittenCount > 0 ? 1 : 0, overlapping: false);
            _awaitingUpgrade.Clear();
            return;
        }

        _requests.Resume();
        byte[] waiting = _awaitingUpgrade.WrittenSpan.ToArray();
        _awaitingUpgrade.Clear();
        Http1Up(waiting);
    }

    private void CountHttp1(long transfers, bool overlapping)
    {
        _http1Transfers += transfers;
        if (overlapping)
        {
            _http1Overlapping += transfers;
        }
    }
}
