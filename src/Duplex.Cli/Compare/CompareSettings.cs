namespace Duplex.Cli.Compare;

/// <summary>What <c>duplex compare</c> was asked to do (the command's options, parsed and checked).</summary>
internal sealed record CompareSettings
{
    /// <summary>The server to measure (its /compare endpoint); null: start our own on loopback.</summary>
    public Uri? Target { get; init; }

    public int Clients { get; init; } = 5;

    /// <summary>Seconds of each approach's timed workloads together: the ticker and the chat 40% each, the idle window 20% (at least one heartbeat and a half).</summary>
    public double DurationSeconds { get; init; } = 3;

    /// <summary>The ticker's and the chat's window each.</summary>
    public TimeSpan WorkloadWindow => TimeSpan.FromSeconds(DurationSeconds * 0.4);

    /// <summary>The idle window: long enough to hold a heartbeat.</summary>
    public TimeSpan IdleWindow => TimeSpan.FromSeconds(Math.Max(DurationSeconds * 0.2, Heartbeat.TotalSeconds * 1.5));

    public int MessageBytes { get; init; } = 64;

    public double TickerRate { get; init; } = 20;

    public double ChatRate { get; init; } = 5;

    public int BurstCount { get; init; } = 100;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The heartbeat of the servers compare starts itself (a given server has its own).</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The approach ids to run, in order; default all.</summary>
    public IReadOnlyList<string> Approaches { get; init; } = CompareApproach.AllIds;

    /// <summary>How latencies are timed: one clock, or the server's offset estimated.</summary>
    public CompareClock Clock { get; init; } = CompareClock.Auto;

    /// <summary>Whether to run the survival matrix through the fault proxy.</summary>
    public bool Survival { get; init; } = true;

    public string? JsonFile { get; init; }

    public string? MarkdownFile { get; init; }

    public string? HtmlFile { get; init; }

    /// <summary>Whether to keep the report for <c>duplex serve</c>'s compare page.</summary>
    public bool Save { get; init; } = true;

    /// <summary>No progress display on stderr.</summary>
    public bool Quiet { get; init; }

    /// <summary>Colours in the terminal table.</summary>
    public bool Color { get; init; }

    public string CommandLine { get; init; } = "duplex compare";
}
