using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Reports;
using Duplex.Cli.Compare.Wire;

namespace Duplex.Tests.Compare;

/// <summary>The judgement of each cell (<see cref="CompareVerdicts"/>), on controlled rows.</summary>
public sealed class ReportVerdictTests
{
    private static readonly CompareReport Sample = CompareReportSamples.Create();

    private static Verdict Judge(CompareColumnId column, string approach, CompareReport? report = null)
    {
        report ??= Sample;
        return CompareVerdicts.Judge(CompareVerdicts.Column(column), report.Approaches.Single(a => a.Id == approach), report);
    }

    [Fact]
    public void The_columns_are_the_seed_table_in_order_each_with_a_legend()
    {
        Assert.Equal(
            ["persistent", "full-duplex", "latency-down", "latency-up", "reliable", "bytes-down", "bytes-up", "idle", "server-cpu", "server-memory", "survives"],
            CompareVerdicts.Columns.Select(c => c.Key));
        Assert.All(CompareVerdicts.Columns, c =>
        {
            Assert.False(string.IsNullOrWhiteSpace(c.Meaning));
            Assert.Contains("✓", c.Thresholds, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Polling_latency_is_judged_against_its_interval()
    {
        // p99 497 ms: what a poll every 500 ms gives (fair); the same for WebSocket is poor.
        Verdict polling = Judge(CompareColumnId.LatencyDown, "polling");
        Assert.Equal(VerdictLevel.Fair, polling.Level);
        Assert.Equal("248 / 497 ms", polling.Text);
        Assert.Contains("500 ms", polling.Detail, StringComparison.Ordinal);

        CompareReport faster = Sample with { Settings = Sample.Settings with { PollIntervalMs = 100 } };
        Assert.Equal(VerdictLevel.Poor, Judge(CompareColumnId.LatencyDown, "polling", faster).Level);

        ApproachResult slowWebSocket = Sample.Approaches.Single(a => a.Id == "websocket") with { DownLatency = Sample.Approaches[0].DownLatency };
        Assert.Equal(VerdictLevel.Poor, CompareVerdicts.Judge(CompareVerdicts.Column(CompareColumnId.LatencyDown), slowWebSocket, Sample).Level);

        // Client → server, polling POSTs: not bound by the interval, judged as any other.
        Assert.Equal(VerdictLevel.Good, Judge(CompareColumnId.LatencyUp, "polling").Level);
    }

    [Fact]
    public void Auto_ending_on_polling_is_judged_against_the_interval_too()
    {
        CompareReport report = Sample with
        {
            Approaches = [.. Sample.Approaches.Select(a => a.Id == "auto" ? a with { Transport = "polling", DownLatency = Sample.Approaches[0].DownLatency } : a)],
        };

        Assert.Equal(VerdictLevel.Fair, Judge(CompareColumnId.LatencyDown, "auto", report).Level);
    }

    [Theory]
    [InlineData(2, 0, 0, "2 / 0 / 0")]
    [InlineData(0, 1, 0, "0 / 1 / 0")]
    [InlineData(0, 0, 3, "0 / 0 / 3")]
    public void Any_message_lost_duplicated_or_reordered_is_poor(long lost, long duplicated, long reordered, string text)
    {
        CompareReport report = CompareReportSamples.WithIntegrity(Sample, "websocket", new Integrity(3350, 3350 - lost, lost, duplicated, reordered));

        Verdict verdict = Judge(CompareColumnId.Reliable, "websocket", report);

        Assert.Equal(VerdictLevel.Poor, verdict.Level);
        Assert.Equal(text, verdict.Text);
        Assert.Equal(new Verdict(VerdictLevel.Good, "0 / 0 / 0"), Judge(CompareColumnId.Reliable, "sse", report) with { Detail = null });
    }

    [Fact]
    public void The_sample_cells_read_as_the_seed_table_says()
    {
        Assert.Equal(VerdictLevel.Poor, Judge(CompareColumnId.Persistent, "polling").Level);       // 2 requests/s while idle
        Assert.Equal(VerdictLevel.Fair, Judge(CompareColumnId.Persistent, "long-polling").Level);  // a held request per message
        Assert.Equal(VerdictLevel.Good, Judge(CompareColumnId.Persistent, "websocket").Level);
        Assert.Equal(VerdictLevel.Poor, Judge(CompareColumnId.FullDuplex, "sse").Level);
        Assert.Equal(VerdictLevel.Good, Judge(CompareColumnId.FullDuplex, "sse-h2").Level);
        Assert.Equal("yes 100%", Judge(CompareColumnId.FullDuplex, "websocket").Text);
        Assert.Equal(VerdictLevel.Poor, Judge(CompareColumnId.Reliable, "long-polling").Level);
        Assert.Equal(VerdictLevel.Good, Judge(CompareColumnId.BytesDown, "websocket").Level);
        Assert.Equal(VerdictLevel.Fair, Judge(CompareColumnId.BytesUp, "sse").Level);             // 384 B: a POST per message
        Assert.Equal(VerdictLevel.Poor, Judge(CompareColumnId.IdleCost, "polling").Level);
        Assert.Equal(new Verdict(VerdictLevel.Fair, "3/4"), Judge(CompareColumnId.Survives, "websocket") with { Detail = null });
        Assert.Equal(new Verdict(VerdictLevel.Good, "4/4"), Judge(CompareColumnId.Survives, "auto") with { Detail = null });
        Assert.Equal(VerdictLevel.Fair, Judge(CompareColumnId.Survives, "long-polling").Level);
    }

    [Fact]
    public void A_push_is_charged_both_ways_and_a_send_only_the_bytes_that_went_up()
    {
        // websocket: a push 72 B down + 0.3 B of acknowledgements up; a send 78 B up, while the
        // 0.6 B down of the chat window is the fan-out's, not the send's.
        Assert.Equal("72 B", Judge(CompareColumnId.BytesDown, "websocket").Text);
        Assert.Equal("78 B", Judge(CompareColumnId.BytesUp, "websocket").Text);

        // A chat window heavy with fan-out does not make a cheap send look dear.
        CompareReport fanOut = Sample with
        {
            Approaches = [.. Sample.Approaches.Select(a => a.Id == "websocket" ? a with { Up = new WireCost(150, 5000, 900, 0), BytesPerSend = 100 } : a)],
        };
        Verdict send = Judge(CompareColumnId.BytesUp, "websocket", fanOut);
        Assert.Equal(new Verdict(VerdictLevel.Good, "100 B"), send with { Detail = null });
        Assert.Contains("100 B went up per message sent", send.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_send_is_what_went_up_less_what_receiving_costs_upward()
    {
        // WebSocket: the ticker's 120 deliveries took 840 B up (acknowledgements, 7 B each); the chat's
        // 150 deliveries cost as much, 1,050 B; the 30 sends carried the other 3,570 B: 119 B each.
        WireCounts ticker = new(840, 17_800, 0, 0, 10, 10);
        WireCounts chat = new(4620, 29_160, 0, 0, 60, 60);
        Assert.Equal(119, Duplex.Cli.Compare.Run.ApproachRunner.SendCost(ticker, 120, chat, 30, 150), 6);

        // Long polling: each delivery re-polls (105 B up each); what is left is the POST of each send.
        WireCounts lpTicker = new(12_600, 36_800, 0, 120, 120, 0);
        WireCounts lpChat = new(23_250, 55_440, 0, 180, 180, 0);
        Assert.Equal(250, Duplex.Cli.Compare.Run.ApproachRunner.SendCost(lpTicker, 120, lpChat, 30, 150), 6);

        // Never below nothing, and nothing sent costs nothing.
        Assert.Equal(0, Duplex.Cli.Compare.Run.ApproachRunner.SendCost(lpTicker, 120, new WireCounts(100, 0, 0, 0, 1, 0), 30, 150));
        Assert.Equal(0, Duplex.Cli.Compare.Run.ApproachRunner.SendCost(ticker, 120, chat, 0, 0));
    }

    [Fact]
    public void Server_cpu_is_judged_against_the_least_of_the_run()
    {
        // The least is websocket's 0.3 ms/s: 2.1 is 7×, 0.6 is 2×, 0.3 itself 1×.
        Assert.Equal(VerdictLevel.Poor, Judge(CompareColumnId.ServerCpu, "polling").Level);
        Assert.Equal(VerdictLevel.Fair, Judge(CompareColumnId.ServerCpu, "sse").Level);
        Verdict least = Judge(CompareColumnId.ServerCpu, "websocket");
        Assert.Equal(new Verdict(VerdictLevel.Good, "0.3 ms/s"), least with { Detail = null });
        Assert.Contains("1.0× the least", least.Detail, StringComparison.Ordinal);

        // Alone in a run, an approach is its own yardstick.
        CompareReport alone = Sample with { Approaches = [.. Sample.Approaches.Where(a => a.Id == "polling")], Survival = [] };
        Assert.Equal(VerdictLevel.Good, Judge(CompareColumnId.ServerCpu, "polling", alone).Level);
    }

    [Fact]
    public void What_was_not_measured_is_not_judged()
    {
        CompareReport report = Sample with
        {
            Survival = [],
            Approaches = [.. Sample.Approaches.Select(a => a with { ServerCost = ServerCost.None, Idle = IdleCost.None, FullDuplex = FullDuplexResult.None })],
        };

        foreach (CompareColumnId column in new[] { CompareColumnId.Survives, CompareColumnId.ServerCpu, CompareColumnId.ServerMemory, CompareColumnId.IdleCost, CompareColumnId.FullDuplex })
        {
            Verdict verdict = Judge(column, "websocket", report);
            Assert.Equal(VerdictLevel.NotMeasured, verdict.Level);
            Assert.Equal("–", verdict.Mark);
        }
    }

    [Fact]
    public void A_row_that_did_not_run_is_not_measured_in_every_column_and_says_why()
    {
        CompareReport report = CompareReportSamples.WithNotRan(Sample, "sse-h2", "h2c refused");

        Assert.All(CompareVerdicts.Columns, c =>
        {
            Verdict verdict = CompareVerdicts.Judge(c, report.Approaches.Single(a => a.Id == "sse-h2"), report);
            Assert.Equal(VerdictLevel.NotMeasured, verdict.Level);
            Assert.Contains("h2c refused", verdict.Detail, StringComparison.Ordinal);
        });
    }
}
