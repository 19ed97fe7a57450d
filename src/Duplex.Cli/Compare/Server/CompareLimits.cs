namespace Duplex.Cli.Compare.Server;

/// <summary>
/// The caps of the compare workload (docs/PROTOCOL.md §12): a request above one is refused
/// with an error reply, so that one client cannot make the server queue without bound.
/// </summary>
internal static class CompareLimits
{
    /// <summary>The longest run id, in characters.</summary>
    public const int MaxRunIdLength = 128;

    /// <summary>The largest client index.</summary>
    public const long MaxClientIndex = 1_000_000;

    /// <summary>The largest padding of one message (<c>size</c> of ticker and burst, <c>p</c> of chat), in bytes.</summary>
    public const int MaxPaddingBytes = 64 * 1024;

    /// <summary>The fastest ticker, messages a second.</summary>
    public const double MaxTickerRate = 10_000;

    /// <summary>The most messages of one ticker.</summary>
    public const long MaxTickerCount = 1_000_000;

    /// <summary>The longest ticker (count ÷ rate), seconds.</summary>
    public const double MaxTickerSeconds = 3600;

    /// <summary>The most messages of one burst.</summary>
    public const long MaxBurstCount = 10_000;

    /// <summary>The most padding bytes of one burst (count × size): what it puts in the session's queue at once.</summary>
    public const long MaxBurstBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Messages the session keeps for its client until acknowledged (RealtimeOptions.MaxQueuedMessages
    /// of the /compare endpoint): room for the largest burst and a ticker and chat beside it.
    /// </summary>
    public const int MaxQueuedMessages = 50_000;

    /// <summary>Payload bytes the session keeps for its client (RealtimeOptions.MaxQueuedBytes of the /compare endpoint).</summary>
    public const long MaxQueuedBytes = 64L * 1024 * 1024;
}
