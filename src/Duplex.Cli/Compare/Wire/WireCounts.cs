namespace Duplex.Cli.Compare.Wire;

/// <summary>
/// What crossed a <see cref="WireRelay"/> up to a moment, every connection (closed ones included)
/// summed, and each on its own in <see cref="PerConnection"/> (in the order they were accepted);
/// <see cref="Since"/> makes a window of two.
/// </summary>
internal sealed record WireCounts(long BytesUp, long BytesDown, long Connections, long Requests, long UpstreamTransfers, long OverlappingTransfers)
{
    public static readonly WireCounts Zero = Of([]);

    /// <summary>Each connection: its totals in a snapshot, what it carried in a window.</summary>
    public IReadOnlyList<WireConnection> PerConnection { get; init; } = [];

    /// <summary>Connections that carried an upstream transfer (in a window: within it).</summary>
    public long ConnectionsUsed => PerConnection.Count(connection => connection.UpstreamTransfers > 0);

    /// <summary>The sums of <paramref name="connections"/>.</summary>
    public static WireCounts Of(IReadOnlyList<WireConnection> connections) => new(
        connections.Sum(c => c.BytesUp),
        connections.Sum(c => c.BytesDown),
        connections.Count,
        connections.Sum(c => c.Requests),
        connections.Sum(c => c.UpstreamTransfers),
        connections.Sum(c => c.OverlappingTransfers))
    {
        PerConnection = connections,
    };

    /// <summary>The window from <paramref name="start"/> (an earlier snapshot of the same relay) to this; <see cref="Connections"/> counts the connections opened in it.</summary>
    public WireCounts Since(WireCounts start)
    {
        var window = new List<WireConnection>(PerConnection.Count);
        for (int i = 0; i < PerConnection.Count; i++)
        {
            window.Add(PerConnection[i].Minus(i < start.PerConnection.Count ? start.PerConnection[i] : WireConnection.Nothing));
        }

        return Of(window) with { Connections = Connections - start.Connections };
    }
}
