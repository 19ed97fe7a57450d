namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// One client of <c>duplex bench sessions</c>, whatever library it is (the Duplex
/// <c>RealtimeClient</c> or SignalR's <c>HubConnection</c>), pinned to one transport. Every text
/// message it receives goes to its <see cref="DownstreamCheck"/>; it sends through <see cref="IPushTarget"/>.
/// </summary>
internal interface IBenchClient : IPushTarget, IAsyncDisposable
{
    /// <summary>What it received.</summary>
    DownstreamCheck Received { get; }

    /// <summary>Sends that failed (counted, not thrown: one client's failure does not stop the run).</summary>
    long SendFailures { get; }

    /// <summary>Connects (negotiates and opens the transport).</summary>
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Ends the session politely.</summary>
    Task CloseAsync(CancellationToken cancellationToken);
}

/// <summary>What one client received: its stream's check and every message's age (µs) while recording.</summary>
internal sealed class DownstreamCheck
{
    private readonly StreamCheck _stream = new();
    private readonly LatencyRecorder _latency;
    private readonly int _index;
    private long _unreadable;

    public DownstreamCheck(LatencyRecorder latency, int index)
    {
        _latency = latency;
        _index = index;
    }

    /// <summary>Whether ages are recorded now (the measured window).</summary>
    public bool Recording { get; set; }

    public long Received
    {
        get
        {
            lock (_stream)
            {
                return _stream.Received;
            }
        }
    }

    public long Duplicates
    {
        get
        {
            lock (_stream)
            {
                return _stream.Duplicates;
            }
        }
    }

    public long Gaps
    {
        get
        {
            lock (_stream)
            {
                return _stream.Gaps;
            }
        }
    }

    public long Unreadable => Interlocked.Read(ref _unreadable);

    public void Take(ReadOnlySpan<byte> utf8)
    {
        if (SessionStamp.TryRead(utf8, out long sequence, out long age))
        {
            Take(sequence, age);
        }
        else
        {
            Interlocked.Increment(ref _unreadable);
        }
    }

    public void Take(ReadOnlySpan<char> text)
    {
        if (SessionStamp.TryRead(text, out long sequence, out long age))
        {
            Take(sequence, age);
        }
        else
        {
            Interlocked.Increment(ref _unreadable);
        }
    }

    /// <summary>Starts a window: counts to zero.</summary>
    public void ResetCounts()
    {
        lock (_stream)
        {
            _stream.ResetCounts();
        }

        Interlocked.Exchange(ref _unreadable, 0);
    }

    private void Take(long sequence, long age)
    {
        lock (_stream)
        {
            _stream.Take(sequence);
        }

        if (Recording)
        {
            _latency.RecordTicks(_index, BenchClock.FromSeconds(age / 1e6));
        }
    }
}
