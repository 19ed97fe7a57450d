using System.Net;
using System.Text;
using static Duplex.Cli.Compare.Reports.ReportFormat;

namespace Duplex.Cli.Compare.Reports;

/// <summary>
/// The <c>--html</c> report: one self-contained file (inline CSS, inline SVG charts drawn here, no
/// script, font or sheet from anywhere) with the table in colored verdicts, the notes, the latency
/// distributions, bytes and requests per message, the survival grid, the settings, the raw numbers
/// and the legend. Every text from the report is HTML-encoded.
/// </summary>
internal static class HtmlReport
{
    public static string Render(CompareReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        CompareSettingsReport s = r.Settings;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append($"<title>duplex compare: {E(s.Target)}, {s.Clients} clients, {E(Time(r.StartedAt))}</title>\n");
        html.Append("<style>\n").Append(HtmlReportStyle.Css).Append("\n</style>\n</head>\n<body>\n<main>\n");
        html.Append("<header>\n<h1>duplex compare</h1>\n");
        html.Append($"<p class=\"sub\">{E(s.Target)} · {s.Clients} clients · {E(Seconds(s.DurationSeconds))} per workload · {E(Bytes(s.MessageBytes))} messages · Duplex {E(r.DuplexVersion)} · {E(Time(r.StartedAt))} · took {E(Seconds(r.WallSeconds))}</p>\n");
        html.Append($"<pre class=\"command\"><code>{E(s.CommandLine)}</code></pre>\n</header>\n");

        MainTable(html, r);
        Notes(html, r);
        Charts(html, r);
        Survival(html, r);
        Settings(html, r);
        RawNumbers(html, r);
        Legend(html, r);
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static void MainTable(StringBuilder html, CompareReport r)
    {
        IReadOnlyList<CompareColumn> columns = CompareVerdicts.Columns;
        html.Append("<section class=\"card\" id=\"table\">\n<h2>The table, measured</h2>\n");
        html.Append("<p class=\"sub\">One row per approach, one column per requirement. ✓ good, ~ fair, ✗ poor, – not measured; hover a cell for its detail, the thresholds are in the legend.</p>\n");
        html.Append("<div class=\"scroll\"><table id=\"compare-table\">\n<thead><tr><th>Approach</th>");
        foreach (CompareColumn c in columns)
        {
            html.Append($"<th data-column=\"{c.Key}\" title=\"{E(c.Meaning)}\">{E(c.Title)}<span class=\"unit\">{E(c.Unit)}</span></th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (ApproachResult a in r.Approaches)
        {
            html.Append($"<tr data-approach=\"{E(a.Id)}\">{ApproachHeader(a)}");
            if (!a.Ran)
            {
                html.Append($"<td class=\"v none notrun\" colspan=\"{columns.Count}\">did not run: {E(a.Error ?? "no reason given")}</td>");
            }
            else
            {
                foreach (CompareColumn c in columns)
                {
                    Verdict v = CompareVerdicts.Judge(c, a, r);
                    string text = v.Level == VerdictLevel.NotMeasured ? "" : $" {E(v.Text)}";
                    html.Append($"<td class=\"v {Verdict.ClassOf(v.Level)}\" data-column=\"{c.Key}\" data-verdict=\"{Verdict.ClassOf(v.Level)}\" title=\"{E(v.Detail ?? c.Meaning)}\"><span class=\"mark\">{v.Mark}</span>{text}</td>");
                }
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table></div>\n</section>\n");
    }

    private static string ApproachHeader(ApproachResult a)
    {
        string on = a.Transport is { } t && t != a.Id ? $", on {t}" : "";
        return $"<th scope=\"row\"><span class=\"id\">{E(a.Id)}</span><span class=\"name\">{E(a.Name)}</span><span class=\"where\">HTTP/{E(a.HttpVersion)} · {E(a.Server)}{E(on)}</span></th>";
    }

    private static void Notes(StringBuilder html, CompareReport r)
    {
        if (r.Notes.Count == 0)
        {
            html.Append("<section class=\"card notes clean\" id=\"notes\"><h2>Notes</h2><p>Nothing to report: every approach ran, nothing was lost.</p></section>\n");
            return;
        }

        html.Append("<section class=\"card notes\" id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
        foreach (string note in r.Notes)
        {
            html.Append($"<li>{E(note)}</li>\n");
        }

        html.Append("</ul>\n</section>\n");
    }

    private static void Charts(StringBuilder html, CompareReport r)
    {
        var ran = r.Approaches.Where(a => a.Ran).ToList();
        html.Append("<section class=\"card\" id=\"charts\">\n<h2>Latency</h2>\n<div class=\"charts\">\n");
        double? pollMarker = ran.Any(CompareVerdicts.IsPolling) ? r.Settings.PollIntervalMs : null;
        string pollLabel = $"poll interval {Ms(r.Settings.PollIntervalMs)}";
        html.Append("<figure>\n<h3>Server → client (latency ↓), by percentile</h3>\n");
        html.Append(LatencyChart.Render("latency-down", "latency server to client by percentile", [.. ran.Select(a => new LatencyChart.Series(a.Id, LatencyChart.PointsOf(a.DownLatency)))], pollMarker, pollLabel));
        html.Append(ChartLegend(ran)).Append("</figure>\n");
        html.Append("<figure>\n<h3>Client → server (latency ↑), by percentile</h3>\n");
        html.Append(LatencyChart.Render("latency-up", "latency client to server by percentile", [.. ran.Select(a => new LatencyChart.Series(a.Id, LatencyChart.PointsOf(a.UpLatency)))], null, null));
        html.Append(ChartLegend(ran)).Append("</figure>\n</div>\n");

        html.Append("<h2>What a message costs</h2>\n<div class=\"charts\">\n");
        html.Append("<figure>\n<h3>Bytes on the wire per message (headers and framing included)</h3>\n");
        html.Append(BarChart.Render("bytes-per-message", "bytes per message", ["↓", "↑"],
            [.. ran.Select(a => new BarChart.Group(a.Id,
                [a.Down.Messages > 0 ? a.Down.BytesPerMessage : null, a.Up.Messages > 0 ? a.BytesPerSend : null],
                [a.Down.Messages > 0 ? Bytes(a.Down.BytesPerMessage) : "–", a.Up.Messages > 0 ? Bytes(a.BytesPerSend) : "–"]))]));
        html.Append($"<p class=\"sub\">Payload {E(Bytes(r.Settings.MessageBytes))}. ↓ a push server → client (ticker), both ways of the wire (polls and acknowledgements included); ↑ a send client → server (chat), the bytes that went up to carry it.</p>\n</figure>\n");
        html.Append("<figure>\n<h3>HTTP requests per message</h3>\n");
        html.Append(BarChart.Render("requests-per-message", "requests per message", ["↓", "↑"],
            [.. ran.Select(a => new BarChart.Group(a.Id,
                [a.Down.Messages > 0 ? a.Down.RequestsPerMessage : null, a.Up.Messages > 0 ? a.Up.RequestsPerMessage : null],
                [a.Down.Messages > 0 ? Ratio(a.Down.RequestsPerMessage) : "–", a.Up.Messages > 0 ? Ratio(a.Up.RequestsPerMessage) : "–"]))]));
        html.Append("<p class=\"sub\">0 is one stream carrying every message; 1 is a request per message.</p>\n</figure>\n</div>\n</section>\n");
    }

    private static string ChartLegend(IEnumerable<ApproachResult> approaches) =>
        "<ul class=\"legend\">" + string.Concat(approaches.Select(a => $"<li><span class=\"swatch\" style=\"background:{ApproachPalette.Of(a.Id)}\"></span>{E(a.Id)}</li>")) + "</ul>\n";

    private static void Survival(StringBuilder html, CompareReport r)
    {
        var grid = new SurvivalGrid(r);
        html.Append("<section class=\"card\" id=\"survival\">\n<h2>Survives real infrastructure</h2>\n");
        if (grid.IsEmpty)
        {
            html.Append("<p class=\"sub\">Not run (--no-survival).</p>\n</section>\n");
            return;
        }

        html.Append("<p class=\"sub\">Each approach through each fault of the proxy: works (every message pushed through it arrived, in order, once), how long until the client noticed a dead flow, what was lost.</p>\n");
        html.Append("<div class=\"scroll\"><table id=\"survival-table\">\n<thead><tr><th>Approach</th>");
        foreach (string fault in grid.Faults)
        {
            html.Append($"<th data-fault=\"{E(fault)}\">{E(fault)}<span class=\"unit\">{E(SurvivalGrid.Describe(fault))}</span></th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (string approach in grid.Approaches)
        {
            html.Append($"<tr data-approach=\"{E(approach)}\"><th scope=\"row\"><span class=\"id\">{E(approach)}</span></th>");
            foreach (string fault in grid.Faults)
            {
                if (grid.Cell(approach, fault) is not { } c)
                {
                    html.Append("<td class=\"v none s\">–</td>");
                    continue;
                }

                VerdictLevel level = TerminalTable.SurvivalLevel(c);
                string word = c.Works ? "works" : "fails";
                html.Append($"<td class=\"v s {Verdict.ClassOf(level)}\" data-fault=\"{E(fault)}\" data-verdict=\"{Verdict.ClassOf(level)}\"><span class=\"mark\">{Verdict.MarkOf(level)}</span> {word}");
                html.Append($"<span class=\"detail\">{E(SurvivalGrid.Told(c, approach))}</span><span class=\"detail\">{E(c.Detail)}</span></td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table></div>\n</section>\n");
    }

    private static void Settings(StringBuilder html, CompareReport r)
    {
        CompareSettingsReport s = r.Settings;
        MachineReport m = r.Machine;
        html.Append("<section class=\"card\" id=\"settings\">\n<h2>Settings and machine</h2>\n<dl class=\"settings\">\n");
        (string, string)[] rows =
        [
            ("Target", s.Target),
            ("Clients", s.Clients.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Each timed workload", Seconds(s.DurationSeconds)),
            ("Message payload", Bytes(s.MessageBytes)),
            ("Ticker", $"{Number(s.TickerRate)} messages/s to each client"),
            ("Chat", $"{Number(s.ChatRate)} messages/s from each client, everyone receives"),
            ("Burst", $"{s.BurstCount} messages at once to each client"),
            ("Short polling interval", Ms(s.PollIntervalMs)),
            ("Server heartbeat", Ms(s.HeartbeatMs)),
            ("Clock", ReportFormat.Clock(s)),
            ("Machine", $"{m.Os}, {m.Cores} cores{(m.LoadAverage is double load ? $", load average {Number(load)}" : "")}"),
            ("Runtime", m.Runtime),
            ("Duplex", r.DuplexVersion),
            ("Started", Time(r.StartedAt)),
            ("Wall time", Seconds(r.WallSeconds)),
        ];
        foreach ((string name, string value) in rows)
        {
            html.Append($"<dt>{E(name)}</dt><dd>{E(value)}</dd>\n");
        }

        html.Append("</dl>\n</section>\n");
    }

    private static void RawNumbers(StringBuilder html, CompareReport r)
    {
        var ran = r.Approaches.Where(a => a.Ran).ToList();
        html.Append("<section class=\"card\" id=\"raw\">\n<details>\n<summary>Raw numbers of every workload</summary>\n");
        html.Append("<h3>Latency, ms</h3>\n<div class=\"scroll\"><table class=\"raw\">\n<thead><tr><th>Approach</th><th>Direction</th><th>Messages</th><th>p50</th><th>p90</th><th>p99</th><th>max</th><th>mean</th></tr></thead>\n<tbody>\n");
        foreach (ApproachResult a in ran)
        {
            foreach ((string direction, LatencySummary l) in new[] { ("↓ server → client", a.DownLatency), ("↑ client → server", a.UpLatency) })
            {
                html.Append($"<tr><td>{E(a.Id)}</td><td>{direction}</td><td class=\"n\">{Count(l.Count)}</td><td class=\"n\">{Number(l.P50)}</td><td class=\"n\">{Number(l.P90)}</td><td class=\"n\">{Number(l.P99)}</td><td class=\"n\">{Number(l.Max)}</td><td class=\"n\">{Number(l.Mean)}</td></tr>\n");
            }
        }

        html.Append("</tbody></table></div>\n<h3>Workloads</h3>\n<div class=\"scroll\"><table class=\"raw\">\n<thead><tr><th>Approach</th><th>Workload</th><th>Seconds</th><th>Sent</th><th>Delivered</th><th>Bytes up</th><th>Bytes down</th><th>Requests</th><th>Connections</th></tr></thead>\n<tbody>\n");
        foreach (ApproachResult a in ran)
        {
            foreach (WorkloadResult w in a.Workloads)
            {
                html.Append($"<tr><td>{E(a.Id)}</td><td>{E(w.Workload)}</td><td class=\"n\">{Number(w.Seconds)}</td><td class=\"n\">{Count(w.MessagesSent)}</td><td class=\"n\">{Count(w.MessagesDelivered)}</td><td class=\"n\">{Count(w.BytesUp)}</td><td class=\"n\">{Count(w.BytesDown)}</td><td class=\"n\">{Count(w.Requests)}</td><td class=\"n\">{Count(w.Connections)}</td></tr>\n");
            }
        }

        html.Append("</tbody></table></div>\n<h3>Burst, idle, full-duplex</h3>\n<div class=\"scroll\"><table class=\"raw\">\n<thead><tr><th>Approach</th><th>Transport</th><th>Burst</th><th>Idle</th><th>Full-duplex evidence</th></tr></thead>\n<tbody>\n");
        foreach (ApproachResult a in ran)
        {
            string burst = a.Burst.Count > 0 ? $"{a.Burst.Count} in {Ms(a.Burst.Milliseconds)} ({Number(a.Burst.MessagesPerSecond)} msg/s)" : "–";
            string idle = a.Idle.Seconds > 0 ? $"{Bytes(a.Idle.BytesPerClientPerSecond)}/s, {Ratio(a.Idle.RequestsPerClientPerSecond)} req/s per client" : "–";
            FullDuplexResult d = a.FullDuplex;
            html.Append($"<tr><td>{E(a.Id)}</td><td>{E(a.Transport ?? a.Id)}</td><td>{E(burst)}</td><td>{E(idle)}</td><td>{E($"{Count(d.Overlapping)} of {Count(d.UpstreamTransfers)} overlapping on {Count(d.ConnectionsUsed)} connection(s): {d.Evidence}")}</td></tr>\n");
        }

        html.Append("</tbody></table></div>\n</details>\n</section>\n");
    }

    private static void Legend(StringBuilder html, CompareReport r)
    {
        html.Append("<section class=\"card\" id=\"legend\">\n<h2>What each column means</h2>\n<dl class=\"legend\">\n");
        foreach (CompareColumn c in CompareVerdicts.Columns)
        {
            html.Append($"<dt>{E(c.Title)} <span class=\"sub\">({E(c.Unit)})</span></dt><dd>{E(c.Meaning)} {E(c.Thresholds)}</dd>\n");
        }

        html.Append($"<dt>Short polling</dt><dd>{E($"Polls every {Ms(r.Settings.PollIntervalMs)} here: its latency ↓ is ~ while p99 ≤ {Ms(CompareVerdicts.PollingBoundMs(r))}, the dashed line of the chart.")}</dd>\n");
        html.Append("</dl>\n</section>\n");
    }
}
