namespace Duplex.Cli.Compare.Measure;

/// <summary>
/// Checks a workload's deliveries for loss, duplicates and order. A stream is one receiver and one
/// source (<c>"c3&lt;-c1:chat"</c>), numbered from 0; the messages due on it are told by
/// <see cref="Expect"/>, each delivery by <see cref="Record"/> in the order the application read
/// it. Thread-safe; the calls may come in any order.
/// </summary>
internal sealed class DeliveryChecker
{
    private readonly object _gate = new();
    private readonly Dictionary<string, StreamLog> _streams = new(StringComparer.Ordinal);

    /// <summary>Messages 0 to <paramref name="count"/> − 1 are due on <paramref name="stream"/> (told twice, the larger count holds).</summary>
    public void Expect(string stream, long count)
    {
        lock (_gate)
        {
            StreamLog log = Log(stream);
            log.Due = Math.Max(log.Due, count);
        }
    }

    /// <summary>Message <paramref name="sequence"/> of <paramref name="stream"/> was delivered.</summary>
    public void Record(string stream, long sequence)
    {
        lock (_gate)
        {
            StreamLog log = Log(stream);
            if (!log.Seen.Add(sequence))
            {
                log.Duplicated++;
                return;
            }

            if (sequence < log.Highest)
            {
                log.Reordered++;
            }

            log.Highest = Math.Max(log.Highest, sequence);
        }
    }

    /// <summary>Distinct deliveries of messages that were not due (a sequence past the count, or a stream never expected); not part of <see cref="Result"/>.</summary>
    public long Unexpected
    {
        get
        {
            lock (_gate)
            {
                return _streams.Values.Sum(log => log.Seen.Count - log.DeliveredDue);
            }
        }
    }

    /// <summary>
    /// Expected: the messages due. Delivered: those of them delivered (each once). Lost: due and
    /// never delivered. Duplicated: deliveries of a message already delivered. Reordered:
    /// deliveries (not duplicates) of a message numbered below one already delivered on its stream.
    /// </summary>
    public Integrity Result()
    {
        lock (_gate)
        {
            long expected = 0;
            long delivered = 0;
            long duplicated = 0;
            long reordered = 0;
            foreach (StreamLog log in _streams.Values)
            {
                expected += log.Due;
                delivered += log.DeliveredDue;
                duplicated += log.Duplicated;
                reordered += log.Reordered;
            }

            return new Integrity(expected, delivered, expected - delivered, duplicated, reordered);
        }
    }

    private StreamLog Log(string stream)
    {
        if (!_streams.TryGetValue(stream, out StreamLog? log))
        {
            log = new StreamLog();
            _streams[stream] = log;
        }

        return log;
    }

    private sealed class StreamLog
    {
        public HashSet<long> Seen { get; } = [];

        public long Due { get; set; }

        public long Highest { get; set; } = -1;

        public long Duplicated { get; set; }

        public long Reordered { get; set; }

        public long DeliveredDue => Seen.Count(sequence => sequence >= 0 && sequence < Due);
    }
}
