namespace Duplex.Cli.Compare;

/// <summary>
/// How <c>duplex compare</c> times a latency: every time is read on the sender's monotonic clock
/// (docs/PROTOCOL.md §12), so the server's and the clients' must be one clock or the offset known.
/// </summary>
internal enum CompareClock
{
    /// <summary>One clock for a server on loopback, an estimate for any other.</summary>
    Auto,

    /// <summary>The server reads this machine's monotonic clock: no offset.</summary>
    Same,

    /// <summary>The server's offset is estimated by ping, once, over WebSocket or long polling.</summary>
    Estimate,
}
