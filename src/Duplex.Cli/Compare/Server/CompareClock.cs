using System.Diagnostics;

namespace Duplex.Cli.Compare.Server;

/// <summary>
/// The server's clock of the compare workload: microseconds of <see cref="Stopwatch"/>'s
/// monotonic timestamp (docs/PROTOCOL.md §12, every "t" field). Only differences and offsets mean anything.
/// </summary>
internal static class CompareClock
{
    private static readonly double MicrosecondsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>Now, in microseconds.</summary>
    public static long NowMicroseconds => ToMicroseconds(Stopwatch.GetTimestamp());

    /// <summary>A <see cref="Stopwatch"/> timestamp in microseconds (no overflow: through a double, exact to the microsecond for centuries of uptime).</summary>
    public static long ToMicroseconds(long timestamp) => (long)(timestamp * MicrosecondsPerTick);
}
