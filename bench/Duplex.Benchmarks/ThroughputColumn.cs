using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Duplex.Benchmarks;

/// <summary>
/// A "MB/s" column: the benchmark's <c>Size</c> parameter (bytes handled per operation) divided
/// by the mean time per operation, in 10^6 bytes per second. Rows without a <c>Size</c>
/// parameter show "-".
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    /// <summary>The name of the parameter that holds the bytes per operation.</summary>
    public const string SizeParameter = "Size";

    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "MB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Statistics;

    public int PriorityInCategory => 100;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Throughput: the {SizeParameter} parameter (bytes per operation) over the mean time, in 10^6 bytes/s";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        object? size = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == SizeParameter)?.Value;
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (size is not int bytes || meanNs is not double ns || ns <= 0 || double.IsNaN(ns))
        {
            return "-";
        }

        double megabytesPerSecond = bytes / ns * 1e9 / 1e6;
        return megabytesPerSecond.ToString(megabytesPerSecond >= 100 ? "N0" : "N1", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}

/// <summary>The config of benchmarks that move a payload: adds <see cref="ThroughputColumn"/>.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig() => AddColumn(new ThroughputColumn());
}
