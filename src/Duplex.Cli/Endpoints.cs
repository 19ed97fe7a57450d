using Duplex.Cli.Compare.Server;
using Duplex.Cli.Hosting;
using Duplex.Realtime;

namespace Duplex.Cli;

/// <summary>The WebSocket and session endpoints the server commands map.</summary>
internal static class Endpoints
{
    /// <summary>The WebSocket echo of <c>duplex serve</c>.</summary>
    public const string EchoPath = "/echo";

    /// <summary>The base path of the session endpoint of <c>duplex serve</c> (what duplex.js and the pages use).</summary>
    public const string RealtimePath = "/realtime";

    /// <summary>The base path of <c>duplex compare</c>'s workload endpoint (docs/PROTOCOL.md §12).</summary>
    public const string ComparePath = "/compare";

    /// <summary>The last <c>duplex compare</c> report, as JSON (what the compare page shows).</summary>
    public const string CompareJsonPath = "/compare.json";

    /// <summary>The last <c>duplex compare</c> report, as its HTML page.</summary>
    public const string CompareHtmlPath = "/compare-report.html";

    /// <summary>
    /// What <c>duplex serve</c> serves, on either host: <see cref="EchoAsync"/> at /echo,
    /// <see cref="SessionEchoAsync"/> with its channels at /realtime, the compare workload at
    /// /compare and the last compare report at /compare.json and /compare-report.html
    /// (<paramref name="compare"/>), the files of <paramref name="webRoot"/> at /. Returns the
    /// realtime endpoint (the ticker publishes on its channels).
    /// </summary>
    public static RealtimeEndpoint MapServe(IServeHost host, string webRoot, CompareRoutes compare)
    {
        host.MapWebSocket(EchoPath, EchoAsync);
        RealtimeEndpoint realtime = host.MapRealtime(RealtimePath, SessionEchoAsync);
        host.MapRealtime(ComparePath, compare.Workload, compare.Options);
        host.MapGet(CompareJsonPath, compare.LastJson);
        host.MapGet(CompareHtmlPath, compare.LastHtml);
        host.MapStaticFiles(webRoot);
        return realtime;
    }

    /// <summary>
    /// Echoes every message back with its type until the client closes. Written as a plain
    /// receive loop, with no cancellation registered on the receive: this is the benchmark
    /// server, and an idle connection should hold as little as possible. Shutdown still ends it:
    /// the server sends close 1001 and, past the shutdown timeout, drops the connection.
    /// </summary>
    public static async Task EchoAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            WebSocketMessage message = await connection.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
            if (message.IsClose)
            {
                return;
            }

            await connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends every message of a session back to its sender, with its type, until the session ends.</summary>
    public static async Task SessionEchoAsync(RealtimeSession session, CancellationToken cancellationToken)
    {
        await foreach (RealtimeMessage message in session.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
        {
            await session.SendAsync(message.Type, message.Data, cancellationToken).ConfigureAwait(false);
        }
    }
}
