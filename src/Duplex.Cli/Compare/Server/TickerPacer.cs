using System.Diagnostics;

namespace Duplex.Cli.Compare.Server;

/// <summary>
/// The intended times of a ticker: message n is due at start + n ÷ rate, each computed from the
/// start (never from the previous send), so a late wake-up delays one message and not the ones
/// after it, and the ticker does not drift. A pacer that fell behind sends the late ones at once.
/// </summary>
internal sealed class TickerPacer(double rate, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly double _ticksPerMessage = Stopwatch.Frequency / rate;

    /// <summary>The <see cref="Stopwatch"/> timestamp message <paramref name="n"/> is due at.</summary>
    public long DueAt(long n) => _start + (long)(n * _ticksPerMessage);

    /// <summary>Waits until message <paramref name="n"/> is due (at once when it is already).</summary>
    public async Task WaitForAsync(long n, CancellationToken cancellationToken)
    {
        long due = DueAt(n);
        while (true)
        {
            long remaining = due - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            // Rounded up to whole milliseconds (a timer's step): woken at or just after the due time, never before it.
            long milliseconds = (remaining * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency;
            await Task.Delay(TimeSpan.FromMilliseconds(milliseconds), _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
