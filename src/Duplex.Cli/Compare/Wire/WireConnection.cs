namespace Duplex.Cli.Compare.Wire;

/// <summary>What one TCP connection through a <see cref="WireRelay"/> carried up to a moment (or, from <see cref="Minus"/>, in a window).</summary>
internal sealed record WireConnection(string Protocol, long BytesUp, long BytesDown, long Requests, long UpstreamTransfers, long OverlappingTransfers)
{
    public static readonly WireConnection Nothing = new("unknown", 0, 0, 0, 0, 0);

    /// <summary>The counts of a tracker now; lock it around this.</summary>
    public static WireConnection Of(WireTracker tracker) =>
        new(tracker.Protocol, tracker.BytesUp, tracker.BytesDown, tracker.Requests, tracker.UpstreamTransfers, tracker.OverlappingTransfers);

    /// <summary>What this connection carried since <paramref name="start"/> (the same connection earlier).</summary>
    public WireConnection Minus(WireConnection start) => new(
        Protocol,
        BytesUp - start.BytesUp,
        BytesDown - start.BytesDown,
        Requests - start.Requests,
        UpstreamTransfers - start.UpstreamTransfers,
        OverlappingTransfers - start.OverlappingTransfers);
}
