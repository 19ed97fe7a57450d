using Duplex.Cli.Compare;

namespace Duplex.Tests.Compare;

/// <summary>
/// A realistic <see cref="CompareReport"/> for the renderers' tests and any other that needs one:
/// a loopback run of all seven approaches (5 clients, 3 s per workload, 64-byte messages, polling
/// every 500 ms) with numbers of the size such a run measures, the four faults of the proxy for
/// every approach, and one finding: long-polling lost 2 messages across a reset (in its row and in
/// its random-resets survival cell).
/// </summary>
internal static class CompareReportSamples
{
    public static readonly IReadOnlyList<string> ApproachIds = ["polling", "long-polling", "sse", "sse-h2", "websocket", "websocket-h2", "auto"];

    public static readonly IReadOnlyList<string> Faults = ["refuse-upgrades", "buffer-responses", "forget-idle-flows", "random-resets"];

    /// <summary>The approach that lost messages in <see cref="Create"/>.</summary>
    public const string LossyApproach = "long-polling";

    public static CompareReport Create() => new()
    {
        DuplexVersion = "0.13.0",
        StartedAt = new DateTimeOffset(2026, 11, 2, 14, 3, 7, TimeSpan.Zero),
        WallSeconds = 41.6,
        Settings = new CompareSettingsReport
        {
            Target = "loopback",
            Clients = 5,
            DurationSeconds = 3,
            MessageBytes = 64,
            TickerRate = 20,
            ChatRate = 2,
            BurstCount = 200,
            PollIntervalMs = 500,
            HeartbeatMs = 5000,
            CommandLine = "duplex compare --clients 5 --duration 3 --json compare.json --md compare.md --html compare.html",
        },
        Machine = new MachineReport("Debian GNU/Linux 12 (bookworm) x64", 2, ".NET 10.0.0", 0.84),
        Approaches =
        [
            Row("polling", "Short polling (every 500 ms)", "1.1", "built-in",
                down: Latency(1500, 248, 452, 497, 512), up: Latency(150, 1.1, 2.3, 4.1, 6.0),
                duplex: new FullDuplexResult(false, 150, 0, 2, "each poll and each POST is its own request; a poll answers at once"),
                downCost: new WireCost(1500, 118, 41, 0.10), upCost: new WireCost(150, 158, 236, 1.0), connections: 1.4,
                idle: new IdleCost(3, 780, 2.0), burst: new BurstResult(200, 486, 2058), cost: new ServerCost(2.1, 48 * 1024),
                integrity: new Integrity(3350, 3350, 0, 0, 0)),
            Row("long-polling", "Long polling", "1.1", "built-in",
                down: Latency(1500, 1.8, 4.2, 9.6, 21), up: Latency(150, 1.2, 2.6, 4.6, 7.1),
                duplex: new FullDuplexResult(false, 150, 0, 2, "POSTs go on a second connection while the poll is held"),
                downCost: new WireCost(1500, 214, 196, 0.92), upCost: new WireCost(150, 160, 238, 1.0), connections: 1.6,
                idle: new IdleCost(3, 88, 0.2), burst: new BurstResult(200, 61, 16_393), cost: new ServerCost(1.8, 40 * 1024),
                integrity: new Integrity(3350, 3348, 2, 0, 0)),
            Row("sse", "Server-Sent Events + POST", "1.1", "built-in",
                down: Latency(1500, 0.9, 1.9, 3.8, 8.4), up: Latency(150, 1.0, 2.2, 4.2, 6.3),
                duplex: new FullDuplexResult(false, 150, 0, 2, "POSTs go on a second connection; the stream's connection only reads"),
                downCost: new WireCost(1500, 96, 0.4, 0.002), upCost: new WireCost(150, 152, 232, 1.0), connections: 2.0,
                idle: new IdleCost(3, 9, 0), burst: new BurstResult(200, 12, 83_333), cost: new ServerCost(0.6, 36 * 1024),
                integrity: new Integrity(3350, 3350, 0, 0, 0)),
            Row("sse-h2", "Server-Sent Events + POST over HTTP/2", "2", "aspnetcore",
                down: Latency(1500, 1.1, 2.4, 4.9, 11), up: Latency(150, 1.3, 2.9, 5.2, 8.0),
                duplex: new FullDuplexResult(true, 150, 142, 1, "POST streams opened while the event stream was open, on one connection"),
                downCost: new WireCost(1500, 88, 1.2, 0.002), upCost: new WireCost(150, 61, 110, 1.0), connections: 1.0,
                idle: new IdleCost(3, 14, 0), burst: new BurstResult(200, 15, 66_667), cost: new ServerCost(0.9, 52 * 1024),
                integrity: new Integrity(3350, 3350, 0, 0, 0)),
            Row("websocket", "WebSocket", "1.1", "built-in",
                down: Latency(1500, 0.4, 0.9, 1.9, 4.4), up: Latency(150, 0.3, 0.7, 1.5, 2.8),
                duplex: new FullDuplexResult(true, 150, 150, 1, "frames sent while server frames were arriving, on one connection"),
                downCost: new WireCost(1500, 72, 0.3, 0), upCost: new WireCost(150, 0.6, 78, 0), connections: 1.0,
                idle: new IdleCost(3, 1.6, 0), burst: new BurstResult(200, 4.1, 243_902), cost: new ServerCost(0.3, 22 * 1024),
                integrity: new Integrity(3350, 3350, 0, 0, 0)),
            Row("websocket-h2", "WebSocket over HTTP/2 (RFC 8441)", "2", "aspnetcore",
                down: Latency(1500, 0.6, 1.3, 2.6, 6.2), up: Latency(150, 0.5, 1.0, 2.1, 3.9),
                duplex: new FullDuplexResult(true, 150, 150, 1, "DATA frames sent while server DATA frames were arriving, on one stream"),
                downCost: new WireCost(1500, 82, 1.4, 0), upCost: new WireCost(150, 9.4, 88, 0), connections: 1.0,
                idle: new IdleCost(3, 2.9, 0), burst: new BurstResult(200, 5.3, 188_679), cost: new ServerCost(0.5, 46 * 1024),
                integrity: new Integrity(3350, 3350, 0, 0, 0)),
            Row("auto", "Automatic (RealtimeClient, every transport)", "1.1", "built-in",
                down: Latency(1500, 0.5, 1.0, 2.1, 4.8), up: Latency(150, 0.4, 0.8, 1.7, 3.0),
                duplex: new FullDuplexResult(true, 150, 150, 1, "frames sent while server frames were arriving, on one connection"),
                downCost: new WireCost(1500, 73, 0.3, 0), upCost: new WireCost(150, 0.6, 78, 0), connections: 1.2,
                idle: new IdleCost(3, 1.6, 0), burst: new BurstResult(200, 4.4, 227_273), cost: new ServerCost(0.3, 23 * 1024),
                integrity: new Integrity(3350, 3350, 0, 0, 0)) with { Transport = "websocket" },
        ],
        Survival = [.. ApproachIds.SelectMany(a => Faults.Select(f => Survival(a, f)))],
        Notes =
        [
            "long-polling lost 2 of 3 350 messages: the chat messages sent while a held poll was being answered.",
            "websocket and websocket-h2 do not get through a proxy that refuses upgrades; auto fell back to sse there.",
            "The machine's load average was 0.84 on 2 cores during the run.",
        ],
    };

    /// <summary>The report with one approach's row replaced by a row that did not run.</summary>
    public static CompareReport WithNotRan(CompareReport report, string approach, string error) => report with
    {
        Approaches = [.. report.Approaches.Select(a => a.Id == approach
            ? new ApproachResult { Id = a.Id, Name = a.Name, HttpVersion = a.HttpVersion, Server = a.Server, Ran = false, Error = error }
            : a)],
        Survival = [.. report.Survival.Where(s => s.Approach != approach)],
    };

    /// <summary>The report with one approach's integrity replaced.</summary>
    public static CompareReport WithIntegrity(CompareReport report, string approach, Integrity integrity) => report with
    {
        Approaches = [.. report.Approaches.Select(a => a.Id == approach ? a with { Integrity = integrity } : a)],
    };

    /// <summary>Nothing lost anywhere, no notes: what a loopback run should give.</summary>
    public static CompareReport Clean()
    {
        CompareReport report = WithIntegrity(Create(), LossyApproach, new Integrity(3350, 3350, 0, 0, 0));
        return report with
        {
            Survival = [.. report.Survival.Select(s => s.Approach == LossyApproach && s.Fault == "random-resets"
                ? s with { Works = true, Integrity = new Integrity(s.Integrity.Expected, s.Integrity.Expected, 0, 0, 0), Detail = "4 resets, each noticed at once, resumed without loss" }
                : s)],
            Notes = [],
        };
    }

    private static ApproachResult Row(
        string id, string name, string http, string server, LatencySummary down, LatencySummary up, FullDuplexResult duplex,
        WireCost downCost, WireCost upCost, double connections, IdleCost idle, BurstResult burst, ServerCost cost, Integrity integrity) =>
        new()
        {
            Id = id,
            Name = name,
            Transport = id,
            HttpVersion = http,
            Server = server,
            Ran = true,
            DownLatency = down,
            UpLatency = up,
            FullDuplex = duplex,
            Down = downCost,
            Up = upCost,
            BytesPerSend = upCost.BytesUpPerMessage,
            ConnectionsPerClient = connections,
            Idle = idle,
            Burst = burst,
            ServerCost = cost,
            Integrity = integrity,
            Workloads =
            [
                new("ticker", 3, 300, 1500, (long)(downCost.BytesUpPerMessage * 1500), (long)(downCost.BytesDownPerMessage * 1500), (long)(downCost.RequestsPerMessage * 1500), (long)Math.Ceiling(connections * 5)),
                new("chat", 3, 150, 750, (long)(upCost.BytesUpPerMessage * 150), (long)(upCost.BytesDownPerMessage * 150), (long)(upCost.RequestsPerMessage * 150), (long)Math.Ceiling(connections * 5)),
                new("burst", burst.Milliseconds / 1000, 1000, 1000, 40, 96_000, 0, 5),
                new("idle", idle.Seconds, 0, 0, (long)(idle.BytesPerClientPerSecond * idle.Seconds * 2.5), (long)(idle.BytesPerClientPerSecond * idle.Seconds * 2.5), (long)(idle.RequestsPerClientPerSecond * idle.Seconds * 5), 5),
            ],
        };

    /// <summary>A summary with a distribution that passes through its percentiles.</summary>
    private static LatencySummary Latency(long count, double p50, double p90, double p99, double max)
    {
        double min = p50 * 0.35;
        PercentilePoint[] points =
        [
            new(0, min), new(10, p50 * 0.55), new(25, p50 * 0.78), new(50, p50), new(75, p50 + ((p90 - p50) * 0.45)),
            new(90, p90), new(95, p90 + ((p99 - p90) * 0.35)), new(99, p99), new(99.9, p99 + ((max - p99) * 0.6)), new(100, max),
        ];
        return new LatencySummary(count, p50, p90, p99, max, (p50 * 0.8) + (p90 * 0.2)) { Distribution = points };
    }

    private static SurvivalResult Survival(string approach, string fault)
    {
        const long Pushed = 40;
        var clean = new Integrity(Pushed, Pushed, 0, 0, 0);
        SurvivalResult works = new() { Fault = fault, Approach = approach, Works = true, Integrity = clean, Transport = approach, Detail = "every message arrived" };
        return (approach, fault) switch
        {
            ("websocket", "refuse-upgrades") => works with { Works = false, Integrity = Integrity.None, Detail = "upgrade refused: 403" },
            ("websocket-h2", "refuse-upgrades") => works with { Works = false, Integrity = Integrity.None, Detail = "extended CONNECT refused: 403" },
            ("auto", "refuse-upgrades") => works with { Transport = "sse", Detail = "upgrade refused: 403, fell back to sse" },
            ("sse", "buffer-responses") => works with { Works = false, Integrity = new Integrity(Pushed, 0, 0, 0, 0), Detail = "stream held by the gateway until it ends: nothing arrived within the bound" },
            ("sse-h2", "buffer-responses") => works with { Works = false, Integrity = new Integrity(Pushed, 0, 0, 0, 0), Detail = "stream held by the gateway until it ends: nothing arrived within the bound" },
            ("auto", "buffer-responses") => works with { Detail = "on websocket: the upgrade passes the gateway" },
            (_, "forget-idle-flows") when approach == "polling" => works with { NoticedSeconds = null, Detail = "every poll is a new request: nothing to notice" },
            (_, "forget-idle-flows") => works with { NoticedSeconds = approach.StartsWith("long-polling", StringComparison.Ordinal) ? 5.3 : 10.2, Reconnects = 1, Detail = "heartbeats missed, reconnected and resumed" },
            (LossyApproach, "random-resets") => works with { Works = false, NoticedSeconds = 0.02, Reconnects = 4, Integrity = new Integrity(Pushed, Pushed - 2, 2, 0, 0), Detail = "2 messages lost in a poll answered as the connection was reset" },
            (_, "random-resets") => works with { NoticedSeconds = 0.01, Reconnects = 4, Detail = "4 resets, each noticed at once, resumed without loss" },
            _ => works,
        };
    }
}
