namespace Duplex.Cli.Compare.Reports;

/// <summary>
/// The survival results laid out as the reports show them: one row per approach (the table's
/// order), one column per fault (the proxy's order, then any other in the order met).
/// </summary>
internal sealed class SurvivalGrid
{
    /// <summary>The proxy's faults in the order the reports show them.</summary>
    public static readonly IReadOnlyList<string> KnownFaults = ["refuse-upgrades", "buffer-responses", "forget-idle-flows", "random-resets"];

    private readonly Dictionary<(string Approach, string Fault), SurvivalResult> _cells;

    public SurvivalGrid(CompareReport report)
    {
        Faults = [.. KnownFaults.Where(f => report.Survival.Any(s => s.Fault == f)), .. report.Survival.Select(s => s.Fault).Where(f => !KnownFaults.Contains(f)).Distinct()];
        Approaches = [.. report.Approaches.Select(a => a.Id).Where(id => report.Survival.Any(s => s.Approach == id)), .. report.Survival.Select(s => s.Approach).Where(id => report.Approaches.All(a => a.Id != id)).Distinct()];
        _cells = [];
        foreach (SurvivalResult result in report.Survival)
        {
            _cells[(result.Approach, result.Fault)] = result;
        }
    }

    public IReadOnlyList<string> Faults { get; }

    public IReadOnlyList<string> Approaches { get; }

    public bool IsEmpty => _cells.Count == 0;

    public SurvivalResult? Cell(string approach, string fault) => _cells.GetValueOrDefault((approach, fault));

    /// <summary>What a cell says in brief: "1.2 s · 0 lost" (noticed in, lost).</summary>
    public static string Brief(SurvivalResult result) =>
        $"{(result.NoticedSeconds is double s ? ReportFormat.Seconds(s) : "–")} · {ReportFormat.Count(result.Integrity.Lost)} lost";

    /// <summary>What a cell says in full: "noticed in 1.2 s · 0 lost · 4 reconnects · ended on sse".</summary>
    public static string Told(SurvivalResult result, string approach)
    {
        var parts = new List<string>();
        if (result.NoticedSeconds is double s)
        {
            parts.Add($"noticed in {ReportFormat.Seconds(s)}");
        }

        parts.Add($"{ReportFormat.Count(result.Integrity.Lost)} lost");
        if (result.Reconnects > 0)
        {
            parts.Add(result.Reconnects == 1 ? "1 reconnect" : $"{ReportFormat.Count(result.Reconnects)} reconnects");
        }

        if (result.Transport is { } transport && transport != approach)
        {
            parts.Add($"ended on {transport}");
        }

        return string.Join(" · ", parts);
    }

    /// <summary>What a fault does, for the legends.</summary>
    public static string Describe(string fault) => fault switch
    {
        "refuse-upgrades" => "an HTTP/1.1 proxy that refuses WebSocket upgrades with 403 (it reads HTTP/1.1 only: an h2c connection, RFC 8441's extended CONNECT inside it, passes it unread)",
        "buffer-responses" => "a gateway that holds each HTTP/1.1 response until it is complete (h2c, which it cannot read as one, never gets an answer through it)",
        "forget-idle-flows" => "a NAT that silently forgets idle flows",
        "random-resets" => "connections reset at random",
        _ => fault,
    };
}
