using Duplex.Cli.Compare;

namespace Duplex.Tests.Compare;

/// <summary>A short compare run, read the way a person choosing a transport reads it.</summary>
[Collection(CompareRunFixture.Collection)]
public sealed class CompareCommandTests(CompareRunFixture run) : IClassFixture<CompareRunFixture>
{
    private static readonly string[] Approaches = ["polling", "long-polling", "sse", "sse-h2", "websocket", "websocket-h2", "auto"];

    private static readonly string[] Faults = ["refuse-upgrades", "buffer-responses", "forget-idle-flows", "random-resets"];

    [Fact]
    public void Every_approach_ran_and_lost_duplicated_and_reordered_nothing()
    {
        Assert.True(run.Exit == 0, $"exit {run.Exit}; stdout: {run.Out} stderr: {run.Error}");
        Assert.Equal(Approaches, run.Report.Approaches.Select(a => a.Id));
        foreach (ApproachResult a in run.Report.Approaches)
        {
            Assert.True(a.Ran, $"{a.Id} did not run: {a.Error}");
            Assert.True(a.Integrity.Expected > 0, $"{a.Id} expected nothing");
            Assert.True(a.Integrity.Clean && a.Integrity.Delivered == a.Integrity.Expected, $"{a.Id}: {a.Integrity}");
            Assert.True(a.DownLatency.Count > 0 && a.UpLatency.Count > 0, $"{a.Id}: no latencies");
            Assert.True(a.Down.Messages > 0 && a.Down.BytesDownPerMessage > 0, $"{a.Id}: no down cost");
            Assert.True(a.Up.Messages > 0 && a.Up.BytesUpPerMessage > 0, $"{a.Id}: no up cost");
            Assert.True(a.ConnectionsPerClient >= 1, $"{a.Id}: {a.ConnectionsPerClient} connections per client");
            Assert.NotNull(a.ServerCost.CpuMillisecondsPerClientSecond);
            Assert.Equal(["ticker", "chat", "burst", "idle"], a.Workloads.Select(w => w.Workload));
        }
    }

    [Fact]
    public void Full_duplex_is_what_the_sockets_showed()
    {
        Dictionary<string, ApproachResult> rows = run.Report.Approaches.ToDictionary(a => a.Id);
        foreach (string id in (string[])["websocket", "websocket-h2", "sse-h2"])
        {
            Assert.True(rows[id].FullDuplex.Observed, $"{id}: {rows[id].FullDuplex.Evidence}");
        }

        foreach (string id in (string[])["polling", "long-polling", "sse"])
        {
            Assert.False(rows[id].FullDuplex.Observed, $"{id}: {rows[id].FullDuplex.Evidence}");
            Assert.True(rows[id].FullDuplex.UpstreamTransfers > 0, $"{id}: no upstream transfer seen");
        }

        // One TCP connection carries a whole session over WebSocket and over HTTP/2.
        Assert.Equal(1, rows["websocket-h2"].ConnectionsPerClient);
        Assert.Equal(1, rows["sse-h2"].ConnectionsPerClient);
        Assert.True(rows["polling"].Down.RequestsPerMessage > rows["websocket"].Down.RequestsPerMessage);
    }

    [Fact]
    public void Survival_has_every_approach_through_every_fault_and_the_expected_verdicts()
    {
        Assert.Equal(Approaches.Length * Faults.Length, run.Report.Survival.Count);
        foreach (string fault in Faults)
        {
            Assert.Equal(Approaches, run.Report.Survival.Where(s => s.Fault == fault).Select(s => s.Approach));
        }

        SurvivalResult Cell(string fault, string approach) => run.Report.Survival.Single(s => s.Fault == fault && s.Approach == approach);

        // An HTTP-only proxy stops a pinned WebSocket; the automatic client falls back and loses nothing.
        Assert.False(Cell("refuse-upgrades", "websocket").Works, Cell("refuse-upgrades", "websocket").Detail);
        SurvivalResult auto = Cell("refuse-upgrades", "auto");
        Assert.True(auto.Works, auto.Detail);
        Assert.NotEqual("websocket", auto.Transport);

        // A buffering gateway never lets an event stream through; polling passes.
        Assert.False(Cell("buffer-responses", "sse").Works, Cell("buffer-responses", "sse").Detail);
        Assert.True(Cell("buffer-responses", "polling").Works, Cell("buffer-responses", "polling").Detail);
        Assert.True(Cell("buffer-responses", "auto").Works, Cell("buffer-responses", "auto").Detail);

        // Sessions resume through resets with nothing lost (a cell that did not work says why).
        foreach (SurvivalResult cell in run.Report.Survival)
        {
            Assert.True(cell.Integrity.Duplicated == 0 && cell.Integrity.Reordered == 0, $"{cell.Approach} through {cell.Fault}: {cell.Integrity} {cell.Detail}");
        }

        SurvivalResult resets = Cell("random-resets", "websocket");
        Assert.True(resets.Works, resets.Detail);
    }

    [Fact]
    public void The_terminal_table_the_markdown_and_the_saved_report_are_written()
    {
        // The terminal table names each row by its id (the names are long for a terminal).
        foreach (ApproachResult a in run.Report.Approaches)
        {
            Assert.Contains(a.Id, run.Out, StringComparison.Ordinal);
        }

        string markdown = File.ReadAllText(run.MarkdownFile);
        Assert.Contains("| ", markdown, StringComparison.Ordinal);
        foreach (string id in Approaches)
        {
            Assert.Contains(run.Report.Approaches.Single(a => a.Id == id).Name, markdown, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(run.StoreFolder, "last.json")), "the report was not kept for duplex serve");
        Assert.True(File.Exists(Path.Combine(run.StoreFolder, "last.html")), "the HTML report was not kept for duplex serve");
        Assert.True(File.Exists(run.HtmlFile));
    }
}
