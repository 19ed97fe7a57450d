using System.Net;
using System.Text.Json;
using Duplex.Cli;
using Duplex.Realtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Duplex.Tests.Cli;

public sealed class SessionCommandTests
{
    [Theory]
    [InlineData("auto", "websocket")]
    [InlineData("websocket", "websocket")]
    [InlineData("sse", "sse")]
    [InlineData("long-polling", "long-polling")]
    [InlineData("polling", "polling")]
    public async Task Sends_stdin_lines_prints_the_echoes_and_exits_0_when_stdin_ends(string transport, string expected)
    {
        await using DuplexServer server = await RealtimeServers.StartAsync();

        var run = await SessionRun.RunAsync(["session", RealtimeServers.Url(server), "--transport", transport], ["hello", "second line ✓", ""]);

        Assert.True(run.Exit == 0, $"exit {run.Exit}; stderr: {run.Error}");
        Assert.Equal(["hello", "second line ✓", ""], run.OutLines);
        Assert.Equal(["Connecting", $"Connected ({expected})", "Closed (closed)"], run.ErrorLines);
    }

    [Fact]
    public async Task On_short_polling_at_the_default_interval_the_echoes_of_the_last_lines_still_come_before_the_close()
    {
        // The echo of a line comes with the next poll, up to 2 s after it: the close waits for it.
        await using DuplexServer server = await RealtimeServers.StartAsync(pollInterval: TimeSpan.FromSeconds(2));

        var run = await SessionRun.RunAsync(["session", RealtimeServers.Url(server), "--transport", "polling"], ["last words"]);

        Assert.True(run.Exit == 0, $"exit {run.Exit}; stderr: {run.Error}");
        Assert.Equal(["last words"], run.OutLines);
    }

    [Fact]
    public async Task With_json_every_message_and_state_change_is_one_object_per_line()
    {
        await using DuplexServer server = await RealtimeServers.StartAsync(async (session, ct) =>
        {
            await session.SendBinaryAsync(new byte[] { 1, 2, 3 }, ct);
            await RealtimeServers.EchoAsync(session, ct);
        });

        var run = await SessionRun.RunAsync(["session", RealtimeServers.Url(server), "--transport", "sse", "--json"], ["say \"hi\""], expectedLines: 2);

        Assert.True(run.Exit == 0, $"exit {run.Exit}; stderr: {run.Error}");
        Assert.Empty(run.Error);
        Assert.Equal(
            [
                """{"type":"state","state":"connecting"}""",
                """{"type":"state","state":"connected","transport":"sse"}""",
                """{"type":"message","binary":"AQID"}""",
                """{"type":"message","text":"say \"hi\""}""",
                """{"type":"state","state":"closed","reason":"closed"}""",
            ],
            run.OutLines);
        Assert.All(run.OutLines, line => JsonDocument.Parse(line).Dispose());
    }

    [Fact]
    public async Task Json_shows_a_fallback_with_from_to_and_reason()
    {
        // An HTTP-only proxy in front of the server refuses the WebSocket upgrade.
        await using DuplexServer server = await RealtimeServers.StartAsync();
        await using var refusing = Duplex.Cli.Faults.FaultProxy.Start(new Duplex.Cli.Faults.FaultProxyOptions
        {
            Upstream = server.LocalEndPoint,
            Mode = Duplex.Cli.Faults.FaultMode.RefuseUpgrades,
        });

        var run = await SessionRun.RunAsync(["session", $"http://127.0.0.1:{refusing.LocalEndPoint.Port}/realtime", "--json"], ["after the fallback"]);

        Assert.True(run.Exit == 0, $"exit {run.Exit}; stderr: {run.Error}");
        Assert.Equal(5, run.OutLines.Length);
        Assert.Equal("""{"type":"state","state":"connecting"}""", run.OutLines[0]);
        using (JsonDocument fallback = JsonDocument.Parse(run.OutLines[1]))
        {
            JsonElement root = fallback.RootElement;
            Assert.Equal("fallback", root.GetProperty("state").GetString());
            Assert.Equal("websocket", root.GetProperty("from").GetString());
            Assert.Equal("sse", root.GetProperty("to").GetString());
            Assert.Contains("403", root.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(
            [
                """{"type":"state","state":"connected","transport":"sse"}""",
                """{"type":"message","text":"after the fallback"}""",
            ],
            run.OutLines[2..4]);
        Assert.Equal("""{"type":"state","state":"closed","reason":"closed"}""", run.OutLines[^1]);
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("long-polling")]
    public async Task Goes_through_the_forward_proxy_given(string transport)
    {
        await using DuplexServer server = await RealtimeServers.StartAsync();
        await using var proxy = new ForwardProxy();

        var run = await SessionRun.RunAsync(["session", RealtimeServers.Url(server), "--transport", transport, "--proxy", proxy.Uri.ToString()], ["through the proxy"]);

        Assert.True(run.Exit == 0, $"exit {run.Exit}; stderr: {run.Error}");
        Assert.Equal(["through the proxy"], run.OutLines);
        string target = $"127.0.0.1:{server.LocalEndPoint.Port}";
        Assert.Contains(proxy.Requests, r => r.StartsWith("POST http://" + target + "/realtime/negotiate?v=1", StringComparison.Ordinal));
        if (transport == "websocket")
        {
            Assert.Contains($"CONNECT {target} HTTP/1.1", proxy.Requests);
        }
        else
        {
            Assert.DoesNotContain(proxy.Requests, r => r.StartsWith("CONNECT", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_unreachable_server_exits_1_with_the_reason()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var run = await SessionRun.RunAsync(["session", $"http://127.0.0.1:{port}/realtime"], []);

        Assert.Equal(1, run.Exit);
        Assert.Empty(run.OutLines);
        Assert.Contains("duplex session: negotiate failed", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_the_server_ends_for_another_reason_exits_1_with_it()
    {
        await using DuplexServer server = await RealtimeServers.StartAsync(async (session, ct) =>
        {
            RealtimeMessage first = await session.ReceiveAsync(ct);
            await session.CloseAsync(RealtimeCloseReasons.Shutdown);
        });

        var run = await SessionRun.RunAsync(["session", RealtimeServers.Url(server), "--transport", "websocket"], ["anything"], stdinStaysOpen: true);

        Assert.Equal(1, run.Exit);
        Assert.Contains("Closed (shutdown)", run.Error, StringComparison.Ordinal);
        Assert.EndsWith("duplex session: the session ended: shutdown" + Environment.NewLine, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lost_session_with_no_renew_exits_1_with_the_reason()
    {
        var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, ShutdownTimeout = TimeSpan.FromSeconds(5) });
        await using (server)
        {
            RealtimeEndpoint endpoint = server.MapRealtime("/realtime", RealtimeServers.EchoAsync, new RealtimeOptions { ResumeWindow = TimeSpan.FromMilliseconds(300) });
            await server.StartAsync();
            await using var network = Duplex.Cli.Faults.FaultProxy.Start(new Duplex.Cli.Faults.FaultProxyOptions { Upstream = server.LocalEndPoint });
            var stderr = new SignallingWriter();
            var context = new CliContext { In = new SilentReader(), Out = new StringWriter(), Error = stderr, CreateLoggerFactory = _ => NullLoggerFactory.Instance };
            using var stop = new CancellationTokenSource(CliHarness.Timeout * 2);
            Task<int> exit = Program.RunAsync(["session", $"http://127.0.0.1:{network.LocalEndPoint.Port}/realtime", "--transport", "websocket", "--no-renew"], context, stop.Token);

            await stderr.WaitForAsync("Connected (websocket)");
            RealtimeSession session = Assert.Single(endpoint.Sessions);

            // The network goes away for longer than the resume window, then comes back.
            network.Mode = Duplex.Cli.Faults.FaultMode.RefuseUpgrades;
            network.ResetAll();
            await stderr.WaitForAsync("Reconnecting");
            await session.Completion.WaitAsync(CliHarness.Timeout);
            network.Mode = Duplex.Cli.Faults.FaultMode.PassThrough;

            Assert.Equal(1, await exit.WaitAsync(CliHarness.Timeout));
            Assert.Contains("Session lost (session-expired): 0 message(s) never acknowledged", stderr.ToString(), StringComparison.Ordinal);
            Assert.EndsWith("duplex session: the session ended: session-lost: session-expired" + Environment.NewLine, stderr.ToString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/realtime")]
    [InlineData("http://127.0.0.1:1/realtime?x=1")]
    public async Task A_bad_url_exits_2(string url)
    {
        var run = await SessionRun.RunAsync(["session", url], []);

        Assert.Equal(2, run.Exit);
        Assert.StartsWith("duplex session: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Is_listed_in_help_with_its_options()
    {
        var (exit, stdout, _) = await CliHarness.RunAsync(["--help"]);
        var (sessionExit, sessionHelp, _) = await CliHarness.RunAsync(["session", "--help"]);

        Assert.Equal(0, exit);
        Assert.Contains("session", stdout, StringComparison.Ordinal);
        Assert.Equal(0, sessionExit);
        foreach (string option in new[] { "--transport", "--proxy", "--json", "--no-renew", "long-polling" })
        {
            Assert.Contains(option, sessionHelp, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unknown_transport_is_a_usage_error()
    {
        var run = await SessionRun.RunAsync(["session", "http://127.0.0.1:1/realtime", "--transport", "carrier-pigeon"], []);

        Assert.Equal(2, run.Exit);
    }
}

/// <summary>stderr for a test that acts between state changes: waits (bounded) until a line containing a text was written.</summary>
internal sealed class SignallingWriter : StringWriter
{
    private readonly Lock _gate = new();
    private readonly List<(string Text, TaskCompletionSource Done)> _waiters = [];

    public Task WaitForAsync(string text)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (base.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((text, done));
        }

        return done.Task.WaitAsync(CliHarness.Timeout);
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            base.WriteLine(value);
            foreach (var waiter in _waiters.Where(w => value?.Contains(w.Text, StringComparison.Ordinal) == true).ToList())
            {
                waiter.Done.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return base.ToString();
        }
    }
}

/// <summary>Duplex servers with a realtime echo at /realtime for the session command's tests.</summary>
internal static class RealtimeServers
{
    public static async Task<DuplexServer> StartAsync(RealtimeHandler? handler = null, TimeSpan? pollInterval = null)
    {
        var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, ShutdownTimeout = TimeSpan.FromSeconds(5) });
        server.MapRealtime("/realtime", handler ?? EchoAsync, new RealtimeOptions { PollInterval = pollInterval ?? TimeSpan.FromMilliseconds(100) });
        await server.StartAsync();
        return server;
    }

    public static string Url(DuplexServer server) => $"http://127.0.0.1:{server.LocalEndPoint.Port}/realtime";

    public static async Task EchoAsync(RealtimeSession session, CancellationToken ct)
    {
        await foreach (RealtimeMessage message in session.ReadMessagesAsync(ct))
        {
            await session.SendAsync(message.Type, message.Data, ct);
        }
    }
}

/// <summary>
/// Runs <c>duplex session</c> in-process: stdin gives its lines, then ends only once stdout has
/// as many lines as expected (so the answers to the last lines are in before the close), or stays
/// open; every wait bounded.
/// </summary>
internal sealed class SessionRun
{
    private SessionRun(int exit, string output, string error)
    {
        Exit = exit;
        Out = output;
        Error = error;
    }

    public int Exit { get; }

    public string Out { get; }

    public string Error { get; }

    public string[] OutLines => Out.Split(Environment.NewLine)[..^1];

    public string[] ErrorLines => Error.Split(Environment.NewLine)[..^1];

    public static async Task<SessionRun> RunAsync(string[] args, string[] lines, int? expectedLines = null, bool stdinStaysOpen = false)
    {
        var stdout = new LineCountingWriter(expectedLines ?? lines.Length);
        var stderr = new StringWriter();
        TextReader stdin = stdinStaysOpen ? new LinesThenSilence(lines) : new LinesThenEnd(lines, stdout.Reached);
        var context = new CliContext { In = stdin, Out = stdout, Error = stderr, CreateLoggerFactory = _ => NullLoggerFactory.Instance };
        using var stop = new CancellationTokenSource(CliHarness.Timeout * 2);
        int exit = await Program.RunAsync(args, context, stop.Token).WaitAsync(CliHarness.Timeout);
        return new SessionRun(exit, stdout.ToString(), stderr.ToString());
    }

    private sealed class LinesThenEnd(string[] lines, Task end) : TextReader
    {
        private int _next;

        public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            if (_next < lines.Length)
            {
                return lines[_next++];
            }

            await end.WaitAsync(CliHarness.Timeout, cancellationToken);
            return null;
        }
    }

    private sealed class LinesThenSilence(string[] lines) : TextReader
    {
        private int _next;

        public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            if (_next < lines.Length)
            {
                return lines[_next++];
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            return null;
        }
    }

    /// <summary>stdout: completes <see cref="Reached"/> once that many message lines (not JSON state lines) were written.</summary>
    private sealed class LineCountingWriter(int expected) : StringWriter
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _lines;

        public Task Reached
        {
            get
            {
                if (expected == 0)
                {
                    _reached.TrySetResult();
                }

                return _reached.Task;
            }
        }

        public override void WriteLine(string? value)
        {
            lock (this)
            {
                base.WriteLine(value);
            }

            if (value is null || !value.StartsWith("{\"type\":\"state\"", StringComparison.Ordinal))
            {
                if (Interlocked.Increment(ref _lines) >= expected)
                {
                    _reached.TrySetResult();
                }
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }
    }
}
