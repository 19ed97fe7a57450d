using System.CommandLine;
using System.Globalization;

namespace Duplex.Cli;

/// <summary>
/// <c>duplex autobahn-agent URL</c>: the client side of an Autobahn|Testsuite run against its
/// fuzzing server (wstest -m fuzzingserver): read the case count, run every case as an echo
/// client, then ask the server to write its reports.
/// </summary>
internal static class AutobahnAgentCommand
{
    /// <summary>Autobahn's largest cases (9.x) send 16 MiB messages; leave room.</summary>
    private const long MaxMessageSize = 64L * 1024 * 1024;

    public static Command Create(CliContext context)
    {
        var url = new Argument<string>("url") { Description = "The fuzzing server, for example ws://127.0.0.1:9001." };
        var agent = new Option<string>("--agent") { Description = "The agent name the reports use.", DefaultValueFactory = _ => "duplex" };
        var cases = new Option<string?>("--cases") { Description = "The cases to run: N, N..M or N.. (1-based; default all)." };
        var noDeflate = new Option<bool>("--no-deflate") { Description = "Do not offer permessage-deflate (it is offered by default, for cases 12.x and 13.x)." };
        var caseTimeout = new Option<int>("--case-timeout") { Description = "Seconds one case may take before it is abandoned.", DefaultValueFactory = _ => 120 };
        caseTimeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() <= 0)
            {
                r.AddError("--case-timeout must be a positive number of seconds.");
            }
        });

        var command = new Command("autobahn-agent", "Run the Autobahn|Testsuite cases of a fuzzing server as a client (echoing every message).")
        {
            url, agent, cases, caseTimeout, noDeflate,
        };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(url)!,
            parse.GetValue(agent)!,
            parse.GetValue(cases),
            TimeSpan.FromSeconds(parse.GetValue(caseTimeout)),
            !parse.GetValue(noDeflate),
            context,
            ct));
        return command;
    }

    private static async Task<int> RunAsync(string url, string agent, string? cases, TimeSpan caseTimeout, bool deflate, CliContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await RunCoreAsync(url, agent, cases, caseTimeout, deflate, context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("duplex autobahn-agent: interrupted.").ConfigureAwait(false);
            return 130;
        }
    }

    private static async Task<int> RunCoreAsync(string url, string agent, string? cases, TimeSpan caseTimeout, bool deflate, CliContext context, CancellationToken cancellationToken)
    {
        TextWriter stdout = context.Out;
        TextWriter stderr = context.Error;
        if (!CliArguments.TryParseWebSocketUri(url, out Uri? baseUri, out string? problem))
        {
            await stderr.WriteLineAsync($"duplex autobahn-agent: {problem}").ConfigureAwait(false);
            return CliArguments.UsageError;
        }

        if (!TryParseRange(cases, out int first, out int? last))
        {
            await stderr.WriteLineAsync($"duplex autobahn-agent: --cases '{cases}' is not N, N..M or N.. with 1 <= N <= M.").ConfigureAwait(false);
            return CliArguments.UsageError;
        }

        var options = new WebSocketClientOptions
        {
            UseEnvironmentProxy = false,
            WebSocket = new WebSocketConnectionOptions
            {
                MaxMessageSize = MaxMessageSize,

                // The fuzzing server judges every frame it gets: send nothing it did not ask for.
                KeepAliveInterval = Timeout.InfiniteTimeSpan,

                // Offer permessage-deflate so that cases 12.x and 13.x exercise it; with the
                // minimum size at 0 every echoed message is compressed, as those cases expect.
                Compression = deflate ? new PerMessageDeflateOptions { MinimumMessageSize = 0 } : null,
            },
        };

        int count;
        try
        {
            count = await GetCaseCountAsync(Endpoint(baseUri, "getCaseCount", null), options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or FormatException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            await stderr.WriteLineAsync($"duplex autobahn-agent: cannot get the case count from {baseUri}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        int end = Math.Min(last ?? count, count);
        await stdout.WriteLineAsync($"{count} cases on {baseUri}; running {(first > end ? "none" : $"{first}..{end}")} as agent '{agent}'").ConfigureAwait(false);

        int failed = 0;
        string agentQuery = "agent=" + Uri.EscapeDataString(agent);
        for (int i = first; i <= end; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Uri caseUri = Endpoint(baseUri, "runCase", string.Create(CultureInfo.InvariantCulture, $"case={i}&{agentQuery}"));
            string outcome;
            try
            {
                outcome = await RunCaseAsync(caseUri, options, caseTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // A case that cannot connect or hangs is reported and skipped; the run goes on.
                failed++;
                string reason = ex is OperationCanceledException ? $"timed out after {caseTimeout.TotalSeconds:0} s" : ex.Message;
                await stderr.WriteLineAsync($"case {i}/{count}: failed: {reason}").ConfigureAwait(false);
                continue;
            }

            await stdout.WriteLineAsync($"case {i}/{count}: {outcome}").ConfigureAwait(false);
        }

        try
        {
            await UpdateReportsAsync(Endpoint(baseUri, "updateReports", agentQuery), options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            await stderr.WriteLineAsync($"duplex autobahn-agent: updating the reports failed: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        await stdout.WriteLineAsync(failed == 0
            ? $"Done: {end - first + 1} cases run; reports updated."
            : $"Done with {failed} failed case(s); reports updated.").ConfigureAwait(false);
        return failed == 0 ? 0 : 1;
    }

    /// <summary>The fuzzing server's getCaseCount: one text message with the number, then a close.</summary>
    private static async Task<int> GetCaseCountAsync(Uri uri, WebSocketClientOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        WebSocketConnection connection = await WebSocketClient.ConnectAsync(uri, options, timeout.Token).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            WebSocketMessage message = await connection.ReceiveAsync(timeout.Token).ConfigureAwait(false);
            if (message.Type != MessageType.Text)
            {
                throw new FormatException($"expected a text message with the count, got {message.Type}");
            }

            string text = message.Text.Trim();
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            {
                throw new FormatException($"'{text}' is not a case count");
            }

            await DrainUntilClosedAsync(connection, timeout.Token).ConfigureAwait(false);
            return count;
        }
    }

    /// <summary>Echoes every message with its type until the server closes; returns a progress note.</summary>
    private static async Task<string> RunCaseAsync(Uri uri, WebSocketClientOptions options, TimeSpan caseTimeout, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(caseTimeout);
        WebSocketConnection connection = await WebSocketClient.ConnectAsync(uri, options, timeout.Token).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            int echoed = 0;
            while (true)
            {
                WebSocketMessage message;
                try
                {
                    message = await connection.ReceiveAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    connection.Abort();
                    throw;
                }

                if (message.IsClose)
                {
                    break;
                }

                try
                {
                    await connection.SendAsync(message, timeout.Token).ConfigureAwait(false);
                    echoed++;
                }
                catch (WebSocketClosedException)
                {
                    // The connection began closing under us; keep receiving until the close completes.
                }
            }

            int? code = (int?)connection.CloseStatus;
            string reason = string.IsNullOrEmpty(connection.CloseStatusDescription) ? string.Empty : $" ({connection.CloseStatusDescription})";
            return $"{echoed} message(s) echoed; closed {code}{reason}";
        }
    }

    /// <summary>The fuzzing server's updateReports: it writes the reports and closes.</summary>
    private static async Task UpdateReportsAsync(Uri uri, WebSocketClientOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        WebSocketConnection connection = await WebSocketClient.ConnectAsync(uri, options, timeout.Token).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await DrainUntilClosedAsync(connection, timeout.Token).ConfigureAwait(false);
        }
    }

    private static async Task DrainUntilClosedAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        while (!(await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false)).IsClose)
        {
        }
    }

    /// <summary>The base URL with <paramref name="name"/> appended to its path and the given query.</summary>
    internal static Uri Endpoint(Uri baseUri, string name, string? query)
    {
        var builder = new UriBuilder(baseUri)
        {
            Path = baseUri.AbsolutePath.TrimEnd('/') + "/" + name,
            Query = query ?? string.Empty,
        };
        return builder.Uri;
    }

    /// <summary>"N", "N..M" or "N.." (null: every case).</summary>
    internal static bool TryParseRange(string? text, out int first, out int? last)
    {
        first = 1;
        last = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        string[] parts = text.Split("..", 2, StringSplitOptions.TrimEntries);
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out first) || first < 1)
        {
            return false;
        }

        if (parts.Length == 1)
        {
            last = first;
            return true;
        }

        if (parts[1].Length == 0)
        {
            return true;
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int end) || end < first)
        {
            return false;
        }

        last = end;
        return true;
    }
}
