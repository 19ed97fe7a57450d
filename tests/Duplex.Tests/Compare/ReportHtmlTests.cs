using System.Text.RegularExpressions;
using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Reports;

namespace Duplex.Tests.Compare;

/// <summary>The <c>--html</c> report (<see cref="HtmlReport"/>), read as text; the browser test renders it.</summary>
public sealed partial class ReportHtmlTests
{
    [GeneratedRegex("<tr data-approach=\"(?<id>[^\"]+)\">(?<cells>.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    private static Dictionary<string, string> Rows(string html, string tableId)
    {
        int start = html.IndexOf($"<table id=\"{tableId}\">", StringComparison.Ordinal);
        int end = html.IndexOf("</table>", start, StringComparison.Ordinal);
        return RowPattern().Matches(html[start..end]).ToDictionary(m => m.Groups["id"].Value, m => m.Groups["cells"].Value);
    }

    private static string Cell(string row, string column)
    {
        Match m = Regex.Match(row, $"<td class=\"(?<class>[^\"]+)\" data-column=\"{column}\"[^>]*>(?<text>.*?)</td>", RegexOptions.Singleline);
        Assert.True(m.Success, $"no {column} cell in {row}");
        return m.Value;
    }

    [Fact]
    public void One_self_contained_file_with_every_section()
    {
        string html = HtmlReport.Render(CompareReportSamples.Create());

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<meta charset=\"utf-8\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("(src|href)=\"", html);
        foreach (string id in new[] { "compare-table", "notes", "latency-down", "latency-up", "bytes-per-message", "requests-per-message", "survival-table", "settings", "raw", "legend" })
        {
            Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("duplex compare --clients 5 --duration 3 --json compare.json", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_approach_has_a_row_and_every_requirement_a_column()
    {
        string html = HtmlReport.Render(CompareReportSamples.Create());

        Dictionary<string, string> rows = Rows(html, "compare-table");
        Assert.Equal(CompareReportSamples.ApproachIds, rows.Keys);
        Assert.All(CompareVerdicts.Columns, c => Assert.Contains($"<th data-column=\"{c.Key}\"", html, StringComparison.Ordinal));
        Assert.All(rows.Values, row => Assert.All(CompareVerdicts.Columns, c => Cell(row, c.Key)));
        Assert.Equal(CompareReportSamples.ApproachIds, Rows(html, "survival-table").Keys);
        Assert.All(CompareReportSamples.Faults, f => Assert.Contains($"<th data-fault=\"{f}\"", html, StringComparison.Ordinal));
        // One curve per approach in each latency chart, one pair of bars per approach in each bar chart.
        Assert.Equal(2 * 7, Regex.Count(html, "<polyline class=\"curve\""));
        Assert.Equal(2 * 2 * 7, Regex.Count(html, "<rect class=\"bar\""));
    }

    [Fact]
    public void A_loss_makes_the_reliable_cell_poor_and_red()
    {
        string html = HtmlReport.Render(CompareReportSamples.Create());

        string lossy = Cell(Rows(html, "compare-table")["long-polling"], "reliable");
        Assert.StartsWith("<td class=\"v poor\"", lossy, StringComparison.Ordinal);
        Assert.Contains("data-verdict=\"poor\"", lossy, StringComparison.Ordinal);
        Assert.Contains("<span class=\"mark\">✗</span> 2 / 0 / 0", lossy, StringComparison.Ordinal);
        Assert.StartsWith("<td class=\"v good\"", Cell(Rows(html, "compare-table")["websocket"], "reliable"), StringComparison.Ordinal);
        Assert.Matches(@"td\.poor \{[^}]*color: var\(--poor\)", html);
        Assert.Contains("--poor: #c5221f", html, StringComparison.Ordinal);
        Assert.Contains("data-fault=\"random-resets\" data-verdict=\"poor\"", Rows(html, "survival-table")["long-polling"], StringComparison.Ordinal);
    }

    [Fact]
    public void Polling_latency_is_shown_against_its_interval()
    {
        string html = HtmlReport.Render(CompareReportSamples.Create());

        string cell = Cell(Rows(html, "compare-table")["polling"], "latency-down");
        Assert.StartsWith("<td class=\"v fair\"", cell, StringComparison.Ordinal);
        Assert.Contains("within what a poll every 500 ms gives", cell, StringComparison.Ordinal);
        Assert.Contains("poll interval 500 ms", html, StringComparison.Ordinal);
    }

    [Fact]
    public void An_approach_that_did_not_run_shows_its_error()
    {
        CompareReport report = CompareReportSamples.WithNotRan(CompareReportSamples.Create(), "websocket-h2", "extended CONNECT not offered");

        string html = HtmlReport.Render(report);

        Assert.Contains($"<td class=\"v none notrun\" colspan=\"{CompareVerdicts.Columns.Count}\">did not run: extended CONNECT not offered</td>", Rows(html, "compare-table")["websocket-h2"], StringComparison.Ordinal);
        Assert.Equal(2 * 6, Regex.Count(html, "<polyline class=\"curve\""));
    }

    [Fact]
    public void All_text_from_the_report_is_escaped()
    {
        CompareReport report = CompareReportSamples.WithNotRan(CompareReportSamples.Create(), "sse", "<script>alert(1)</script>") with
        {
            Notes = ["a <b>bold</b> & \"quoted\" note"],
            Settings = CompareReportSamples.Create().Settings with { CommandLine = "duplex compare --html '<x>.html'" },
        };

        string html = HtmlReport.Render(report);

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>bold</b>", html, StringComparison.Ordinal);
        Assert.Contains("did not run: &lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<li>a &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; note</li>", html, StringComparison.Ordinal);
        Assert.Contains("duplex compare --html &#39;&lt;x&gt;.html&#39;", html, StringComparison.Ordinal);
    }
}
