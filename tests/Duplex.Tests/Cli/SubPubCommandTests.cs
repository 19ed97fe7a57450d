using System.Net;
using System.Text.Json;
using Duplex.Realtime;
using Duplex.Realtime.Channels;

namespace Duplex.Tests.Cli;

/// <summary><c>duplex sub</c> and <c>duplex pub</c> against a real endpoint, in-process.</summary>
public sealed class SubPubCommandTests
{
    [Theory]
    [InlineData("websocket")]
    [InlineData("sse")]
    [InlineData("long-polling")]
    [InlineData("polling")]
    public async Task Sub_from_0_with_json_prints_the_resumed_result_and_every_publication_then_exits_at_count(string transport)
    {
        await using var channels = await ChannelServer.StartAsync();
        for (int i = 1; i <= 3; i++)
        {
            await channels.Channels.PublishTextAsync("news", $"p{i}");
        }

        await using CliHarness run = CliHarness.Start(["sub", channels.Url, "news", "--from", "0", "--count", "5", "--json", "--transport", transport]);

        // Published before or after the subscription, they come: from 0 resumes all of history.
        await channels.Channels.PublishTextAsync("news", "p4");
        await channels.Channels.PublishTextAsync("news", "p5");
        Assert.True(await run.WaitForExitAsync() == 0, $"stderr: {run.Error}");

        List<JsonElement> lines = [.. run.Out.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.Equal(transport, lines.Single(l => l.GetProperty("type").GetString() == "state" && l.GetProperty("state").GetString() == "connected").GetProperty("transport").GetString());
        JsonElement subscribed = lines.Single(l => l.GetProperty("type").GetString() == "subscribed");
        Assert.Equal(("resumed", "news"), (subscribed.GetProperty("result").GetString(), subscribed.GetProperty("channel").GetString()));
        string epoch = subscribed.GetProperty("epoch").GetString()!;
        List<JsonElement> publications = [.. lines.Where(l => l.GetProperty("type").GetString() == "publication")];
        Assert.Equal([1L, 2, 3, 4, 5], publications.Select(p => p.GetProperty("seq").GetInt64()));
        Assert.Equal(["p1", "p2", "p3", "p4", "p5"], publications.Select(p => p.GetProperty("data").GetString()));
        Assert.All(publications, p => Assert.Equal((epoch, "news"), (p.GetProperty("epoch").GetString(), p.GetProperty("channel").GetString())));
        Assert.True(lines.IndexOf(subscribed) < lines.IndexOf(publications[0]));
    }

    [Fact]
    public async Task Sub_through_a_reset_prints_the_transport_changes_and_every_publication_once_in_order()
    {
        await using var channels = await ChannelServer.StartAsync();
        await using var proxy = Duplex.Cli.Faults.FaultProxy.Start(new Duplex.Cli.Faults.FaultProxyOptions { Upstream = channels.EndPoint, Mode = Duplex.Cli.Faults.FaultMode.PassThrough });
        var stdout = new WatchingWriter();
        var context = new Duplex.Cli.CliContext { In = new StringReader(string.Empty), Out = stdout, Error = new StringWriter(), CreateLoggerFactory = _ => Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance };
        using var stop = new CancellationTokenSource(CliHarness.Timeout * 2);
        Task<int> run = Duplex.Cli.Program.RunAsync(["sub", $"http://127.0.0.1:{proxy.LocalEndPoint.Port}/realtime", "ticks", "--json", "--count", "4", "--transport", "websocket"], context, stop.Token);

        await stdout.WaitForAsync("\"type\":\"subscribed\"");
        await channels.Channels.PublishTextAsync("ticks", "p1");
        await channels.Channels.PublishTextAsync("ticks", "p2");
        await stdout.WaitForAsync("\"data\":\"p2\"");
        proxy.ResetAll();
        await channels.Channels.PublishTextAsync("ticks", "p3");
        await channels.Channels.PublishTextAsync("ticks", "p4");
        Assert.Equal(0, await run.WaitAsync(CliHarness.Timeout));

        List<JsonElement> lines = [.. stdout.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.Equal(["p1", "p2", "p3", "p4"], lines.Where(l => l.GetProperty("type").GetString() == "publication").Select(l => l.GetProperty("data").GetString()));
        List<string?> states = [.. lines.Where(l => l.GetProperty("type").GetString() == "state").Select(l => l.GetProperty("state").GetString())];
        Assert.Contains("reconnecting", states);
        Assert.Contains("resumed", states);
        Assert.Single(lines, l => l.GetProperty("type").GetString() == "subscribed");
    }

    [Fact]
    public async Task Sub_from_epoch_and_number_resumes_after_it_another_epoch_is_a_reset_and_a_short_history_a_gap()
    {
        await using var channels = await ChannelServer.StartAsync(new RealtimeChannelOptions { Rules = [new ChannelRule("short", new ChannelLimits { HistoryCount = 2 })] });
        ChannelPublishResult last = default;
        for (int i = 1; i <= 4; i++)
        {
            last = await channels.Channels.PublishTextAsync("news", $"p{i}");
            await channels.Channels.PublishTextAsync("short", $"s{i}");
        }

        (int exit, string output, string error) = await CliHarness.RunAsync(["sub", channels.Url, "news", "--from", $"{last.Epoch}:2", "--count", "2"]);
        Assert.True(exit == 0, error);
        Assert.Equal($"p3{Environment.NewLine}p4{Environment.NewLine}", output);
        Assert.Contains($"Subscribed to news: resumed (epoch {last.Epoch}, latest 4)", error, StringComparison.Ordinal);

        (exit, output, error) = await CliHarness.RunAsync(["sub", channels.Url, "news", "--from", "not-the-epoch:2", "--count", "1"]);
        Assert.True(exit == 0, error);
        Assert.Equal($"p1{Environment.NewLine}", output);
        Assert.Contains("Subscribed to news: reset", error, StringComparison.Ordinal);

        (exit, output, error) = await CliHarness.RunAsync(["sub", channels.Url, "short", "--from", "0", "--count", "2", "--json"]);
        Assert.True(exit == 0, error);
        JsonElement subscribed = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Single(l => l.GetProperty("type").GetString() == "subscribed");
        Assert.Equal("gap", subscribed.GetProperty("result").GetString());
        Assert.Equal([1L, 2], subscribed.GetProperty("missing").EnumerateArray().Select(n => n.GetInt64()));
        Assert.Contains("\"seq\":3,", output, StringComparison.Ordinal);
        Assert.Contains("\"seq\":4,", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pub_prints_the_number_of_each_argument_or_stdin_line_once_acknowledged()
    {
        await using var channels = await ChannelServer.StartAsync();

        (int exit, string output, string error) = await CliHarness.RunAsync(["pub", channels.Url, "chat", "hello", "second ✓"]);
        Assert.True(exit == 0, error);
        Assert.Equal($"1{Environment.NewLine}2{Environment.NewLine}", output);

        (exit, output, error) = await CliHarness.RunAsync(["pub", channels.Url, "chat", "--transport", "long-polling"], new StringReader("third\nfourth\n"));
        Assert.True(exit == 0, error);
        Assert.Equal($"3{Environment.NewLine}4{Environment.NewLine}", output);

        (exit, output, error) = await CliHarness.RunAsync(["sub", channels.Url, "chat", "--from", "0", "--count", "4"]);
        Assert.True(exit == 0, error);
        Assert.Equal(["hello", "second ✓", "third", "fourth"], output.Split(Environment.NewLine)[..^1]);
    }

    [Fact]
    public async Task Are_listed_in_help_with_their_options()
    {
        var (exit, stdout, _) = await CliHarness.RunAsync(["--help"]);
        var (subExit, subHelp, _) = await CliHarness.RunAsync(["sub", "--help"]);
        var (pubExit, pubHelp, _) = await CliHarness.RunAsync(["pub", "--help"]);

        Assert.Equal((0, 0, 0), (exit, subExit, pubExit));
        Assert.Contains("  sub ", stdout, StringComparison.Ordinal);
        Assert.Contains("  pub ", stdout, StringComparison.Ordinal);
        foreach (string option in new[] { "--transport", "--from", "--json", "--count", "EPOCH:N", "long-polling" })
        {
            Assert.Contains(option, subHelp, StringComparison.Ordinal);
        }

        Assert.Contains("--transport", pubHelp, StringComparison.Ordinal);
        Assert.Contains("stdin", pubHelp, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sub", ":bad")]
    [InlineData("pub", "/bad")]
    public async Task An_invalid_channel_name_is_a_usage_error(string command, string channel)
    {
        await using var channels = await ChannelServer.StartAsync();
        (int exit, _, string error) = await CliHarness.RunAsync(command == "pub" ? [command, channels.Url, channel, "x"] : [command, channels.Url, channel]);
        Assert.Equal(2, exit);
        Assert.Contains("is not a channel name", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_from_is_a_usage_error_and_a_refused_subscribe_exits_1()
    {
        await using var channels = await ChannelServer.StartAsync(new RealtimeChannelOptions { Authorize = context => ValueTask.FromResult(context.Channel != "secret") });
        (int exit, _, string error) = await CliHarness.RunAsync(["sub", channels.Url, "news", "--from", "x"]);
        Assert.Equal(2, exit);
        Assert.Contains("--from 'x'", error, StringComparison.Ordinal);

        (exit, _, error) = await CliHarness.RunAsync(["sub", channels.Url, "secret"]);
        Assert.Equal(1, exit);
        Assert.Contains("forbidden", error, StringComparison.Ordinal);
    }

    /// <summary>Stdout that tells when a line containing some text was written.</summary>
    private sealed class WatchingWriter : StringWriter
    {
        private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

        public Task WaitForAsync(string text)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                if (ToString().Contains(text, StringComparison.Ordinal))
                {
                    return Task.CompletedTask;
                }

                _waiters.Add((text, seen));
            }

            return seen.Task.WaitAsync(CliHarness.Timeout);
        }

        public override void WriteLine(string? value)
        {
            lock (_waiters)
            {
                base.WriteLine(value);
                foreach (var waiter in _waiters.Where(w => value?.Contains(w.Text, StringComparison.Ordinal) == true).ToList())
                {
                    waiter.Seen.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }
    }

    private sealed class ChannelServer : IAsyncDisposable
    {
        private readonly DuplexServer _server;

        private ChannelServer(DuplexServer server, RealtimeEndpoint endpoint)
        {
            _server = server;
            Channels = endpoint.Channels;
        }

        public RealtimeChannels Channels { get; }

        public string Url => $"http://127.0.0.1:{_server.LocalEndPoint.Port}/realtime";

        public IPEndPoint EndPoint => _server.LocalEndPoint;

        public static async Task<ChannelServer> StartAsync(RealtimeChannelOptions? channels = null)
        {
            var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, ShutdownTimeout = TimeSpan.FromSeconds(5) });
            RealtimeEndpoint endpoint = server.MapRealtime("/realtime", RealtimeServers.EchoAsync, new RealtimeOptions { PollInterval = TimeSpan.FromMilliseconds(100), Channels = channels });
            await server.StartAsync();
            return new ChannelServer(server, endpoint);
        }

        public ValueTask DisposeAsync() => _server.DisposeAsync();
    }
}
