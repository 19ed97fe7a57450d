using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Reports;

namespace Duplex.Tests.Compare;

/// <summary>The <c>--md</c> report (<see cref="MarkdownReport"/>).</summary>
public sealed class ReportMarkdownTests
{
    private static string[] TableRows(string md, string heading)
    {
        string[] lines = md.Split('\n');
        int start = Array.IndexOf(lines, heading);
        Assert.True(start >= 0, $"no {heading}");
        return lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).ToArray();
    }

    [Fact]
    public void The_report_holds_the_settings_the_command_the_tables_the_raw_numbers_the_notes_and_the_legend_in_order()
    {
        CompareReport report = CompareReportSamples.Create();

        string md = MarkdownReport.Render(report);

        Assert.StartsWith("# duplex compare: loopback, 5 clients\n", md, StringComparison.Ordinal);
        string[] order = ["```\nduplex compare --clients 5 --duration 3", "| Clients | 5 |", "| Machine | Debian GNU/Linux 12", "## The table", "## Survival through the fault proxy", "## Raw numbers", "## Notes", "## Legend"];
        int[] at = order.Select(s => md.IndexOf(s, StringComparison.Ordinal)).ToArray();
        Assert.All(at, i => Assert.True(i >= 0, md));
        Assert.Equal(at.Order(), at);
        Assert.All(report.Notes, n => Assert.Contains($"- {n}", md, StringComparison.Ordinal));
        Assert.All(CompareVerdicts.Columns, c => Assert.Contains($"- **{MarkdownReport.Escape(c.Title)}**", md, StringComparison.Ordinal));
    }

    [Fact]
    public void The_settings_say_how_the_latencies_were_timed()
    {
        CompareReport report = CompareReportSamples.Create();
        Assert.Contains("| Clock | one clock (the server reads this machine's monotonic clock) |", MarkdownReport.Render(report), StringComparison.Ordinal);

        CompareReport remote = report with { Settings = report.Settings with { Clock = "estimated over websocket", ClockOffsetMicroseconds = 1_250_000 } };
        Assert.Contains("| Clock | estimated over websocket: the server's clock is 1250 ms ahead of this machine's |", MarkdownReport.Render(remote), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_approach_has_a_row_and_every_requirement_a_column()
    {
        string md = MarkdownReport.Render(CompareReportSamples.Create());

        string[] table = TableRows(md, "## The table");
        Assert.All(CompareVerdicts.Columns, c => Assert.Contains(MarkdownReport.Escape(c.Title), table[0], StringComparison.Ordinal));
        Assert.Equal(2 + 7, table.Length);
        Assert.Equal(CompareReportSamples.ApproachIds.Select(a => $"| **{a}**"), table[2..].Select(r => r[..r.IndexOf("**<br>", StringComparison.Ordinal)] + "**"));
        Assert.All(table.Where((_, i) => i != 1), r => Assert.Equal(CompareVerdicts.Columns.Count + 2, r.Split(" | ").Length + 1));
        Assert.Contains("| ~ 248 / 497 ms |", table[2], StringComparison.Ordinal);
        Assert.Contains("| **✗ 2 / 0 / 0** |", table[3], StringComparison.Ordinal);

        string[] survival = TableRows(md, "## Survival through the fault proxy");
        Assert.All(CompareReportSamples.Faults, f => Assert.Contains(f, survival[0], StringComparison.Ordinal));
        Assert.Equal(2 + 7, survival.Length);

        string[] workloads = TableRows(md, "### Workloads");
        Assert.Equal(2 + (7 * 4), workloads.Length);
    }

    [Fact]
    public void An_approach_that_did_not_run_shows_its_error_and_no_numbers()
    {
        CompareReport report = CompareReportSamples.WithNotRan(CompareReportSamples.Create(), "sse-h2", "h2c | refused <by> the host");

        string md = MarkdownReport.Render(report);

        string row = TableRows(md, "## The table").Single(r => r.StartsWith("| **sse-h2**", StringComparison.Ordinal));
        Assert.Contains("**did not run:** h2c \\| refused &lt;by&gt; the host", row, StringComparison.Ordinal);
        Assert.Equal(CompareVerdicts.Columns.Count, row.Split(" | ").Count(c => c.Trim(' ', '|') == "–"));
        Assert.DoesNotContain(TableRows(md, "### Workloads"), r => r.StartsWith("| sse-h2 ", StringComparison.Ordinal));
    }
}
