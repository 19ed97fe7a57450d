using Duplex.Realtime;

namespace Duplex.Cli.Compare.Run;

/// <summary>
/// The failures a compare run reports in its table (a row that did not run, a survival cell that
/// failed, a clock that could not be estimated) instead of ending: a transport, session or HTTP
/// failure, or a bounded wait that ran out.
/// </summary>
internal static class RunFailure
{
    public static bool IsReported(Exception ex) =>
        ex is IOException or TimeoutException or OperationCanceledException or InvalidOperationException
            or RealtimeSessionClosedException or RealtimeOutboxFullException or System.Net.Http.HttpRequestException;
}
