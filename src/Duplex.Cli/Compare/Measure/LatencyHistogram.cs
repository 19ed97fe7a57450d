using Duplex.Cli.Bench;
using HdrHistogram;

namespace Duplex.Cli.Compare.Measure;

/// <summary>
/// Latencies in microseconds in an HDR histogram (3 significant digits, up to 60 s, as
/// <see cref="LatencyRecorder"/>; longer values are recorded as 60 s), summarized in milliseconds.
/// A negative latency (the two clocks disagree by more than it) is recorded as 0 and counted in
/// <see cref="Skewed"/>. Thread-safe.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>The percentiles of <see cref="LatencySummary.Distribution"/>.</summary>
    public static readonly IReadOnlyList<double> DistributionPercentiles = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.9, 100];

    private readonly LongHistogram _histogram = LatencyRecorder.NewHistogram();
    private long _skewed;

    /// <summary>Values recorded.</summary>
    public long Count
    {
        get
        {
            lock (_histogram)
            {
                return _histogram.TotalCount;
            }
        }
    }

    /// <summary>Values that were negative (recorded as 0).</summary>
    public long Skewed => Interlocked.Read(ref _skewed);

    public void RecordMicroseconds(long value)
    {
        if (value < 0)
        {
            Interlocked.Increment(ref _skewed);
        }

        long clamped = Math.Clamp(value, 0, LatencyRecorder.HighestMicroseconds);
        lock (_histogram)
        {
            _histogram.RecordValue(clamped);
        }
    }

    /// <summary>Adds every value of <paramref name="other"/> (its skewed count too).</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            throw new ArgumentException("A histogram cannot be added to itself.", nameof(other));
        }

        HistogramBase copy;
        lock (other._histogram)
        {
            copy = other._histogram.Copy();
        }

        lock (_histogram)
        {
            _histogram.Add(copy);
        }

        Interlocked.Add(ref _skewed, other.Skewed);
    }

    /// <summary>Count, p50, p90, p99, max and mean in milliseconds, with the distribution at <see cref="DistributionPercentiles"/>.</summary>
    public LatencySummary Summarize()
    {
        lock (_histogram)
        {
            if (_histogram.TotalCount == 0)
            {
                return LatencySummary.Empty;
            }

            return new LatencySummary(
                _histogram.TotalCount,
                Milliseconds(_histogram.GetValueAtPercentile(50)),
                Milliseconds(_histogram.GetValueAtPercentile(90)),
                Milliseconds(_histogram.GetValueAtPercentile(99)),
                Milliseconds(_histogram.GetMaxValue()),
                _histogram.GetMean() / 1000.0)
            {
                Distribution = [.. DistributionPercentiles.Select(p => new PercentilePoint(p, Milliseconds(_histogram.GetValueAtPercentile(p))))],
            };
        }
    }

    private static double Milliseconds(long microseconds) => microseconds / 1000.0;
}
