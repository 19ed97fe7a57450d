using System.Text.Json.Nodes;
using HdrHistogram;

namespace Duplex.Cli.Bench;

/// <summary>
/// Latencies in microseconds in HDR histograms (3 significant digits, up to 60 s; longer values
/// are recorded as 60 s). Connections record into a few shards, each behind its own lock, so
/// many connections share a little memory and rarely contend; the shards are merged at the end.
/// </summary>
internal sealed class LatencyRecorder
{
    public const long HighestMicroseconds = 60_000_000;

    private readonly LongHistogram[] _shards;

    public LatencyRecorder(int connections)
    {
        int count = Math.Clamp(connections, 1, Environment.ProcessorCount * 4);
        _shards = new LongHistogram[count];
        for (int i = 0; i < count; i++)
        {
            _shards[i] = NewHistogram();
        }
    }

    /// <summary>An empty histogram of microseconds up to <see cref="HighestMicroseconds"/>, 3 significant digits.</summary>
    public static LongHistogram NewHistogram() => new(HighestMicroseconds, 3);

    /// <summary>Records one latency, given in <see cref="BenchClock"/> ticks, into the shard of <paramref name="connection"/>.</summary>
    public void RecordTicks(int connection, long ticks)
    {
        long microseconds = Math.Clamp(BenchClock.ToMicroseconds(ticks), 0, HighestMicroseconds);
        LongHistogram shard = _shards[connection % _shards.Length];
        lock (shard)
        {
            shard.RecordValue(microseconds);
        }
    }

    public LatencySummary Summarize()
    {
        LongHistogram merged = NewHistogram();
        foreach (LongHistogram shard in _shards)
        {
            lock (shard)
            {
                merged.Add(shard);
            }
        }

        if (merged.TotalCount == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }

        return new LatencySummary(
            merged.TotalCount,
            merged.GetMean(),
            merged.GetValueAtPercentile(50),
            merged.GetValueAtPercentile(90),
            merged.GetValueAtPercentile(99),
            merged.GetValueAtPercentile(99.9),
            merged.GetMaxValue());
    }
}

/// <summary>Latency percentiles in microseconds.</summary>
internal sealed record LatencySummary(long Count, double Mean, long P50, long P90, long P99, long P999, long Max)
{
    public JsonObject ToJson() => new()
    {
        ["count"] = Count,
        ["mean"] = Math.Round(Mean, 1),
        ["p50"] = P50,
        ["p90"] = P90,
        ["p99"] = P99,
        ["p99_9"] = P999,
        ["max"] = Max,
    };

    public void AddRows(BenchTable table, string label)
    {
        table.Add($"{label} p50 / p90", $"{Micros(P50)} / {Micros(P90)}");
        table.Add($"{label} p99 / p99.9", $"{Micros(P99)} / {Micros(P999)}");
        table.Add($"{label} max (mean)", $"{Micros(Max)} ({Micros((long)Mean)})");
    }

    private static string Micros(long us) => us >= 10_000
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{us / 1000.0:0.0} ms")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{us} µs");
}
