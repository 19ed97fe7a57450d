using System.Globalization;

namespace Duplex.Cli.Compare.Reports;

/// <summary>How the reports write numbers: few digits, invariant culture, the unit a person expects.</summary>
internal static class ReportFormat
{
    private static readonly CultureInfo s_culture = CultureInfo.InvariantCulture;

    /// <summary>A measurement with two or three significant digits: 0.42, 0.5, 4.8, 48, 480, 4800.</summary>
    public static string Number(double value) => value switch
    {
        double.NaN => "NaN",
        _ when double.IsInfinity(value) => value > 0 ? "∞" : "-∞",
        _ when Math.Abs(value) < 0.005 => "0",
        _ when Math.Abs(value) < 1 => value.ToString("0.0#", s_culture),
        _ when Math.Abs(value) < 10 => value.ToString("0.0", s_culture),
        _ => value.ToString("0", s_culture),
    };

    /// <summary>A ratio shown with two decimals (requests per message): 0.00, 0.20, 1.00, 12.5.</summary>
    public static string Ratio(double value) => Math.Abs(value) < 10 ? value.ToString("0.00", s_culture) : value.ToString("0.0", s_culture);

    public static string Ms(double milliseconds) => $"{Number(milliseconds)} ms";

    /// <summary>How the latencies were timed: "one clock (the server's is this machine's)", or the offset estimated.</summary>
    public static string Clock(CompareSettingsReport settings) => settings.ClockOffsetMicroseconds is long offset
        ? $"{settings.Clock}: the server's clock is {Ms(offset / 1000.0)} ahead of this machine's"
        : settings.Clock == "same" ? "one clock (the server reads this machine's monotonic clock)" : settings.Clock;

    /// <summary>Bytes: 96 B, 1.2 KiB, 38 KiB, 4.1 MiB.</summary>
    public static string Bytes(double bytes)
    {
        double abs = Math.Abs(bytes);
        if (abs < 1024)
        {
            return $"{bytes.ToString("0", s_culture)} B";
        }

        if (abs < 1024 * 1024)
        {
            return $"{Number(bytes / 1024)} KiB";
        }

        return $"{Number(bytes / (1024 * 1024))} MiB";
    }

    /// <summary>A whole count with thin groups: 12 345.</summary>
    public static string Count(long value) => value.ToString("#,0", s_culture).Replace(',', ' ');

    /// <summary>Seconds, for the wall time and the noticed-in times: 0.02 s, 1.2 s, 10 s.</summary>
    public static string Seconds(double seconds) => $"{Number(seconds)} s";

    /// <summary>The start time as a reader reads it: 2026-11-02 14:03:07 +00:00.</summary>
    public static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss zzz", s_culture);

    /// <summary>Invariant text of a double for SVG attributes: 12.35.</summary>
    public static string Svg(double value) => Math.Round(value, 2).ToString("0.##", s_culture);
}
