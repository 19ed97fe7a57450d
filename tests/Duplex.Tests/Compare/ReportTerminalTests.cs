using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Reports;

namespace Duplex.Tests.Compare;

/// <summary>The table in the terminal (<see cref="TerminalTable"/>).</summary>
public sealed class ReportTerminalTests
{
    private static string Render(CompareReport report, bool color = false)
    {
        using var w = new StringWriter();
        TerminalTable.Write(w, report, color);
        return w.ToString();
    }

    private static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>The line of the main table that starts with the approach id.</summary>
    private static string MainRow(string text, string approach) =>
        Lines(text).First(l => l.StartsWith(approach + " ", StringComparison.Ordinal));

    [Fact]
    public void Every_approach_has_a_row_and_every_requirement_a_column()
    {
        string text = Render(CompareReportSamples.Create());

        string header = Lines(text).First(l => l.StartsWith("approach ", StringComparison.Ordinal));
        Assert.All(CompareVerdicts.Columns, c => Assert.Contains(c.Header, header, StringComparison.Ordinal));
        foreach (string approach in CompareReportSamples.ApproachIds)
        {
            string row = MainRow(text, approach);
            int marks = row.Count(ch => ch is '✓' or '~' or '✗' or '–');
            Assert.True(marks >= CompareVerdicts.Columns.Count, $"{approach}: {marks} marks in \"{row}\"");
        }

        Assert.Contains("248 / 497 ms", MainRow(text, "polling"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_table_fits_160_columns_and_has_no_color_unless_asked()
    {
        string plain = Render(CompareReportSamples.Create());
        string colored = Render(CompareReportSamples.Create(), color: true);

        Assert.DoesNotContain('\u001b', plain);
        string[] tableLines = Lines(plain).TakeWhile(l => !l.StartsWith("notes", StringComparison.Ordinal)).ToArray();
        Assert.All(tableLines.Where(l => l.StartsWith("approach", StringComparison.Ordinal) || CompareReportSamples.ApproachIds.Any(a => l.StartsWith(a + " ", StringComparison.Ordinal))),
            l => Assert.True(l.Length <= 160, $"{l.Length} columns: {l}"));
        Assert.Contains("\u001b[1;31m✗ 2 / 0 / 0", colored, StringComparison.Ordinal);
        Assert.Contains("\u001b[32m✓ 0 / 0 / 0", colored, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loss_is_a_cross_in_the_reliable_cell()
    {
        string text = Render(CompareReportSamples.Create());

        Assert.Contains("✗ 2 / 0 / 0", MainRow(text, "long-polling"), StringComparison.Ordinal);
        Assert.Contains("✓ 0 / 0 / 0", MainRow(text, "websocket"), StringComparison.Ordinal);
        Assert.DoesNotContain("✗ 2 / 0 / 0", Render(CompareReportSamples.Clean()), StringComparison.Ordinal);
    }

    [Fact]
    public void An_approach_that_did_not_run_shows_its_error()
    {
        CompareReport report = CompareReportSamples.WithNotRan(CompareReportSamples.Create(), "websocket-h2", "the ASP.NET Core host did not offer extended CONNECT");

        string text = Render(report);

        Assert.Contains("did not run: the ASP.NET Core host did not offer extended CONNECT", MainRow(text, "websocket-h2"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_error_is_cut_in_the_row_and_told_in_full_below()
    {
        string error = "the host refused: " + string.Concat(Enumerable.Repeat("a very long reason ", 12)) + "end";
        CompareReport report = CompareReportSamples.WithNotRan(CompareReportSamples.Create(), "sse-h2", error);

        string text = Render(report);

        Assert.EndsWith("…", MainRow(text, "sse-h2"), StringComparison.Ordinal);
        Assert.True(MainRow(text, "sse-h2").Length <= 160);
        Assert.Contains($"sse-h2 did not run: {error}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_survival_table_shows_each_fault_and_what_failed_and_the_notes_follow()
    {
        CompareReport report = CompareReportSamples.Create();

        string text = Render(report);

        string[] lines = Lines(text);
        int survival = Array.FindIndex(lines, l => l.StartsWith("survival", StringComparison.Ordinal));
        Assert.True(survival > 0, text);
        string header = lines[survival + 1];
        Assert.All(CompareReportSamples.Faults, f => Assert.Contains(f, header, StringComparison.Ordinal));
        string[] rows = lines.Skip(survival + 2).Take(7).ToArray();
        Assert.Equal(CompareReportSamples.ApproachIds, rows.Select(r => r.Split(' ')[0]));
        Assert.Contains("✗ 0.02 s · 2 lost", rows[1], StringComparison.Ordinal);
        Assert.StartsWith("websocket ", rows[4], StringComparison.Ordinal);
        Assert.Contains("✗ – · 0 lost", rows[4], StringComparison.Ordinal);
        Assert.Contains("✗ websocket through refuse-upgrades: upgrade refused: 403", text, StringComparison.Ordinal);
        Assert.Contains("✗ long-polling through random-resets: 2 messages lost", text, StringComparison.Ordinal);
        Assert.All(report.Notes, n => Assert.Contains($"• {n}", text, StringComparison.Ordinal));
    }

    [Fact]
    public void Without_survival_there_is_no_survival_table()
    {
        string text = Render(CompareReportSamples.Create() with { Survival = [] });

        Assert.DoesNotContain("survival through", text, StringComparison.Ordinal);
        Assert.EndsWith("–", MainRow(text, "websocket"), StringComparison.Ordinal);
    }
}
