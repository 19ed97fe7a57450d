using System.Text;
using static Duplex.Cli.Compare.Reports.ReportFormat;

namespace Duplex.Cli.Compare.Reports;

/// <summary>
/// The <c>--md</c> report: heading, settings, machine and the command that ran, the table, the
/// survival table, the raw numbers of every workload, the notes and a legend of the columns and
/// their thresholds. GitHub-flavoured Markdown.
/// </summary>
internal static class MarkdownReport
{
    public static string Render(CompareReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var md = new StringBuilder();
        CompareSettingsReport s = r.Settings;
        md.AppendLine($"# duplex compare: {Escape(s.Target)}, {s.Clients} clients").AppendLine();
        md.AppendLine($"Measured by Duplex {Escape(r.DuplexVersion)} on {Time(r.StartedAt)}, in {Seconds(r.WallSeconds)}. Every approach ran the same workloads; each cell is a number and a verdict (✓ good, ~ fair, ✗ poor, – not measured; the thresholds are in the legend below).").AppendLine();
        md.AppendLine("```").AppendLine(s.CommandLine.Replace("```", "` ` `", StringComparison.Ordinal)).AppendLine("```").AppendLine();
        Settings(md, r);
        MainTable(md, r);
        Survival(md, r);
        RawNumbers(md, r);
        if (r.Notes.Count > 0)
        {
            md.AppendLine("## Notes").AppendLine();
            foreach (string note in r.Notes)
            {
                md.AppendLine($"- {Escape(note)}");
            }

            md.AppendLine();
        }

        Legend(md, r);
        return md.ToString();
    }

    private static void Settings(StringBuilder md, CompareReport r)
    {
        CompareSettingsReport s = r.Settings;
        MachineReport m = r.Machine;
        md.AppendLine("| Setting | Value |").AppendLine("|---|---|");
        md.AppendLine($"| Target | {Escape(s.Target)} |");
        md.AppendLine($"| Clients | {s.Clients} |");
        md.AppendLine($"| Each timed workload | {Seconds(s.DurationSeconds)} |");
        md.AppendLine($"| Message payload | {Bytes(s.MessageBytes)} |");
        md.AppendLine($"| Ticker | {Number(s.TickerRate)} messages/s to each client |");
        md.AppendLine($"| Chat | {Number(s.ChatRate)} messages/s from each client, everyone receives |");
        md.AppendLine($"| Burst | {s.BurstCount} messages at once to each client |");
        md.AppendLine($"| Short polling interval | {Ms(s.PollIntervalMs)} |");
        md.AppendLine($"| Server heartbeat | {Ms(s.HeartbeatMs)} |");
        md.AppendLine($"| Clock | {Escape(ReportFormat.Clock(s))} |");
        md.AppendLine($"| Machine | {Escape(m.Os)}, {m.Cores} cores, {Escape(m.Runtime)}{(m.LoadAverage is double load ? $", load average {Number(load)}" : "")} |");
        md.AppendLine();
    }

    private static void MainTable(StringBuilder md, CompareReport r)
    {
        IReadOnlyList<CompareColumn> columns = CompareVerdicts.Columns;
        md.AppendLine("## The table").AppendLine();
        md.Append("| Approach |");
        foreach (CompareColumn c in columns)
        {
            md.Append($" {Escape(c.Title)}<br>{Escape(c.Unit)} |");
        }

        md.AppendLine().Append("|---|").AppendLine(string.Concat(columns.Select(_ => "---|")));
        foreach (ApproachResult a in r.Approaches)
        {
            md.Append($"| {ApproachCell(a)} |");
            foreach (CompareColumn c in columns)
            {
                Verdict v = CompareVerdicts.Judge(c, a, r);
                string cell = v.Level == VerdictLevel.NotMeasured ? v.Mark : $"{v.Mark} {Escape(v.Text)}";
                md.Append($" {(v.Level == VerdictLevel.Poor ? $"**{cell}**" : cell)} |");
            }

            md.AppendLine();
        }

        md.AppendLine();
    }

    private static string ApproachCell(ApproachResult a)
    {
        string where = $"HTTP/{Escape(a.HttpVersion)}, {Escape(a.Server)}{(a.Transport is { } t && t != a.Id ? $", on {Escape(t)}" : "")}";
        string cell = $"**{Escape(a.Id)}**<br>{Escape(a.Name)} ({where})";
        return a.Ran ? cell : $"{cell}<br>**did not run:** {Escape(a.Error ?? "no reason given")}";
    }

    private static void Survival(StringBuilder md, CompareReport r)
    {
        var grid = new SurvivalGrid(r);
        if (grid.IsEmpty)
        {
            return;
        }

        md.AppendLine("## Survival through the fault proxy").AppendLine();
        md.AppendLine("Each cell: works (every message pushed through the fault arrived, in order, once), how long until the client noticed a dead flow, what was lost, and what happened.").AppendLine();
        md.Append("| Approach |").AppendLine(string.Concat(grid.Faults.Select(f => $" {Escape(f)} |")));
        md.Append("|---|").AppendLine(string.Concat(grid.Faults.Select(_ => "---|")));
        foreach (string approach in grid.Approaches)
        {
            md.Append($"| **{Escape(approach)}** |");
            foreach (string fault in grid.Faults)
            {
                if (grid.Cell(approach, fault) is not { } c)
                {
                    md.Append(" – |");
                    continue;
                }

                VerdictLevel level = TerminalTable.SurvivalLevel(c);
                string head = $"{Verdict.MarkOf(level)} {(c.Works ? "works" : "fails")}";
                md.Append($" {(level == VerdictLevel.Poor ? $"**{head}**" : head)}<br>{Escape(SurvivalGrid.Told(c, approach))}<br>{Escape(c.Detail)} |");
            }

            md.AppendLine();
        }

        md.AppendLine();
    }

    private static void RawNumbers(StringBuilder md, CompareReport r)
    {
        var ran = r.Approaches.Where(a => a.Ran).ToList();
        if (ran.Count == 0)
        {
            return;
        }

        md.AppendLine("## Raw numbers").AppendLine();
        md.AppendLine("### Latency (ms)").AppendLine();
        md.AppendLine("| Approach | Direction | Messages | p50 | p90 | p99 | max | mean |").AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (ApproachResult a in ran)
        {
            foreach ((string direction, LatencySummary l) in new[] { ("↓ server → client", a.DownLatency), ("↑ client → server", a.UpLatency) })
            {
                md.AppendLine($"| {Escape(a.Id)} | {direction} | {Count(l.Count)} | {Number(l.P50)} | {Number(l.P90)} | {Number(l.P99)} | {Number(l.Max)} | {Number(l.Mean)} |");
            }
        }

        md.AppendLine().AppendLine("### Workloads").AppendLine();
        md.AppendLine("| Approach | Workload | Seconds | Sent | Delivered | Bytes up | Bytes down | Requests | Connections |").AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ApproachResult a in ran)
        {
            foreach (WorkloadResult wl in a.Workloads)
            {
                md.AppendLine($"| {Escape(a.Id)} | {Escape(wl.Workload)} | {Number(wl.Seconds)} | {Count(wl.MessagesSent)} | {Count(wl.MessagesDelivered)} | {Count(wl.BytesUp)} | {Count(wl.BytesDown)} | {Count(wl.Requests)} | {Count(wl.Connections)} |");
            }
        }

        md.AppendLine().AppendLine("### Wire, burst, idle and full-duplex").AppendLine();
        md.AppendLine("| Approach | Transport | ↓ bytes down/up per msg | ↓ requests/msg | ↑ chat window bytes down/up per msg sent | ↑ bytes up per send | ↑ requests/msg | Burst | Idle | Full-duplex evidence |").AppendLine("|---|---|---:|---:|---:|---:|---:|---|---|---|");
        foreach (ApproachResult a in ran)
        {
            string burst = a.Burst.Count > 0 ? $"{a.Burst.Count} in {Ms(a.Burst.Milliseconds)} ({Number(a.Burst.MessagesPerSecond)} msg/s)" : "–";
            string idle = a.Idle.Seconds > 0 ? $"{Bytes(a.Idle.BytesPerClientPerSecond)}/s, {Ratio(a.Idle.RequestsPerClientPerSecond)} req/s" : "–";
            FullDuplexResult d = a.FullDuplex;
            string duplex = $"{Count(d.Overlapping)} of {Count(d.UpstreamTransfers)} overlapping on {Count(d.ConnectionsUsed)} connection(s): {Escape(d.Evidence)}";
            md.AppendLine($"| {Escape(a.Id)} | {Escape(a.Transport ?? a.Id)} | {Number(a.Down.BytesDownPerMessage)} / {Number(a.Down.BytesUpPerMessage)} | {Ratio(a.Down.RequestsPerMessage)} | {Number(a.Up.BytesDownPerMessage)} / {Number(a.Up.BytesUpPerMessage)} | {Number(a.BytesPerSend)} | {Ratio(a.Up.RequestsPerMessage)} | {burst} | {idle} | {duplex} |");
        }

        md.AppendLine();
    }

    private static void Legend(StringBuilder md, CompareReport r)
    {
        md.AppendLine("## Legend").AppendLine();
        md.AppendLine("✓ good, ~ fair, ✗ poor (**bold**), – not measured.").AppendLine();
        foreach (CompareColumn c in CompareVerdicts.Columns)
        {
            md.AppendLine($"- **{Escape(c.Title)}** ({Escape(c.Unit)}): {Escape(c.Meaning)} {Escape(c.Thresholds)}");
        }

        md.AppendLine($"- Short polling here polls every {Ms(r.Settings.PollIntervalMs)}: its latency ↓ is ~ while p99 ≤ {Ms(CompareVerdicts.PollingBoundMs(r))}.");
        md.AppendLine();
        md.AppendLine("Faults of the proxy:").AppendLine();
        foreach (string fault in SurvivalGrid.KnownFaults)
        {
            md.AppendLine($"- **{fault}**: {SurvivalGrid.Describe(fault)}.");
        }
    }

    /// <summary>Text in a Markdown table cell: pipes escaped, no line breaks, no raw HTML.</summary>
    internal static string Escape(string text) => text
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("|", "\\|", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\r", "", StringComparison.Ordinal)
        .Replace("\n", " ", StringComparison.Ordinal);
}
