using System.Diagnostics;

namespace Duplex.Realtime.Channels;

/// <summary>
/// One channel's numbered stream and its bounded history, without I/O (docs/PROTOCOL.md §10):
/// numbers publications 1, 2, 3, … within its epoch, keeps the latest ones up to a count and an
/// age, and plans every (re)subscription — resumed, gap, reset or new — so that nothing is ever
/// skipped silently. Not thread-safe: the channel holds its lock around it.
/// </summary>
public sealed class ChannelHistory
{
    private readonly List<ChannelPublication> _kept = [];
    private readonly int _maxCount;
    private readonly TimeSpan _maxAge;
    private int _head;

    /// <summary>Creates an empty stream named <paramref name="epoch"/>, keeping at most <paramref name="maxCount"/> publications for at most <paramref name="maxAge"/>.</summary>
    public ChannelHistory(string epoch, int maxCount, TimeSpan maxAge)
    {
        ArgumentException.ThrowIfNullOrEmpty(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxAge, TimeSpan.Zero);
        Epoch = epoch;
        _maxCount = maxCount;
        _maxAge = maxAge;
    }

    /// <summary>The stream's epoch.</summary>
    public string Epoch { get; }

    /// <summary>The number of the latest publication (0: none yet).</summary>
    public long Latest { get; private set; }

    /// <summary>Publications kept.</summary>
    public int Count => _kept.Count - _head;

    /// <summary>The number of the oldest publication kept; <see cref="Latest"/> + 1 when none is kept.</summary>
    public long Oldest => Count == 0 ? Latest + 1 : _kept[_head].Sequence;

    /// <summary>Numbers a publication, keeps it (dropping the oldest beyond the count), and returns it.</summary>
    public ChannelPublication Append(MessageType type, ReadOnlyMemory<byte> payload, string? publisher, DateTimeOffset now)
    {
        var publication = new ChannelPublication(++Latest, type, payload, publisher, now);
        if (_maxCount > 0)
        {
            _kept.Add(publication);
            while (Count > _maxCount)
            {
                DropOldest();
            }
        }

        Trim(now);
        return publication;
    }

    /// <summary>Drops the publications older than the age limit at <paramref name="now"/>.</summary>
    public void Trim(DateTimeOffset now)
    {
        while (Count > 0 && now - _kept[_head].PublishedAt > _maxAge)
        {
            DropOldest();
        }
    }

    /// <summary>
    /// Plans a subscription: from <paramref name="from"/> (null: a new subscriber), with at most
    /// <paramref name="latest"/> of the latest publications where the result allows them (null:
    /// none for a new subscriber, all kept after a reset).
    /// </summary>
    public SubscribePlan Plan(ChannelCursor? from, int? latest, DateTimeOffset now)
    {
        Trim(now);
        if (from is not { } cursor)
        {
            return new SubscribePlan(SubscribeResult.New, Epoch, Latest, 0, 0, Last(latest ?? 0));
        }

        if (!string.Equals(cursor.Epoch, Epoch, StringComparison.Ordinal) || cursor.Sequence > Latest || cursor.Sequence < 0)
        {
            // Numbers of another stream (or past this one's end: never given out here) mean nothing now.
            return new SubscribePlan(SubscribeResult.Reset, Epoch, Latest, 0, 0, Last(latest ?? Count));
        }

        if (cursor.Sequence >= Oldest - 1)
        {
            return new SubscribePlan(SubscribeResult.Resumed, Epoch, Latest, 0, 0, After(cursor.Sequence));
        }

        return new SubscribePlan(SubscribeResult.Gap, Epoch, Latest, cursor.Sequence + 1, Oldest - 1, After(Oldest - 1));
    }

    private ChannelPublication[] Last(int count)
    {
        int n = Math.Clamp(count, 0, Count);
        return _kept.GetRange(_kept.Count - n, n).ToArray();
    }

    private ChannelPublication[] After(long sequence)
    {
        int skip = (int)Math.Max(0, sequence - Oldest + 1);
        int n = Count - skip;
        Debug.Assert(n >= 0, "A resume point inside the kept range.");
        return _kept.GetRange(_head + skip, n).ToArray();
    }

    private void DropOldest()
    {
        _kept[_head] = null!;
        _head++;
        if (_head > 64 && _head * 2 > _kept.Count)
        {
            _kept.RemoveRange(0, _head);
            _head = 0;
        }
    }
}
