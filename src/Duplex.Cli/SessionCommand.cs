using System.CommandLine;
using System.Text.Json;
using Duplex.Realtime;

namespace Duplex.Cli;

/// <summary>
/// <c>duplex session URL</c>: a client of a Duplex realtime endpoint (docs/PROTOCOL.md) over any
/// transport. Lines from stdin go out as text messages; received messages are printed to stdout
/// one per line (text as it is, binary as <c>&lt;binary N bytes&gt;</c> and its first bytes in
/// hex); state changes go to stderr. With <c>--json</c>, stdout has one JSON object per line for
/// each message (<c>{"type":"message","text":…}</c> or <c>{"type":"message","binary":BASE64}</c>)
/// and each state change (<c>{"type":"state","state":"connected","transport":"websocket"}</c>, …).
/// The end of stdin closes the session once everything sent is acknowledged (and what arrives
/// meanwhile is printed); exit 0 after a normal close, 1 with the reason on stderr otherwise.
/// </summary>
internal static class SessionCommand
{
    /// <summary>After stdin ends and all is acknowledged: how long nothing may arrive before the close (answers to the last lines come in that time).</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait for that quiet.</summary>
    private static readonly TimeSpan MaxLinger = TimeSpan.FromSeconds(2);

    public static Command Create(CliContext context)
    {
        var url = new Argument<string>("url") { Description = "The realtime endpoint, http(s)://host:port/realtime (ws:// and wss:// are taken for http:// and https://)." };
        var transport = new Option<string>("--transport", "-t")
        {
            Description = "The transport: auto (the server's order, falling back), websocket, sse, long-polling or polling.",
            DefaultValueFactory = _ => "auto",
        };
        transport.AcceptOnlyFromAmong("auto", "websocket", "sse", "long-polling", "polling");
        var proxy = new Option<string?>("--proxy") { Description = "An HTTP forward proxy, http://host:port (WebSocket tunnels through it with CONNECT)." };
        var json = new Option<bool>("--json") { Description = "Print every message and state change as one JSON object per line on stdout." };
        var noRenew = new Option<bool>("--no-renew") { Description = "When the server has lost the session, exit (1) instead of starting a new one." };
        var origin = new Option<string?>("--origin", "-o") { Description = "The Origin header to send." };

        var command = new Command("session", "Open a session with a Duplex realtime endpoint: send stdin lines as text messages, print what arrives.")
        {
            url, transport, proxy, json, noRenew, origin,
        };
        command.SetAction((parse, ct) => RunAsync(
            new Settings(parse.GetValue(url)!, parse.GetValue(transport) ?? "auto", parse.GetValue(proxy), parse.GetValue(json), parse.GetValue(noRenew), parse.GetValue(origin)),
            context,
            ct));
        return command;
    }

    internal sealed record Settings(string Url, string Transport, string? Proxy, bool Json, bool NoRenew, string? Origin);

    private static async Task<int> RunAsync(Settings settings, CliContext context, CancellationToken cancellationToken)
    {
        TextWriter stderr = TextWriter.Synchronized(context.Error);
        TextWriter stdout = TextWriter.Synchronized(context.Out);
        if (!TryParse(settings, out Uri? endpoint, out RealtimeClientOptions? options, out string? problem))
        {
            await stderr.WriteLineAsync($"duplex session: {problem}").ConfigureAwait(false);
            return CliArguments.UsageError;
        }

        var printer = new Printer(stdout, stderr, settings.Json);
        RealtimeClient client = new(endpoint, options);
        await using (client.ConfigureAwait(false))
        {
            client.StateChanged += (_, change) => printer.State(change);
            try
            {
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }
            catch (IOException ex)
            {
                await stderr.WriteLineAsync($"duplex session: {OneLine(ex.Message)}").ConfigureAwait(false);
                return 1;
            }

            Task receiving = Task.Run(() => printer.MessagesAsync(client), CancellationToken.None);

            // Reading the console blocks a thread whatever the API says, so the pump runs on its own.
            Task<bool> pump = Task.Run(() => PumpAsync(client, context.In, printer, stderr, cancellationToken), CancellationToken.None);
            Task first = await Task.WhenAny(receiving, pump).ConfigureAwait(false);
            if (first == pump && await pump.ConfigureAwait(false))
            {
                // stdin ended: close once everything is acknowledged and the answers had time to come.
                await LingerAsync(client, printer).ConfigureAwait(false);
                await client.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else if (cancellationToken.IsCancellationRequested)
            {
                await client.CloseAsync(CancellationToken.None).ConfigureAwait(false);
                await receiving.ConfigureAwait(false);
                return 130;
            }

            await receiving.ConfigureAwait(false);
            string reason = await printer.Closed.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            if (reason == RealtimeCloseReasons.Closed)
            {
                return 0;
            }

            await stderr.WriteLineAsync($"duplex session: the session ended: {reason}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>Sends stdin's lines; true when stdin ended, false when the session did first (or on cancellation).</summary>
    private static async Task<bool> PumpAsync(RealtimeClient client, TextReader stdin, Printer printer, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            while (await stdin.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                while (true)
                {
                    Task up = printer.NextUpAsync();
                    try
                    {
                        await client.SendTextAsync(line, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    catch (RealtimeOutboxFullException)
                    {
                        // Offline with the outbox full: the line waits for the next transport.
                        await up.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (ArgumentException ex)
                    {
                        await stderr.WriteLineAsync($"duplex session: a line not sent: {OneLine(ex.Message)}").ConfigureAwait(false);
                        break;
                    }
                }
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (RealtimeSessionClosedException)
        {
            return false;
        }
    }

    private static async Task LingerAsync(RealtimeClient client, Printer printer)
    {
        // On short polling an answer comes with the next poll: the quiet must outlast one interval.
        TimeSpan poll = client.Transport == RealtimeTransport.Polling ? client.PollInterval ?? TimeSpan.Zero : TimeSpan.Zero;
        TimeSpan quiet = Quiet + poll;
        long start = Environment.TickCount64;
        long deadline = start + (long)(MaxLinger + poll).TotalMilliseconds;
        while (client.State is RealtimeClientState.Connected or RealtimeClientState.Reconnecting && Environment.TickCount64 < deadline)
        {
            // Quiet since the last message or since stdin ended, whichever is later.
            long quietFor = Environment.TickCount64 - Math.Max(printer.LastMessageMs, start);
            if (client.PendingCount == 0 && quietFor >= quiet.TotalMilliseconds)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25)).ConfigureAwait(false);
        }
    }

    internal static bool TryParse(
        Settings settings,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? endpoint,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RealtimeClientOptions? options,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        endpoint = null;
        options = null;
        string text = settings.Url.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? parsed) || string.IsNullOrEmpty(parsed.Host))
        {
            problem = $"'{settings.Url}' is not a valid URL.";
            return false;
        }

        string? scheme = parsed.Scheme switch
        {
            "http" or "ws" => "http",
            "https" or "wss" => "https",
            _ => null,
        };
        if (scheme is null || !string.IsNullOrEmpty(parsed.Query) || !string.IsNullOrEmpty(parsed.Fragment))
        {
            problem = $"'{settings.Url}' is not a realtime endpoint URL: use http(s)://host:port/path, without a query.";
            return false;
        }

        endpoint = new UriBuilder(parsed) { Scheme = scheme, Port = parsed.IsDefaultPort ? -1 : parsed.Port }.Uri;
        Uri? proxy = null;
        if (settings.Proxy is not null &&
            (!Uri.TryCreate(settings.Proxy.Contains("://", StringComparison.Ordinal) ? settings.Proxy : "http://" + settings.Proxy, UriKind.Absolute, out proxy) ||
             proxy.Scheme != Uri.UriSchemeHttp))
        {
            problem = $"--proxy '{settings.Proxy}' is not an http://host:port URL.";
            return false;
        }

        IReadOnlyList<RealtimeTransport>? transports = null;
        if (settings.Transport != "auto")
        {
            if (!RealtimeTransports.TryParse(settings.Transport, out RealtimeTransport pinned))
            {
                problem = $"--transport '{settings.Transport}' is not one of auto, websocket, sse, long-polling, polling.";
                return false;
            }

            transports = [pinned];
        }

        options = new RealtimeClientOptions
        {
            Transports = transports,
            Proxy = proxy,
            Origin = settings.Origin,
            RenewLostSession = !settings.NoRenew,
        };
        problem = null;
        return true;
    }

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>Prints messages and state changes, as text or as JSON lines.</summary>
    internal sealed class Printer(TextWriter stdout, TextWriter stderr, bool json)
    {
        private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _lastMessageMs = Environment.TickCount64;
        private TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes at the next connected, resumed or closed.</summary>
        public Task NextUpAsync() => Volatile.Read(ref _up).Task;

        /// <summary>The reason of the closed event, once it came.</summary>
        public Task<string> Closed => _closed.Task;

        public long LastMessageMs => Interlocked.Read(ref _lastMessageMs);

        public async Task MessagesAsync(RealtimeClient client)
        {
            await foreach (RealtimeMessage message in client.ReadMessagesAsync().ConfigureAwait(false))
            {
                Interlocked.Exchange(ref _lastMessageMs, Environment.TickCount64);
                string line = json ? MessageJson(message) : message.Type == MessageType.Text ? message.Text : ConnectCommand.FormatBinary(message.Data.Span);
                await stdout.WriteLineAsync(line).ConfigureAwait(false);
                await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        public void State(RealtimeClientEvent change)
        {
            if (json)
            {
                stdout.WriteLine(StateJson(change));
                stdout.Flush();
            }
            else
            {
                stderr.WriteLine(Human(change));
                stderr.Flush();
            }

            if (change.Kind == RealtimeClientEventKind.Closed)
            {
                _closed.TrySetResult(change.Reason ?? RealtimeCloseReasons.Closed);
            }

            if (change.Kind is RealtimeClientEventKind.Connected or RealtimeClientEventKind.Resumed or RealtimeClientEventKind.Closed)
            {
                Interlocked.Exchange(ref _up, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }

        private static string Human(RealtimeClientEvent change) => change.Kind switch
        {
            RealtimeClientEventKind.Connecting => "Connecting",
            RealtimeClientEventKind.Connected => $"Connected ({RealtimeTransports.Name(change.Transport!.Value)})",
            RealtimeClientEventKind.Fallback => $"Fallback from {RealtimeTransports.Name(change.From!.Value)} to {RealtimeTransports.Name(change.To!.Value)}: {OneLine(change.Reason ?? string.Empty)}",
            RealtimeClientEventKind.Reconnecting => $"Reconnecting: {OneLine(change.Reason ?? "the transport dropped")}",
            RealtimeClientEventKind.Resumed => $"Resumed ({RealtimeTransports.Name(change.Transport!.Value)})",
            RealtimeClientEventKind.SessionLost => $"Session lost ({change.Reason}): {change.Unacknowledged.Count} message(s) never acknowledged",
            _ => $"Closed ({change.Reason})",
        };

        private static string MessageJson(RealtimeMessage message) => Json(writer =>
        {
            writer.WriteString("type", "message");
            if (message.Type == MessageType.Text)
            {
                writer.WriteString("text", message.Text);
            }
            else
            {
                writer.WriteBase64String("binary", message.Data.Span);
            }
        });

        private static string StateJson(RealtimeClientEvent change) => Json(writer =>
        {
            writer.WriteString("type", "state");
            writer.WriteString("state", change.Name);
            if (change.Transport is { } transport)
            {
                writer.WriteString("transport", RealtimeTransports.Name(transport));
            }

            if (change.From is { } from)
            {
                writer.WriteString("from", RealtimeTransports.Name(from));
            }

            if (change.To is { } to)
            {
                writer.WriteString("to", RealtimeTransports.Name(to));
            }

            if (change.Reason is { } reason)
            {
                writer.WriteString("reason", reason);
            }

            if (change.Kind == RealtimeClientEventKind.SessionLost)
            {
                writer.WriteNumber("unacknowledged", change.Unacknowledged.Count);
            }
        });

        private static string Json(Action<Utf8JsonWriter> body)
        {
            var output = new System.Buffers.ArrayBufferWriter<byte>(128);
            // Text as it is (a terminal's line, not HTML): only what JSON requires is escaped.
            using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                body(writer);
                writer.WriteEndObject();
            }

            return System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
        }
    }
}
