namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// One stream of numbered messages (one client's, in one direction) as its receiver checks it:
/// each number should be one more than the last. Lower or equal is a duplicate or a message out
/// of order; higher skips numbers (lost, or out of order if they come later). Not thread-safe:
/// a stream is read by one reader at a time (callers lock when they are not sure).
/// </summary>
/// <remarks>Shared with bench/SignalRAnchor (linked source).</remarks>
internal sealed class StreamCheck
{
    private long _last;

    /// <summary>Messages received in the window.</summary>
    public long Received { get; private set; }

    /// <summary>Messages whose number was not above the last one's (duplicates, or late).</summary>
    public long Duplicates { get; private set; }

    /// <summary>Times a number skipped ahead of the next one expected.</summary>
    public long Gaps { get; private set; }

    /// <summary>Takes message <paramref name="sequence"/>.</summary>
    public void Take(long sequence)
    {
        Received++;
        if (sequence <= _last)
        {
            Duplicates++;
            return;
        }

        if (sequence != _last + 1)
        {
            Gaps++;
        }

        _last = sequence;
    }

    /// <summary>Starts a new window: the counts go to zero, the last number seen stays (the stream goes on).</summary>
    public void ResetCounts()
    {
        Received = 0;
        Duplicates = 0;
        Gaps = 0;
    }
}
