using System.Net;
using System.Text;
using static Duplex.Cli.Compare.Reports.ReportFormat;

namespace Duplex.Cli.Compare.Reports;

/// <summary>
/// An inline SVG of horizontal bars: one group per approach, one bar per series (↓ and ↑), each
/// labelled with its value, on a linear axis from zero.
/// </summary>
internal static class BarChart
{
    private const double Width = 560;
    private const double Label = 104;
    private const double ValueRoom = 76;
    private const double Bar = 11;
    private const double BarGap = 3;
    private const double GroupGap = 10;
    private const double Top = 8;

    /// <param name="Approach">The approach id, the group's label and color.</param>
    /// <param name="Values">One value per series; null where not measured.</param>
    /// <param name="Texts">The label of each value.</param>
    public sealed record Group(string Approach, IReadOnlyList<double?> Values, IReadOnlyList<string> Texts);

    public static string Render(string id, string label, IReadOnlyList<string> seriesNames, IReadOnlyList<Group> groups)
    {
        double max = groups.SelectMany(g => g.Values).OfType<double>().Where(double.IsFinite).DefaultIfEmpty(0).Max();
        if (max <= 0)
        {
            max = 1;
        }

        double groupHeight = (seriesNames.Count * (Bar + BarGap)) - BarGap;
        double height = Top + (groups.Count * (groupHeight + GroupGap)) + 22;
        double room = Width - Label - ValueRoom;
        var svg = new StringBuilder();
        svg.Append($"<svg id=\"{id}\" class=\"chart bars\" viewBox=\"0 0 {Width} {Svg(height)}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(label)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        double y = Top;
        foreach (Group group in groups)
        {
            string color = ApproachPalette.Of(group.Approach);
            svg.Append($"<text class=\"axis name\" x=\"{Label - 8}\" y=\"{Svg(y + (groupHeight / 2) + 4)}\" text-anchor=\"end\">{WebUtility.HtmlEncode(group.Approach)}</text>");
            for (int i = 0; i < seriesNames.Count; i++)
            {
                double barY = y + (i * (Bar + BarGap));
                double? value = i < group.Values.Count ? group.Values[i] : null;
                string text = i < group.Texts.Count ? group.Texts[i] : "–";
                double w = value is double v && double.IsFinite(v) ? Math.Max(1, room * v / max) : 0;
                string opacity = i == 0 ? "1" : "0.55";
                svg.Append($"<rect class=\"bar\" data-approach=\"{WebUtility.HtmlEncode(group.Approach)}\" data-series=\"{WebUtility.HtmlEncode(seriesNames[i])}\" x=\"{Label}\" y=\"{Svg(barY)}\" width=\"{Svg(w)}\" height=\"{Bar}\" fill=\"{color}\" fill-opacity=\"{opacity}\"><title>{WebUtility.HtmlEncode($"{group.Approach} {seriesNames[i]}: {text}")}</title></rect>");
                svg.Append($"<text class=\"axis value\" x=\"{Svg(Label + w + 5)}\" y=\"{Svg(barY + Bar - 2)}\">{WebUtility.HtmlEncode($"{seriesNames[i]} {text}")}</text>");
            }

            y += groupHeight + GroupGap;
        }

        svg.Append($"<line class=\"frame\" x1=\"{Label}\" x2=\"{Label}\" y1=\"{Top - 4}\" y2=\"{Svg(y - GroupGap + 4)}\"/>");
        svg.Append("</svg>");
        return svg.ToString();
    }
}
