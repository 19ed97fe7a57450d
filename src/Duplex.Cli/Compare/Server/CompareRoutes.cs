using Duplex.Realtime;

namespace Duplex.Cli.Compare.Server;

/// <summary>
/// What <see cref="Endpoints.MapServe"/> maps for <c>duplex compare</c> on either host: the
/// workload's realtime endpoint at <see cref="Endpoints.ComparePath"/> with its own options, and
/// the last report at <see cref="Endpoints.CompareJsonPath"/> and <see cref="Endpoints.CompareHtmlPath"/>.
/// Made by <see cref="CompareServe.Create"/>.
/// </summary>
/// <param name="Workload">The session handler (<see cref="CompareWorkload.ServeAsync"/>).</param>
/// <param name="Options">The realtime options of the /compare endpoint (its heartbeat, poll interval, queue bounds).</param>
/// <param name="LastJson">GET: the last report's JSON, or 404.</param>
/// <param name="LastHtml">GET: the last report's HTML, or 404.</param>
internal sealed record CompareRoutes(RealtimeHandler Workload, RealtimeOptions Options, HttpHandler LastJson, HttpHandler LastHtml);
