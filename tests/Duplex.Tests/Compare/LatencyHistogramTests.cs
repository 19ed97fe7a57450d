using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Measure;

namespace Duplex.Tests.Compare;

/// <summary>The latency histogram on known values (below 2048 µs, where three significant digits are exact).</summary>
public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_of_one_to_a_thousand_microseconds()
    {
        var histogram = new LatencyHistogram();
        for (long us = 1000; us >= 1; us--)
        {
            histogram.RecordMicroseconds(us);
        }

        LatencySummary summary = histogram.Summarize();
        Assert.Equal(1000, histogram.Count);
        Assert.Equal(1000, summary.Count);
        Assert.Equal(0.5, summary.P50);
        Assert.Equal(0.9, summary.P90);
        Assert.Equal(0.99, summary.P99);
        Assert.Equal(1.0, summary.Max);
        Assert.Equal(0.5005, summary.Mean, 6);

        Assert.Equal([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.9, 100], summary.Distribution.Select(p => p.Percentile));
        Assert.Equal([0.001, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0], summary.Distribution.Select(p => p.Milliseconds));
    }

    [Fact]
    public void Negative_values_count_as_skewed_and_as_zero()
    {
        var histogram = new LatencyHistogram();
        histogram.RecordMicroseconds(-250);
        histogram.RecordMicroseconds(-1);
        histogram.RecordMicroseconds(400);

        LatencySummary summary = histogram.Summarize();
        Assert.Equal(2, histogram.Skewed);
        Assert.Equal(3, summary.Count);
        Assert.Equal(0, summary.P50);
        Assert.Equal(0.4, summary.Max);
    }

    [Fact]
    public void Added_histograms_merge_their_values_and_skew()
    {
        var first = new LatencyHistogram();
        var second = new LatencyHistogram();
        for (int i = 0; i < 90; i++)
        {
            first.RecordMicroseconds(100);
        }

        for (int i = 0; i < 10; i++)
        {
            second.RecordMicroseconds(2000);
        }

        second.RecordMicroseconds(-5);
        first.Add(second);

        LatencySummary summary = first.Summarize();
        Assert.Equal(101, first.Count);
        Assert.Equal(1, first.Skewed);
        Assert.Equal(0.1, summary.P50);
        Assert.Equal(2.0, summary.P99);
        Assert.Equal(11, second.Count);
    }

    [Fact]
    public void An_empty_histogram_summarizes_as_empty()
    {
        Assert.Equal(LatencySummary.Empty, new LatencyHistogram().Summarize());
    }

    [Fact]
    public void Values_past_sixty_seconds_are_recorded_as_sixty_seconds()
    {
        var histogram = new LatencyHistogram();
        histogram.RecordMicroseconds(90_000_000);
        Assert.InRange(histogram.Summarize().Max, 59_900, 60_100);
    }
}
