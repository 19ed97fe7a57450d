using System.CommandLine;
using System.Globalization;
using Duplex.Cli.Compare.Reports;
using Duplex.Cli.Compare.Run;

namespace Duplex.Cli.Compare;

/// <summary>
/// <c>duplex compare [URL]</c>: short polling, long polling, SSE + POST (over HTTP/1.1 and HTTP/2)
/// and WebSocket (over HTTP/1.1 and HTTP/2) measured side by side with the same workloads, and
/// each one's survival through a proxy that misbehaves as real infrastructure does
/// (docs/TRANSPORTS.md). Without a URL it starts its own servers on loopback.
/// </summary>
internal static class CompareCommand
{
    public static Command Create(CliContext context)
    {
        var url = new Argument<string?>("url") { Description = "A duplex serve to measure (http://host:port, its /compare endpoint); default: start our own on loopback.", Arity = ArgumentArity.ZeroOrOne };
        var clients = new Option<int>("--clients", "-c") { Description = "Clients per approach.", DefaultValueFactory = _ => 5 };
        var duration = new Option<double>("--duration", "-d") { Description = "Seconds of each approach's timed workloads: the ticker and the chat 40% each, the idle window 20% (at least 1.5 heartbeats).", DefaultValueFactory = _ => 3 };
        var json = new Option<string?>("--json") { Description = "Write the report as JSON to FILE." };
        var md = new Option<string?>("--md") { Description = "Write the report as Markdown to FILE." };
        var html = new Option<string?>("--html") { Description = "Write the report as a self-contained HTML page with charts to FILE." };
        var size = new Option<int>("--size", "-s") { Description = "Bytes of padding in each workload message.", DefaultValueFactory = _ => 64 };
        var tickerRate = new Option<double>("--ticker-rate") { Description = "Ticker: messages a second the server pushes to each client.", DefaultValueFactory = _ => 20 };
        var chatRate = new Option<double>("--chat-rate") { Description = "Chat: messages a second each client sends (everyone receives each).", DefaultValueFactory = _ => 5 };
        var burst = new Option<int>("--burst") { Description = "Burst: messages the server sends each client at once.", DefaultValueFactory = _ => 100 };
        var pollInterval = new Option<int>("--poll-interval") { Description = "Short polling: milliseconds between two polls (its latency is judged against it).", DefaultValueFactory = _ => 500 };
        var heartbeat = new Option<int>("--heartbeat") { Description = "Milliseconds between heartbeats of the servers compare starts (idle cost, how fast a dead flow is noticed).", DefaultValueFactory = _ => 1000 };
        var approaches = new Option<string?>("--approaches") { Description = $"Comma-separated approaches to run, of {string.Join(',', CompareApproach.AllIds)} (default all)." };
        var noSurvival = new Option<bool>("--no-survival") { Description = "Skip the survival runs through the fault proxy." };
        var noSave = new Option<bool>("--no-save") { Description = "Do not keep the report for duplex serve's compare page." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress display on stderr." };
        var clock = new Option<string>("--clock")
        {
            Description = "How latencies are timed: same (the server reads this machine's clock), estimate (the server's clock offset, by ping over WebSocket or long polling), auto (same on loopback, else estimate; a loopback port forwarded to another machine needs estimate).",
            DefaultValueFactory = _ => "auto",
        };
        clock.AcceptOnlyFromAmong("auto", "same", "estimate");

        var command = new Command("compare", "Measure short polling, long polling, SSE + POST (HTTP/1.1 and HTTP/2) and WebSocket (HTTP/1.1 and HTTP/2) side by side: latency each way, full-duplex observed at the socket, bytes and requests per message, connections, server CPU and memory, loss, and survival through an HTTP-only proxy, a buffering gateway, a NAT that forgets idle flows and random resets.")
        {
            url, clients, duration, json, md, html, size, tickerRate, chatRate, burst, pollInterval, heartbeat, approaches, noSurvival, noSave, quiet, clock,
        };
        Positive(clients, 1000);
        Positive(duration, 600);
        Positive(tickerRate, 1000);
        Positive(chatRate, 1000);
        Positive(burst, 10_000);
        Positive(pollInterval, 60_000);
        Positive(heartbeat, 60_000);
        size.Validators.Add(r =>
        {
            int value = r.GetValueOrDefault<int>();
            if (value is < 0 or > 65_536)
            {
                r.AddError("--size must be 0 to 65536 bytes.");
            }
        });
        command.Validators.Add(result =>
        {
            if (result.GetValue(approaches) is { } list)
            {
                foreach (string id in Split(list))
                {
                    if (CompareApproach.Find(id) is null)
                    {
                        result.AddError($"--approaches: '{id}' is not one of {string.Join(", ", CompareApproach.AllIds)}.");
                    }
                }
            }

            if (result.GetValue(url) is { } text && !(Uri.TryCreate(text, UriKind.Absolute, out Uri? target) && target.Scheme == Uri.UriSchemeHttp))
            {
                result.AddError($"'{text}' is not an http:// URL of a duplex serve (compare's clients speak cleartext HTTP/1.1 and h2c).");
            }
        });
        command.SetAction((parse, ct) =>
        {
            string? target = parse.GetValue(url);
            var settings = new CompareSettings
            {
                Target = target is null ? null : new Uri(target),
                Clients = parse.GetValue(clients),
                DurationSeconds = parse.GetValue(duration),
                MessageBytes = parse.GetValue(size),
                TickerRate = parse.GetValue(tickerRate),
                ChatRate = parse.GetValue(chatRate),
                BurstCount = parse.GetValue(burst),
                PollInterval = TimeSpan.FromMilliseconds(parse.GetValue(pollInterval)),
                Heartbeat = TimeSpan.FromMilliseconds(parse.GetValue(heartbeat)),
                Approaches = parse.GetValue(approaches) is { } list ? [.. Split(list).Select(id => CompareApproach.Find(id)!.Id)] : CompareApproach.AllIds,
                Survival = !parse.GetValue(noSurvival),
                Clock = parse.GetValue(clock) switch { "same" => CompareClock.Same, "estimate" => CompareClock.Estimate, _ => CompareClock.Auto },
                JsonFile = parse.GetValue(json),
                MarkdownFile = parse.GetValue(md),
                HtmlFile = parse.GetValue(html),
                Save = !parse.GetValue(noSave),
                Quiet = parse.GetValue(quiet),
                Color = ReferenceEquals(context.Out, Console.Out) && !Console.IsOutputRedirected && context.GetEnvironmentVariable("NO_COLOR") is null,
                CommandLine = "duplex " + string.Join(' ', parse.Tokens.Select(t => Quote(t.Value))),
            };
            return RunAsync(settings, context, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(CompareSettings settings, CliContext context, CancellationToken cancellationToken)
    {
        bool live = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
        var progress = new CompareProgress(context.Error, live, settings.Quiet);
        CompareReport report = await new CompareRunner(settings, progress).RunAsync(cancellationToken).ConfigureAwait(false);
        progress.Finish();

        TerminalTable.Write(context.Out, report, settings.Color);
        string json = CompareJson.Serialize(report);
        string? html = settings.HtmlFile is not null || settings.Save ? HtmlReport.Render(report) : null;
        await WriteAsync(settings.JsonFile, json, context).ConfigureAwait(false);
        await WriteAsync(settings.MarkdownFile, settings.MarkdownFile is null ? null : MarkdownReport.Render(report), context).ConfigureAwait(false);
        await WriteAsync(settings.HtmlFile, html, context).ConfigureAwait(false);
        if (report.Approaches.FirstOrDefault(a => a.Ran) is null)
        {
            // Nothing was measured: the last report stays for the compare page, and the run fails.
            string why = report.Approaches.FirstOrDefault()?.Error ?? "no approach was asked for";
            await context.Error.WriteLineAsync($"duplex compare: no approach ran against {report.Settings.Target}: {why}").ConfigureAwait(false);
            return 1;
        }

        if (settings.Save)
        {
            try
            {
                var store = new CompareReportStore(context.GetEnvironmentVariable);
                store.Save(json, html);
                await context.Out.WriteLineAsync($"Report kept for duplex serve's compare page (/compare.html): {store.Folder}").ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await context.Error.WriteLineAsync($"duplex compare: could not keep the report: {ex.Message}").ConfigureAwait(false);
            }
        }

        bool clean = report.Approaches.Where(a => a.Ran).All(a => a.Integrity.Clean && a.Integrity.Delivered == a.Integrity.Expected);
        return clean ? 0 : 1;
    }

    private static async Task WriteAsync(string? file, string? text, CliContext context)
    {
        if (file is null || text is null)
        {
            return;
        }

        string full = Path.GetFullPath(file);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, text).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"Wrote {full}").ConfigureAwait(false);
    }

    private static IEnumerable<string> Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void Positive<T>(Option<T> option, double most)
        where T : struct, IConvertible
    {
        option.Validators.Add(r =>
        {
            double value = r.GetValueOrDefault<T>().ToDouble(CultureInfo.InvariantCulture);
            if (value <= 0 || value > most)
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be more than 0 and at most {most}."));
            }
        });
    }

    private static string Quote(string token) => token.Contains(' ', StringComparison.Ordinal) ? $"\"{token}\"" : token;
}
