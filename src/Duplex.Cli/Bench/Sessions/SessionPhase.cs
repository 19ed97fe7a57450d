using System.Text.Json.Nodes;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>One measured window of a session bench, in one direction: what was sent and delivered, how late, and what crossed the wire for it.</summary>
internal sealed record SessionPhase(
    string Direction,
    long Sent,
    long Received,
    long Duplicates,
    long Gaps,
    long Unreadable,
    double Seconds,
    LatencySummary Latency,
    RelayCounts Wire,
    int Size)
{
    /// <summary>Distinct messages delivered.</summary>
    public long Delivered => Received - Duplicates;

    public long Lost => Math.Max(0, Sent - Delivered);

    public double BytesUpPerMessage => Per(Wire.BytesUp);

    public double BytesDownPerMessage => Per(Wire.BytesDown);

    public double RequestsPerMessage => Per(Wire.Requests);

    /// <summary>Bytes that crossed in the message's own direction, per message, less its payload: headers and framing.</summary>
    public double OverheadBytesPerMessage => (Direction == "down" ? BytesDownPerMessage : BytesUpPerMessage) - Size;

    public JsonObject ToJson()
    {
        var kinds = new JsonObject();
        foreach ((string kind, long count) in Wire.RequestsByKind.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            kinds[kind] = count;
        }

        return new JsonObject
        {
            ["sent"] = Sent,
            ["delivered"] = Delivered,
            ["lost"] = Lost,
            ["duplicates"] = Duplicates,
            ["gaps"] = Gaps,
            ["unreadable"] = Unreadable,
            ["seconds"] = Math.Round(Seconds, 3),
            ["latencyMicroseconds"] = Latency.ToJson(),
            ["wire"] = new JsonObject
            {
                ["bytesUp"] = Wire.BytesUp,
                ["bytesDown"] = Wire.BytesDown,
                ["connections"] = Wire.Connections,
                ["requests"] = Wire.Requests,
                ["requestsByKind"] = kinds,
            },
            ["bytesUpPerMessage"] = Math.Round(BytesUpPerMessage, 2),
            ["bytesDownPerMessage"] = Math.Round(BytesDownPerMessage, 2),
            ["requestsPerMessage"] = Math.Round(RequestsPerMessage, 4),
            ["overheadBytesPerMessage"] = Math.Round(OverheadBytesPerMessage, 2),
        };
    }

    public void AddRows(BenchTable table)
    {
        string d = Direction == "down" ? "server → client" : "client → server";
        table.Add($"{d} messages", $"{Delivered:N0} of {Sent:N0} delivered in {Seconds:0.00} s; lost {Lost}, duplicates {Duplicates}, gaps {Gaps}");
        Latency.AddRows(table, $"{d} latency");
        table.Add($"{d} bytes/message", $"{BytesDownPerMessage:0.0} down + {BytesUpPerMessage:0.0} up (overhead in its direction {OverheadBytesPerMessage:0.0} B over the {Size} B payload)");
        table.Add($"{d} requests/message", $"{RequestsPerMessage:0.000} ({string.Join(", ", Wire.RequestsByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}: {k.Value}"))}); connections opened {Wire.Connections}");
    }

    private double Per(long total) => Delivered > 0 ? total / (double)Delivered : 0;
}
