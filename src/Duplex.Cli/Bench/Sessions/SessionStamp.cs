using System.Diagnostics;
using System.Globalization;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// The payload of every message in <c>duplex bench sessions</c>, text so that every transport of
/// every server carries it the same way: six decimal digits of the sender's sequence number for
/// its stream, ten of its clock in microseconds (modulo 10^10, about 2.8 hours), then 'x' up to
/// the size. 16 bytes at the least. Both ends read <see cref="Stopwatch"/>, which on Linux is
/// CLOCK_MONOTONIC, one clock for every process on the machine: a server in another process
/// stamps and reads on the same clock as the load generator.
/// </summary>
/// <remarks>Shared with bench/SignalRAnchor (linked source): both servers stamp and read alike.</remarks>
internal static class SessionStamp
{
    public const int MinSize = 16;
    private const int SequenceDigits = 6;
    private const int TimeDigits = 10;
    private const long SequenceModulus = 1_000_000;
    private const long TimeModulus = 10_000_000_000;

    /// <summary>This machine's monotonic clock in microseconds.</summary>
    public static long NowMicroseconds
    {
        get
        {
            long ticks = Stopwatch.GetTimestamp();
            return Stopwatch.Frequency % 1_000_000 == 0
                ? ticks / (Stopwatch.Frequency / 1_000_000)
                : (long)(ticks * (1_000_000.0 / Stopwatch.Frequency));
        }
    }

    /// <summary>The payload of message <paramref name="sequence"/>, stamped now, <paramref name="size"/> characters long.</summary>
    public static string Create(long sequence, int size)
    {
        long now = NowMicroseconds;
        return string.Create(Math.Max(size, MinSize), (sequence, now), static (span, state) =>
        {
            (state.sequence % SequenceModulus).TryFormat(span[..SequenceDigits], out _, "D6", CultureInfo.InvariantCulture);
            (state.now % TimeModulus).TryFormat(span.Slice(SequenceDigits, TimeDigits), out _, "D10", CultureInfo.InvariantCulture);
            span[MinSize..].Fill('x');
        });
    }

    /// <summary>Reads a payload's sequence number and how long ago (µs) it was stamped; false when it is not one of ours.</summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, out long sequence, out long ageMicroseconds)
    {
        sequence = ageMicroseconds = 0;
        if (utf8.Length < MinSize || !TryDigits(utf8[..SequenceDigits], out sequence) || !TryDigits(utf8.Slice(SequenceDigits, TimeDigits), out long stamp))
        {
            return false;
        }

        ageMicroseconds = Age(stamp);
        return true;
    }

    /// <inheritdoc cref="TryRead(ReadOnlySpan{byte}, out long, out long)"/>
    public static bool TryRead(ReadOnlySpan<char> text, out long sequence, out long ageMicroseconds)
    {
        sequence = ageMicroseconds = 0;
        if (text.Length < MinSize || !TryDigits(text[..SequenceDigits], out sequence) || !TryDigits(text.Slice(SequenceDigits, TimeDigits), out long stamp))
        {
            return false;
        }

        ageMicroseconds = Age(stamp);
        return true;
    }

    private static long Age(long stamp) => (((NowMicroseconds % TimeModulus) - stamp) + TimeModulus) % TimeModulus;

    private static bool TryDigits(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        foreach (byte b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
