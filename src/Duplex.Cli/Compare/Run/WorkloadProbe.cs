using Duplex.Cli.Compare.Measure;

namespace Duplex.Cli.Compare.Run;

/// <summary>
/// What the clients of one approach (or one survival cell) record together: every delivery checked
/// for loss, duplicates and order, latencies each way, and which workload is running now (the
/// name of the streams its deliveries go to; a warm-up is not recorded).
/// </summary>
internal sealed class WorkloadProbe
{
    private volatile string? _phase;

    public DeliveryChecker Checker { get; } = new();

    /// <summary>Server → client, ticker and chat deliveries.</summary>
    public LatencyHistogram Down { get; } = new();

    /// <summary>Client → server: the server's arrival time of each chat message, against its send time.</summary>
    public LatencyHistogram Up { get; } = new();

    /// <summary>The workload whose deliveries are recorded now; null: a warm-up, nothing recorded.</summary>
    public string? Phase
    {
        get => _phase;
        set => _phase = value;
    }
}
