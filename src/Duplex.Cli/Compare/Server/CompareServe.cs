using System.Text;
using Duplex.Realtime;
using Microsoft.Extensions.Logging;

namespace Duplex.Cli.Compare.Server;

/// <summary>Builds the <see cref="CompareRoutes"/> of <c>duplex serve</c>: the workload, its endpoint's options, the report pages.</summary>
internal static class CompareServe
{
    /// <summary>The short-polling interval the /compare endpoint suggests (a client may ask its own: docs/PROTOCOL.md §12).</summary>
    public static readonly TimeSpan SuggestedPollInterval = TimeSpan.FromMilliseconds(500);

    /// <param name="heartbeat">The endpoint's heartbeat interval (<c>--compare-heartbeat</c>): what an idle connection costs, how soon a dead flow is noticed.</param>
    /// <param name="store">Where the last report is read from.</param>
    /// <param name="logger">Where refused workload messages are logged.</param>
    /// <param name="memory">Whether <c>memory</c> requests are answered (<c>--compare-memory</c>): each one collects the whole heap.</param>
    public static CompareRoutes Create(TimeSpan heartbeat, CompareReportStore store, ILogger logger, bool memory = false)
    {
        ArgumentNullException.ThrowIfNull(store);
        var workload = new CompareWorkload(logger) { AnswersMemory = memory };
        return new CompareRoutes(workload.ServeAsync, Options(heartbeat), ReportHandler(store.LoadJson, "application/json"), ReportHandler(store.LoadHtml, "text/html; charset=utf-8"));
    }

    /// <summary>
    /// The /compare endpoint's options: the heartbeat given (a long poll is held at most that
    /// long, as §6 needs), short polling suggested every <see cref="SuggestedPollInterval"/> (or
    /// the heartbeat, when shorter), and queues that hold the largest burst with a ticker beside it.
    /// </summary>
    public static RealtimeOptions Options(TimeSpan heartbeat) => new()
    {
        HeartbeatInterval = heartbeat,
        PollHold = heartbeat,
        PollInterval = heartbeat < SuggestedPollInterval ? heartbeat : SuggestedPollInterval,
        ResumeWindow = TimeSpan.FromSeconds(30),
        MaxQueuedMessages = CompareLimits.MaxQueuedMessages,
        MaxQueuedBytes = CompareLimits.MaxQueuedBytes,
    };

    private static HttpHandler ReportHandler(Func<string?> load, string contentType) => (exchange, cancellationToken) =>
    {
        exchange.ResponseHeaders.Set("Cache-Control", "no-store");
        return load() is { } text
            ? exchange.RespondAsync(200, contentType, Encoding.UTF8.GetBytes(text), cancellationToken)
            : exchange.RespondTextAsync(404, "No compare report yet: run `duplex compare` to make one.\n", cancellationToken);
    };
}
