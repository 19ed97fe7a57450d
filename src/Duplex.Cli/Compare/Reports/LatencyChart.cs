using System.Net;
using System.Text;
using static Duplex.Cli.Compare.Reports.ReportFormat;

namespace Duplex.Cli.Compare.Reports;

/// <summary>
/// An inline SVG of latency distributions: one percentile curve per approach, the percentile on
/// a "nines" axis (50, 90, 99, 99.9: each step a tenth of what is left), the milliseconds on a
/// logarithmic axis, so that a 1 ms WebSocket and a 500 ms poll both read. An optional dashed
/// line marks the poll interval.
/// </summary>
internal static class LatencyChart
{
    private const double Width = 640;
    private const double Height = 320;
    private const double Left = 64;
    private const double Right = 26;
    private const double Top = 16;
    private const double Bottom = 44;
    private const double MaxNines = 4;

    public sealed record Series(string Approach, IReadOnlyList<PercentilePoint> Points);

    /// <summary>The points of a latency summary: its distribution, or the p50/p90/p99/max it gives when the distribution is empty.</summary>
    public static IReadOnlyList<PercentilePoint> PointsOf(LatencySummary latency) =>
        latency.Distribution.Count > 0 ? latency.Distribution
        : latency.Count == 0 ? []
        : [new(50, latency.P50), new(90, latency.P90), new(99, latency.P99), new(100, latency.Max)];

    public static string Render(string id, string label, IReadOnlyList<Series> series, double? markerMs, string? markerLabel)
    {
        var drawn = series.Where(s => s.Points.Count > 0).ToList();
        var values = drawn.SelectMany(s => s.Points).Select(p => p.Milliseconds).Where(v => v > 0 && double.IsFinite(v)).ToList();
        if (markerMs is double marker && marker > 0)
        {
            values.Add(marker);
        }

        var svg = new StringBuilder();
        svg.Append($"<svg id=\"{id}\" class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(label)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        if (values.Count == 0)
        {
            svg.Append($"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\" class=\"axis\">no latency measured</text></svg>");
            return svg.ToString();
        }

        double lowDecade = Math.Floor(Math.Log10(values.Min()));
        double highDecade = Math.Max(lowDecade + 1, Math.Ceiling(Math.Log10(values.Max())));
        double maxPercentile = drawn.SelectMany(s => s.Points).Max(p => p.Percentile);
        double xMax = Math.Clamp(Math.Ceiling(Nines(Math.Min(maxPercentile, 99.99))), 2, MaxNines);

        double X(double percentile) => Left + ((Width - Left - Right) * Math.Min(Nines(percentile), xMax) / xMax);
        double Y(double ms)
        {
            double log = Math.Log10(Math.Max(ms, Math.Pow(10, lowDecade)));
            return Top + ((Height - Top - Bottom) * (1 - ((log - lowDecade) / (highDecade - lowDecade))));
        }

        // The grid: every decade labelled, 2 and 5 of each drawn faint; the nines on the x axis.
        for (double decade = lowDecade; decade <= highDecade; decade++)
        {
            double y = Y(Math.Pow(10, decade));
            svg.Append($"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Svg(y)}\" y2=\"{Svg(y)}\"/>");
            svg.Append($"<text class=\"axis\" x=\"{Left - 6}\" y=\"{Svg(y + 4)}\" text-anchor=\"end\">{MsLabel(Math.Pow(10, decade))}</text>");
            if (decade < highDecade)
            {
                foreach (int minor in new[] { 2, 5 })
                {
                    double ym = Y(minor * Math.Pow(10, decade));
                    svg.Append($"<line class=\"grid minor\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Svg(ym)}\" y2=\"{Svg(ym)}\"/>");
                }
            }
        }

        foreach (double percentile in new[] { 0, 50, 90, 99, 99.9, 99.99 }.Where(p => Nines(p) <= xMax + 1e-9))
        {
            double x = X(percentile);
            svg.Append($"<line class=\"grid\" x1=\"{Svg(x)}\" x2=\"{Svg(x)}\" y1=\"{Top}\" y2=\"{Height - Bottom}\"/>");
            svg.Append($"<text class=\"axis\" x=\"{Svg(x)}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">p{percentile.ToString(System.Globalization.CultureInfo.InvariantCulture)}</text>");
        }

        svg.Append($"<text class=\"axis title\" x=\"{Svg(Left + ((Width - Left - Right) / 2))}\" y=\"{Height - 6}\" text-anchor=\"middle\">percentile (each step: a tenth of the rest)</text>");
        svg.Append($"<text class=\"axis title\" transform=\"rotate(-90)\" x=\"{Svg(-(Top + ((Height - Top - Bottom) / 2)))}\" y=\"14\" text-anchor=\"middle\">latency, ms (log)</text>");

        if (markerMs is double mark && mark > 0)
        {
            double y = Y(mark);
            svg.Append($"<line class=\"marker\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Svg(y)}\" y2=\"{Svg(y)}\"/>");
            svg.Append($"<text class=\"axis marker-label\" x=\"{Width - Right - 6}\" y=\"{Svg(y + 16)}\" text-anchor=\"end\">{WebUtility.HtmlEncode(markerLabel ?? "")}</text>");
        }

        foreach (Series s in drawn)
        {
            string color = ApproachPalette.Of(s.Approach);
            var points = s.Points.OrderBy(p => p.Percentile).Select(p => $"{Svg(X(p.Percentile))},{Svg(Y(p.Milliseconds))}");
            svg.Append($"<polyline class=\"curve\" data-approach=\"{WebUtility.HtmlEncode(s.Approach)}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.2\" points=\"{string.Join(' ', points)}\"><title>{WebUtility.HtmlEncode(s.Approach)}</title></polyline>");
        }

        svg.Append($"<rect class=\"frame\" x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"none\"/>");
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>How many nines the percentile has: 90 is 1, 99 is 2, 99.9 is 3.</summary>
    private static double Nines(double percentile) => Math.Log10(100 / Math.Max(100 - Math.Min(percentile, 99.99), 0.01));

    private static string MsLabel(double ms) => ms >= 1000 ? $"{(ms / 1000).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s" : ms >= 1 ? $"{ms:0} ms" : $"{ms.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} ms";
}
