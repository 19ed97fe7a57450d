using static Duplex.Cli.Compare.Reports.ReportFormat;

namespace Duplex.Cli.Compare.Reports;

/// <summary>
/// The judgement of every cell of the table, in one place: the columns (the seed's table shape)
/// and, for each, the thresholds that make a number ✓ good, ~ fair or ✗ poor. The thresholds are
/// the constants below; the legend of every report is written from them.
/// </summary>
internal static class CompareVerdicts
{
    /// <summary>Latency p99 at or under this is good (ms).</summary>
    public const double GoodLatencyMs = 50;

    /// <summary>Latency p99 at or under this is fair, above it poor (ms).</summary>
    public const double FairLatencyMs = 250;

    /// <summary>Short polling delivers within its interval at best: p99 up to interval × this + <see cref="PollingSlackMs"/> is what polling gives (fair), above it poor.</summary>
    public const double PollingIntervalFactor = 1.2;

    public const double PollingSlackMs = 20;

    /// <summary>Persistent: at most this many HTTP requests per delivered message is one stream carrying the messages (good).</summary>
    public const double GoodRequestsPerMessage = 0.05;

    /// <summary>Persistent: up to this many requests per message is a held request per message or so (fair).</summary>
    public const double FairRequestsPerMessage = 1.5;

    /// <summary>Persistent: at most this many TCP connections per client over the whole run is good…</summary>
    public const double GoodConnectionsPerClient = 2;

    /// <summary>…and more than this is poor (the client keeps opening new ones).</summary>
    public const double FairConnectionsPerClient = 4;

    /// <summary>Persistent: a client that makes more requests a second than this while nothing is sent asks instead of being told (poor).</summary>
    public const double PoorIdleRequestsPerSecond = 0.5;

    /// <summary>Bytes per message: up to this much over the payload is good (headers and framing, bytes)…</summary>
    public const double GoodOverheadBytes = 150;

    /// <summary>…up to this fair, above it poor.</summary>
    public const double FairOverheadBytes = 600;

    /// <summary>Idle cost per client: up to this many bytes a second is good…</summary>
    public const double GoodIdleBytesPerSecond = 50;

    /// <summary>…up to this fair, above it poor.</summary>
    public const double FairIdleBytesPerSecond = 500;

    /// <summary>
    /// Server CPU per client is judged against the least of the run (every row ran the same
    /// workloads, so the ratio is what the approach itself costs): up to this many times the least is good…
    /// </summary>
    public const double GoodCpuRatio = 1.5;

    /// <summary>…up to this fair, above it poor.</summary>
    public const double FairCpuRatio = 3;

    /// <summary>Server memory per client: up to this is good…</summary>
    public const double GoodMemoryBytesPerClient = 64 * 1024;

    /// <summary>…up to this fair, above it poor.</summary>
    public const double FairMemoryBytesPerClient = 512 * 1024;

    public static IReadOnlyList<CompareColumn> Columns { get; } =
    [
        new(CompareColumnId.Persistent, "persistent", "persistent", "conn / req/msg", "Persistent",
            "TCP connections each client opened over the run / HTTP requests per message delivered (ticker window).",
            $"✓ ≤ {Number(GoodConnectionsPerClient)} connections and ≤ {Ratio(GoodRequestsPerMessage)} requests/msg; ~ ≤ {Number(FairConnectionsPerClient)} connections and ≤ {Ratio(FairRequestsPerMessage)} requests/msg; ✗ otherwise, or more than {Ratio(PoorIdleRequestsPerSecond)} requests/s while idle (it asks instead of being told)."),
        new(CompareColumnId.FullDuplex, "full-duplex", "full-duplex", "observed", "Full-duplex",
            "Whether the client's messages went out on a connection while a server response on that same connection was in flight (share of upstream transfers that overlapped), seen at the socket.",
            "✓ observed; ✗ not observed."),
        new(CompareColumnId.LatencyDown, "latency-down", "latency ↓", "p50 / p99", "Latency ↓ (server → client)",
            "Delivery latency server → client, from the ticker and chat deliveries: p50 / p99.",
            $"✓ p99 ≤ {Ms(GoodLatencyMs)}; ~ ≤ {Ms(FairLatencyMs)}; ✗ above. Short polling is judged against its interval: ~ while p99 ≤ interval × {Number(PollingIntervalFactor)} + {Ms(PollingSlackMs)} (what polling gives), ✗ above."),
        new(CompareColumnId.LatencyUp, "latency-up", "latency ↑", "p50 / p99", "Latency ↑ (client → server)",
            "Delivery latency client → server, from the chat sends (the server's arrival time): p50 / p99.",
            $"✓ p99 ≤ {Ms(GoodLatencyMs)}; ~ ≤ {Ms(FairLatencyMs)}; ✗ above."),
        new(CompareColumnId.Reliable, "reliable", "reliable", "lost/dup/ord", "Reliable & ordered",
            "Messages lost / duplicated / reordered over every workload.",
            "✓ all zero; ✗ anything else (a finding: shown in red)."),
        new(CompareColumnId.BytesDown, "bytes-down", "bytes/msg ↓", "on the wire", "Bytes/msg ↓",
            "TCP payload both ways per message delivered server → client (ticker window), headers and framing included.",
            $"Over the payload: ✓ ≤ {Bytes(GoodOverheadBytes)}; ~ ≤ {Bytes(FairOverheadBytes)}; ✗ more."),
        new(CompareColumnId.BytesUp, "bytes-up", "bytes/msg ↑", "on the wire", "Bytes/msg ↑",
            "TCP payload client → server per message the clients sent (chat window), headers and framing included: what went up, less what receiving the chat's deliveries costs upward (polls and acknowledgements per delivered message, from the ticker window).",
            $"Over the payload: ✓ ≤ {Bytes(GoodOverheadBytes)}; ~ ≤ {Bytes(FairOverheadBytes)}; ✗ more."),
        new(CompareColumnId.IdleCost, "idle", "idle cost", "per client", "Idle cost",
            "Bytes a second per client while nothing is sent (heartbeats and polls only).",
            $"✓ ≤ {Bytes(GoodIdleBytesPerSecond)}/s; ~ ≤ {Bytes(FairIdleBytesPerSecond)}/s; ✗ more."),
        new(CompareColumnId.ServerCpu, "server-cpu", "server CPU", "per client", "Server CPU",
            "CPU time of the server process per client per second of the measured workloads (the servers compare starts compile every method optimised at its first call, so this is the steady state, not the JIT's tier-up).",
            $"Against the least of the run: ✓ ≤ {Number(GoodCpuRatio)}×; ~ ≤ {Number(FairCpuRatio)}×; ✗ more; – when the server is not ours to read."),
        new(CompareColumnId.ServerMemory, "server-memory", "server mem", "per client", "Server memory",
            "The server's live managed heap (after full collections) with the clients connected, less before they connected, per client: what a connected session holds.",
            $"✓ ≤ {Bytes(GoodMemoryBytesPerClient)}; ~ ≤ {Bytes(FairMemoryBytesPerClient)}; ✗ more; – when the server is not ours to read."),
        new(CompareColumnId.Survives, "survives", "survives", "faults", "Survives infrastructure",
            "Faults of the proxy the approach worked through (every message in order, once): refuse-upgrades, buffer-responses, forget-idle-flows, random-resets.",
            "✓ all; ~ at least half; ✗ fewer."),
    ];

    public static CompareColumn Column(CompareColumnId id) => Columns.First(c => c.Id == id);

    /// <summary>Whether the row's latency is bound by a poll interval (short polling, or auto ending on it).</summary>
    public static bool IsPolling(ApproachResult row) =>
        row.Id == "polling" || string.Equals(row.Transport, "polling", StringComparison.Ordinal);

    /// <summary>The p99 under which short polling delivers as well as its interval allows (ms).</summary>
    public static double PollingBoundMs(CompareReport report) => (report.Settings.PollIntervalMs * PollingIntervalFactor) + PollingSlackMs;

    public static Verdict Judge(CompareColumn column, ApproachResult row, CompareReport report)
    {
        if (!row.Ran)
        {
            return Verdict.NotMeasured($"did not run: {row.Error}");
        }

        return column.Id switch
        {
            CompareColumnId.Persistent => Persistent(row),
            CompareColumnId.FullDuplex => FullDuplex(row.FullDuplex),
            CompareColumnId.LatencyDown => LatencyDown(row, report),
            CompareColumnId.LatencyUp => Latency(row.UpLatency, null),
            CompareColumnId.Reliable => Reliable(row.Integrity),
            CompareColumnId.BytesDown => WireBytes(row.Down, report.Settings.MessageBytes, row.Down.BytesPerMessage),
            CompareColumnId.BytesUp => WireBytes(row.Up, report.Settings.MessageBytes, row.BytesPerSend),
            CompareColumnId.IdleCost => Idle(row.Idle),
            CompareColumnId.ServerCpu => Cpu(row.ServerCost, LeastCpu(report)),
            CompareColumnId.ServerMemory => Memory(row.ServerCost),
            CompareColumnId.Survives => Survives(row, report),
            _ => Verdict.NotMeasured(),
        };
    }

    private static VerdictLevel Band(double value, double good, double fair) =>
        value <= good ? VerdictLevel.Good : value <= fair ? VerdictLevel.Fair : VerdictLevel.Poor;

    private static Verdict Persistent(ApproachResult row)
    {
        if (row.ConnectionsPerClient <= 0 && row.Down.Messages == 0)
        {
            return Verdict.NotMeasured();
        }

        double requests = row.Down.RequestsPerMessage;
        VerdictLevel level =
            row.Idle.RequestsPerClientPerSecond > PoorIdleRequestsPerSecond ? VerdictLevel.Poor
            : requests <= GoodRequestsPerMessage && row.ConnectionsPerClient <= GoodConnectionsPerClient ? VerdictLevel.Good
            : requests <= FairRequestsPerMessage && row.ConnectionsPerClient <= FairConnectionsPerClient ? VerdictLevel.Fair
            : VerdictLevel.Poor;
        return new Verdict(level, $"{Number(row.ConnectionsPerClient)} / {Ratio(requests)}")
        {
            Detail = $"{Number(row.ConnectionsPerClient)} TCP connections per client, {Ratio(requests)} HTTP requests per message, {Ratio(row.Idle.RequestsPerClientPerSecond)} requests/s idle",
        };
    }

    private static Verdict FullDuplex(FullDuplexResult duplex)
    {
        if (duplex.UpstreamTransfers == 0)
        {
            return Verdict.NotMeasured(duplex.Evidence);
        }

        double share = 100.0 * duplex.Overlapping / duplex.UpstreamTransfers;
        string detail = $"{Count(duplex.Overlapping)} of {Count(duplex.UpstreamTransfers)} upstream transfers overlapped a response in flight, on {Count(duplex.ConnectionsUsed)} connection(s): {duplex.Evidence}";
        return duplex.Observed
            ? new Verdict(VerdictLevel.Good, $"yes {share:0}%") { Detail = detail }
            : new Verdict(VerdictLevel.Poor, $"no {share:0}%") { Detail = detail };
    }

    private static Verdict LatencyDown(ApproachResult row, CompareReport report) =>
        Latency(row.DownLatency, IsPolling(row) ? report.Settings : null);

    private static Verdict Latency(LatencySummary latency, CompareSettingsReport? polling)
    {
        if (latency.Count == 0)
        {
            return Verdict.NotMeasured();
        }

        string text = $"{Number(latency.P50)} / {Number(latency.P99)} ms";
        string detail = $"p50 {Ms(latency.P50)}, p90 {Ms(latency.P90)}, p99 {Ms(latency.P99)}, max {Ms(latency.Max)} over {Count(latency.Count)} messages";
        if (polling is null)
        {
            return new Verdict(Band(latency.P99, GoodLatencyMs, FairLatencyMs), text) { Detail = detail };
        }

        double bound = (polling.PollIntervalMs * PollingIntervalFactor) + PollingSlackMs;
        VerdictLevel level = latency.P99 <= GoodLatencyMs ? VerdictLevel.Good : latency.P99 <= bound ? VerdictLevel.Fair : VerdictLevel.Poor;
        string against = latency.P99 <= bound
            ? $"within what a poll every {Ms(polling.PollIntervalMs)} gives (p99 ≤ {Ms(bound)})"
            : $"slower than a poll every {Ms(polling.PollIntervalMs)} explains (p99 > {Ms(bound)})";
        return new Verdict(level, text) { Detail = $"{detail}; {against}" };
    }

    private static Verdict Reliable(Integrity integrity)
    {
        if (integrity.Expected == 0 && integrity.Delivered == 0)
        {
            return Verdict.NotMeasured();
        }

        return new Verdict(integrity.Clean ? VerdictLevel.Good : VerdictLevel.Poor, $"{Count(integrity.Lost)} / {Count(integrity.Duplicated)} / {Count(integrity.Reordered)}")
        {
            Detail = $"{Count(integrity.Delivered)} of {Count(integrity.Expected)} delivered: {Count(integrity.Lost)} lost, {Count(integrity.Duplicated)} duplicated, {Count(integrity.Reordered)} reordered",
        };
    }

    /// <summary>A message's cost on the wire: <paramref name="charged"/> is what the column counts (both ways for a push, what a send took up for a send).</summary>
    private static Verdict WireBytes(WireCost cost, int payload, double charged)
    {
        if (cost.Messages == 0)
        {
            return Verdict.NotMeasured();
        }

        double overhead = charged - payload;
        string window = $"{Bytes(cost.BytesDownPerMessage)} down + {Bytes(cost.BytesUpPerMessage)} up per message ({Bytes(payload)} payload), {Ratio(cost.RequestsPerMessage)} requests per message, over {Count(cost.Messages)} messages";
        return new Verdict(Band(overhead, GoodOverheadBytes, FairOverheadBytes), Bytes(charged))
        {
            Detail = Math.Abs(charged - cost.BytesPerMessage) < 0.5 ? window : $"{Bytes(charged)} went up per message sent, of the window's {window}",
        };
    }

    private static Verdict Idle(IdleCost idle)
    {
        if (idle.Seconds <= 0)
        {
            return Verdict.NotMeasured();
        }

        return new Verdict(Band(idle.BytesPerClientPerSecond, GoodIdleBytesPerSecond, FairIdleBytesPerSecond), $"{Bytes(idle.BytesPerClientPerSecond)}/s")
        {
            Detail = $"{Bytes(idle.BytesPerClientPerSecond)}/s and {Ratio(idle.RequestsPerClientPerSecond)} requests/s per client over {Seconds(idle.Seconds)} idle",
        };
    }

    /// <summary>The least server CPU per client of the rows that ran: the yardstick of the others (every row ran the same workloads).</summary>
    private static double? LeastCpu(CompareReport report) =>
        report.Approaches.Where(a => a.Ran).Select(a => a.ServerCost.CpuMillisecondsPerClientSecond).Where(c => c is > 0).Min();

    private static Verdict Cpu(ServerCost cost, double? least)
    {
        if (cost.CpuMillisecondsPerClientSecond is not double cpu)
        {
            return Verdict.NotMeasured("the server is not ours to read");
        }

        double ratio = least is double l && l > 0 ? cpu / l : 1;
        return new Verdict(Band(ratio, GoodCpuRatio, FairCpuRatio), $"{Number(cpu)} ms/s")
        {
            Detail = $"{Number(cpu)} ms of server CPU per client per second, {Number(ratio)}× the least of this run",
        };
    }

    private static Verdict Memory(ServerCost cost) =>
        cost.MemoryBytesPerClient is double memory
            ? new Verdict(Band(memory, GoodMemoryBytesPerClient, FairMemoryBytesPerClient), Bytes(memory)) { Detail = $"{Bytes(memory)} of server memory per client" }
            : Verdict.NotMeasured("the server is not ours to read");

    private static Verdict Survives(ApproachResult row, CompareReport report)
    {
        var faults = report.Survival.Where(s => s.Approach == row.Id).ToList();
        if (faults.Count == 0)
        {
            return Verdict.NotMeasured("no survival run");
        }

        int works = faults.Count(s => s.Works);
        VerdictLevel level = works == faults.Count ? VerdictLevel.Good : works * 2 >= faults.Count ? VerdictLevel.Fair : VerdictLevel.Poor;
        var failed = faults.Where(s => !s.Works).Select(s => $"{s.Fault} ({s.Detail})").ToList();
        return new Verdict(level, $"{works}/{faults.Count}")
        {
            Detail = failed.Count == 0 ? "works through every fault" : $"fails through {string.Join(", ", failed)}",
        };
    }
}
