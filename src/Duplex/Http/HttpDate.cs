using System.Buffers;
using System.Buffers.Text;

namespace Duplex.Http;

/// <summary>
/// The Date field value every response carries (RFC 9110 §6.6.1: an origin server with a clock
/// must send one), as IMF-fixdate bytes, formatted at most once per second for the process.
/// </summary>
internal static class HttpDate
{
    private const int Length = 29; // "Sun, 06 Nov 1994 08:49:37 GMT"
    private const long MillisecondsPerSecond = 1000;

    private static readonly StandardFormat s_rfc1123 = new('R');

    // Replaced whole (never changed in place), so a reader always sees a complete value.
    private static byte[] s_value = Format(DateTime.UtcNow);
    private static long s_validUntilMs;

    /// <summary>The current date, to the second.</summary>
    public static ReadOnlySpan<byte> Current
    {
        get
        {
            long now = Environment.TickCount64;
            if (now >= Volatile.Read(ref s_validUntilMs))
            {
                DateTime utc = DateTime.UtcNow;
                Volatile.Write(ref s_value, Format(utc));
                Volatile.Write(ref s_validUntilMs, now + MillisecondsPerSecond - utc.Millisecond);
            }

            return Volatile.Read(ref s_value);
        }
    }

    /// <summary>The IMF-fixdate of <paramref name="utc"/> (RFC 9110 §5.6.7), as text.</summary>
    public static string ToText(DateTime utc) => utc.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] Format(DateTime utc)
    {
        byte[] value = new byte[Length];
        Utf8Formatter.TryFormat(utc, value, out _, s_rfc1123);
        return value;
    }
}
