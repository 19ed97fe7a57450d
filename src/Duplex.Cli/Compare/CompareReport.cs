namespace Duplex.Cli.Compare;

/// <summary>
/// What one <c>duplex compare</c> run measured: one <see cref="ApproachResult"/> per approach
/// (a row of the table), one <see cref="SurvivalResult"/> per approach and fault. Serialized as
/// the <c>--json</c> file (camelCase), rendered as the terminal table, Markdown and HTML.
/// </summary>
internal sealed record CompareReport
{
    /// <summary>The schema of this report; bumped when a field changes meaning.</summary>
    public int Schema { get; init; } = 1;

    /// <summary>The Duplex version that measured.</summary>
    public required string DuplexVersion { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Wall time of the whole run, seconds.</summary>
    public required double WallSeconds { get; init; }

    public required CompareSettingsReport Settings { get; init; }

    /// <summary>The machine it ran on.</summary>
    public required MachineReport Machine { get; init; }

    /// <summary>One per approach, in the table's order.</summary>
    public required IReadOnlyList<ApproachResult> Approaches { get; init; }

    /// <summary>One per approach and fault (empty with <c>--no-survival</c>).</summary>
    public required IReadOnlyList<SurvivalResult> Survival { get; init; }

    /// <summary>Findings a reader should not miss (a message lost, an approach that did not run, a busy machine).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>The options the run used.</summary>
internal sealed record CompareSettingsReport
{
    /// <summary>"loopback" when the command started its own servers, else the URL given.</summary>
    public required string Target { get; init; }

    public required int Clients { get; init; }

    /// <summary>Seconds of each approach's timed workloads together (the ticker and the chat 40% each, idle the rest; see each workload's own seconds).</summary>
    public required double DurationSeconds { get; init; }

    /// <summary>Payload bytes of each workload message (the padding; the JSON around it adds ~60).</summary>
    public required int MessageBytes { get; init; }

    /// <summary>Ticker: messages a second the server pushes to each client.</summary>
    public required double TickerRate { get; init; }

    /// <summary>Chat: messages a second each client sends (everyone receives every one).</summary>
    public required double ChatRate { get; init; }

    /// <summary>Burst: messages the server sends each client at once.</summary>
    public required int BurstCount { get; init; }

    /// <summary>Short polling: the interval between two polls, milliseconds.</summary>
    public required double PollIntervalMs { get; init; }

    /// <summary>The server's heartbeat interval, milliseconds (what an idle connection costs, and how fast a dead flow is noticed).</summary>
    public required double HeartbeatMs { get; init; }

    /// <summary>The command line that ran, to repeat it.</summary>
    public required string CommandLine { get; init; }

    /// <summary>How latencies were timed: "same" (one clock), "estimated over websocket" (or long-polling), or "pinged per client" when no estimate could be made.</summary>
    public string Clock { get; init; } = "same";

    /// <summary>The server's clock minus this machine's, µs, when it was estimated once for the run.</summary>
    public long? ClockOffsetMicroseconds { get; init; }
}

internal sealed record MachineReport(string Os, int Cores, string Runtime, double? LoadAverage);

/// <summary>One row of the table: one approach, every workload.</summary>
internal sealed record ApproachResult
{
    /// <summary>polling, long-polling, sse, sse-h2, websocket, websocket-h2, auto.</summary>
    public required string Id { get; init; }

    /// <summary>What a person reads: "Short polling (every 500 ms)", "SSE + POST over HTTP/2".</summary>
    public required string Name { get; init; }

    /// <summary>The transport the client ended on (for auto: what it picked).</summary>
    public string? Transport { get; init; }

    /// <summary>"1.1" or "2".</summary>
    public required string HttpVersion { get; init; }

    /// <summary>"built-in", "aspnetcore", or the URL.</summary>
    public required string Server { get; init; }

    /// <summary>False when the approach could not run here; <see cref="Error"/> says why, and the other fields are empty.</summary>
    public required bool Ran { get; init; }

    public string? Error { get; init; }

    /// <summary>Server → client, from the ticker and chat deliveries.</summary>
    public LatencySummary DownLatency { get; init; } = LatencySummary.Empty;

    /// <summary>Client → server, from the chat sends (the server's arrival time).</summary>
    public LatencySummary UpLatency { get; init; } = LatencySummary.Empty;

    public FullDuplexResult FullDuplex { get; init; } = FullDuplexResult.None;

    /// <summary>What a message server → client cost on the wire (the ticker window).</summary>
    public WireCost Down { get; init; } = WireCost.None;

    /// <summary>What went over the wire in the chat window, per message sent (its fan-out to every client included).</summary>
    public WireCost Up { get; init; } = WireCost.None;

    /// <summary>
    /// What a message client → server cost on the wire, bytes: what went up in the chat window, less
    /// what receiving costs upward (the polls and acknowledgements per delivered message of the
    /// ticker window, times the chat's deliveries), per message sent. The bytes down in that window
    /// are the fan-out of each message to every client, and are not the send's.
    /// </summary>
    public double BytesPerSend { get; init; }

    /// <summary>TCP connections each client opened over the whole run (connecting included).</summary>
    public double ConnectionsPerClient { get; init; }

    /// <summary>The idle window: heartbeats (and polls) only.</summary>
    public IdleCost Idle { get; init; } = IdleCost.None;

    public BurstResult Burst { get; init; } = BurstResult.None;

    public ServerCost ServerCost { get; init; } = ServerCost.None;

    /// <summary>Every workload's deliveries checked for loss, duplicates and order.</summary>
    public Integrity Integrity { get; init; } = Integrity.None;

    /// <summary>The raw numbers of each workload window.</summary>
    public IReadOnlyList<WorkloadResult> Workloads { get; init; } = [];
}

/// <summary>Milliseconds.</summary>
internal sealed record LatencySummary(long Count, double P50, double P90, double P99, double Max, double Mean)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0);

    /// <summary>For the charts: (percentile 0–100, milliseconds) points of the distribution.</summary>
    public IReadOnlyList<PercentilePoint> Distribution { get; init; } = [];
}

internal sealed record PercentilePoint(double Percentile, double Milliseconds);

/// <summary>
/// Full-duplex as observed at the socket (in the chat window): of the client's upstream transfers
/// (an HTTP request, a WebSocket frame chunk, an HTTP/2 HEADERS or DATA frame), how many went out
/// on a connection while a server response on that same connection was still in flight.
/// </summary>
internal sealed record FullDuplexResult(bool Observed, long UpstreamTransfers, long Overlapping, long ConnectionsUsed, string Evidence)
{
    public static readonly FullDuplexResult None = new(false, 0, 0, 0, "not measured");
}

/// <summary>Bytes (TCP payload, both ways of the wire) and HTTP requests per delivered message, in one window.</summary>
internal sealed record WireCost(long Messages, double BytesDownPerMessage, double BytesUpPerMessage, double RequestsPerMessage)
{
    public static readonly WireCost None = new(0, 0, 0, 0);

    public double BytesPerMessage => BytesDownPerMessage + BytesUpPerMessage;
}

internal sealed record IdleCost(double Seconds, double BytesPerClientPerSecond, double RequestsPerClientPerSecond)
{
    public static readonly IdleCost None = new(0, 0, 0);
}

/// <summary>Burst: every client asked for <see cref="Count"/> messages at once; how long until the last arrived.</summary>
internal sealed record BurstResult(int Count, double Milliseconds, double MessagesPerSecond)
{
    public static readonly BurstResult None = new(0, 0, 0);
}

/// <summary>The server process's CPU time and memory, per client (null when the server is not ours to read).</summary>
internal sealed record ServerCost(double? CpuMillisecondsPerClientSecond, double? MemoryBytesPerClient)
{
    public static readonly ServerCost None = new(null, null);
}

internal sealed record Integrity(long Expected, long Delivered, long Lost, long Duplicated, long Reordered)
{
    public static readonly Integrity None = new(0, 0, 0, 0, 0);

    public bool Clean => Lost == 0 && Duplicated == 0 && Reordered == 0;
}

/// <summary>One workload window: ticker, chat, burst or idle.</summary>
internal sealed record WorkloadResult(string Workload, double Seconds, long MessagesSent, long MessagesDelivered, long BytesUp, long BytesDown, long Requests, long Connections);

/// <summary>One approach through one fault of the proxy.</summary>
internal sealed record SurvivalResult
{
    /// <summary>refuse-upgrades, buffer-responses, forget-idle-flows, random-resets.</summary>
    public required string Fault { get; init; }

    /// <summary>The <see cref="ApproachResult.Id"/>.</summary>
    public required string Approach { get; init; }

    /// <summary>Whether every message pushed through the fault arrived (in order, once) within the bound.</summary>
    public required bool Works { get; init; }

    /// <summary>Seconds from the fault striking (the flow forgotten, the reset) until the client noticed (it began to reconnect); null when nothing struck or it never noticed.</summary>
    public double? NoticedSeconds { get; init; }

    public required Integrity Integrity { get; init; }

    /// <summary>The transport the client was on at the end.</summary>
    public string? Transport { get; init; }

    public long Reconnects { get; init; }

    /// <summary>What happened, for a person: "upgrade refused: 403", "fell back to sse", "stream held by the gateway".</summary>
    public required string Detail { get; init; }
}
