using System.Text;
using static Duplex.Cli.Compare.Reports.ReportFormat;

namespace Duplex.Cli.Compare.Reports;

/// <summary>
/// The report in the terminal: the table in the seed's shape (one row per approach, one column per
/// requirement, each cell a verdict mark and its number), the survival table, the notes. ANSI
/// color only when asked; the table fits about 160 columns.
/// </summary>
internal static class TerminalTable
{
    private const string Gap = "  ";
    private const string Reset = "\u001b[0m";
    private const string Bold = "\u001b[1m";
    private const string Dim = "\u001b[2m";

    public static void Write(TextWriter w, CompareReport r, bool color)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(r);
        var painter = new Painter(color);
        CompareSettingsReport s = r.Settings;
        w.WriteLine(painter.Paint(Bold, $"duplex compare · {s.Target} · {s.Clients} clients · {Seconds(s.DurationSeconds)} per workload · {Bytes(s.MessageBytes)} messages · {Time(r.StartedAt)}"));
        w.WriteLine();
        WriteMain(w, r, painter);
        if (r.Survival.Count > 0)
        {
            w.WriteLine();
            WriteSurvival(w, r, painter);
        }

        if (r.Notes.Count > 0)
        {
            w.WriteLine();
            w.WriteLine(painter.Paint(Bold, "notes"));
            foreach (string note in r.Notes)
            {
                w.WriteLine($"  • {note}");
            }
        }
    }

    private static void WriteMain(TextWriter w, CompareReport r, Painter painter)
    {
        IReadOnlyList<CompareColumn> columns = CompareVerdicts.Columns;
        var cells = r.Approaches.Select(a => columns.Select(c => CompareVerdicts.Judge(c, a, r)).ToArray()).ToArray();
        int nameWidth = Math.Max("approach".Length, r.Approaches.Select(a => a.Id.Length).DefaultIfEmpty(0).Max());
        int[] widths = columns.Select((c, i) => Math.Max(Math.Max(c.Header.Length, c.Unit.Length),
            r.Approaches.Select((a, row) => a.Ran ? Cell(cells[row][i]).Length : 0).DefaultIfEmpty(0).Max())).ToArray();
        int cellsWidth = widths.Sum() + (Gap.Length * (widths.Length - 1));

        w.WriteLine(painter.Paint(Bold, Row("approach".PadRight(nameWidth), columns.Select((c, i) => c.Header.PadRight(widths[i])))));
        w.WriteLine(painter.Paint(Dim, Row(new string(' ', nameWidth), columns.Select((c, i) => c.Unit.PadRight(widths[i])))));
        var untold = new List<ApproachResult>();
        for (int row = 0; row < r.Approaches.Count; row++)
        {
            ApproachResult approach = r.Approaches[row];
            if (!approach.Ran)
            {
                string text = $"{Verdict.MarkOf(VerdictLevel.NotMeasured)} did not run: {approach.Error}";
                if (text.Length > cellsWidth)
                {
                    text = string.Concat(text.AsSpan(0, cellsWidth - 1), "…");
                    untold.Add(approach);
                }

                w.WriteLine($"{approach.Id.PadRight(nameWidth)}{Gap}{painter.Paint(Dim, text)}".TrimEnd());
                continue;
            }

            Verdict[] verdicts = cells[row];
            w.WriteLine(Row(approach.Id.PadRight(nameWidth), verdicts.Select((v, i) => painter.Paint(Painter.Of(v.Level), Cell(v).PadRight(widths[i])))).TrimEnd());
        }

        w.WriteLine();
        w.WriteLine(painter.Paint(Dim, $"✓ good  ~ fair  ✗ poor  – not measured · latency ↓ of polling is judged against its {Ms(r.Settings.PollIntervalMs)} interval (~ while p99 ≤ {Ms(CompareVerdicts.PollingBoundMs(r))}) · the thresholds are in the Markdown and HTML reports"));
        foreach (ApproachResult approach in untold)
        {
            w.WriteLine($"{approach.Id} did not run: {approach.Error}");
        }
    }

    private static void WriteSurvival(TextWriter w, CompareReport r, Painter painter)
    {
        var grid = new SurvivalGrid(r);
        int nameWidth = Math.Max("approach".Length, grid.Approaches.Select(a => a.Length).DefaultIfEmpty(0).Max());
        int[] widths = grid.Faults.Select(f => Math.Max(f.Length, grid.Approaches.Select(a => grid.Cell(a, f) is { } c ? SurvivalCell(c).Length : 1).DefaultIfEmpty(0).Max())).ToArray();

        w.WriteLine(painter.Paint(Bold, "survival through the fault proxy") + painter.Paint(Dim, " (works · noticed a dead flow in · lost)"));
        w.WriteLine(painter.Paint(Bold, Row("approach".PadRight(nameWidth), grid.Faults.Select((f, i) => f.PadRight(widths[i])))));
        foreach (string approach in grid.Approaches)
        {
            w.WriteLine(Row(approach.PadRight(nameWidth), grid.Faults.Select((f, i) => grid.Cell(approach, f) is { } c
                ? painter.Paint(Painter.Of(SurvivalLevel(c)), SurvivalCell(c).PadRight(widths[i]))
                : painter.Paint(Dim, "–".PadRight(widths[i])))).TrimEnd());
        }

        var failures = grid.Approaches.SelectMany(a => grid.Faults.Select(f => grid.Cell(a, f))).OfType<SurvivalResult>().Where(c => !c.Works || !c.Integrity.Clean).ToList();
        if (failures.Count > 0)
        {
            w.WriteLine();
            foreach (SurvivalResult failure in failures)
            {
                w.WriteLine(painter.Paint(Painter.Of(VerdictLevel.Poor), $"  ✗ {failure.Approach} through {failure.Fault}: {failure.Detail}"));
            }
        }
    }

    /// <summary>A survival cell is poor when it did not work or lost anything.</summary>
    internal static VerdictLevel SurvivalLevel(SurvivalResult result) =>
        result.Works && result.Integrity.Clean ? VerdictLevel.Good : VerdictLevel.Poor;

    private static string SurvivalCell(SurvivalResult result) => $"{Verdict.MarkOf(SurvivalLevel(result))} {SurvivalGrid.Brief(result)}";

    private static string Cell(Verdict verdict) => verdict.Level == VerdictLevel.NotMeasured ? verdict.Mark : $"{verdict.Mark} {verdict.Text}";

    private static string Row(string name, IEnumerable<string> cells)
    {
        var line = new StringBuilder(name);
        foreach (string cell in cells)
        {
            line.Append(Gap).Append(cell);
        }

        return line.ToString();
    }

    /// <summary>Wraps text in an ANSI style when color is on.</summary>
    private sealed class Painter(bool color)
    {
        public static string Of(VerdictLevel level) => level switch
        {
            VerdictLevel.Good => "\u001b[32m",
            VerdictLevel.Fair => "\u001b[33m",
            VerdictLevel.Poor => "\u001b[1;31m",
            _ => Dim,
        };

        public string Paint(string style, string text) => color ? $"{style}{text}{Reset}" : text;
    }
}
