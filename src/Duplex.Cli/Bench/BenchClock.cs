using System.Diagnostics;

namespace Duplex.Cli.Bench;

/// <summary>The one clock of a run: <see cref="Stopwatch"/> ticks, monotonic, shared by senders and receivers in this process.</summary>
internal static class BenchClock
{
    public static readonly double TicksPerMicrosecond = Stopwatch.Frequency / 1_000_000.0;

    public static long Now => Stopwatch.GetTimestamp();

    public static long ToMicroseconds(long ticks) => (long)(ticks / TicksPerMicrosecond);

    public static double ToSeconds(long ticks) => ticks / (double)Stopwatch.Frequency;

    public static long FromSeconds(double seconds) => (long)(seconds * Stopwatch.Frequency);

    /// <summary>
    /// Sleeps the calling (dedicated) thread until <paramref name="deadline"/> with sub-millisecond
    /// precision where the OS allows it (nanosleep on Linux, about 50-100 µs of slack), else with
    /// <see cref="Thread.Sleep(int)"/>'s millisecond steps. Never spins.
    /// </summary>
    public static void SleepUntil(long deadline)
    {
        long remaining = deadline - Now;
        if (remaining <= 0)
        {
            return;
        }

        double seconds = ToSeconds(remaining);
        if (seconds >= 0.002 || !NativeMethods.TrySleep(seconds))
        {
            Thread.Sleep(Math.Max(1, (int)(seconds * 1000)));
        }
    }
}
