using System.Collections.Concurrent;

namespace Duplex.Tests.Cli;

public sealed class AutobahnAgentCommandTests
{
    /// <summary>
    /// A fake Autobahn fuzzing server: getCaseCount answers "3"; runCase sends a text and a
    /// binary message and records whether both came back unchanged with their types;
    /// updateReports records the agent and closes.
    /// </summary>
    private sealed class FakeFuzzingServer(int refuseCase = 0)
    {
        public ConcurrentDictionary<int, string> Cases { get; } = new();

        public ConcurrentQueue<string> Reports { get; } = new();

        public void Map(DuplexServer server)
        {
            server.MapWebSocket("/getCaseCount", async (ws, ct) =>
            {
                await ws.SendTextAsync("3", ct);
                await ws.CloseAsync(CloseStatus.NormalClosure, null, ct);
            });
            server.MapWebSocket("/runCase", RunCaseAsync, new WebSocketEndpointOptions
            {
                // A case the server refuses with 403, as a case whose connection fails.
                Accept = c => !c.Request.Query.StartsWith($"case={refuseCase}&", StringComparison.Ordinal),
            });
            server.MapWebSocket("/updateReports", async (ws, ct) =>
            {
                Reports.Enqueue(ws.Request!.Query);
                await ws.CloseAsync(CloseStatus.NormalClosure, null, ct);
            });
        }

        private async Task RunCaseAsync(WebSocketConnection ws, CancellationToken ct)
        {
            var query = ws.Request!.Query.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
            int number = int.Parse(query["case"], System.Globalization.CultureInfo.InvariantCulture);
            string text = $"case {number}: héllo";
            byte[] binary = [(byte)number, 0, 0xff, 0x80];
            await ws.SendTextAsync(text, ct);
            await ws.SendBinaryAsync(binary, ct);

            WebSocketMessage first = await ws.ReceiveAsync(ct);
            bool textOk = first.Type == MessageType.Text && first.Text == text;
            WebSocketMessage second = await ws.ReceiveAsync(ct);
            bool binaryOk = second.Type == MessageType.Binary && second.Data.Span.SequenceEqual(binary);
            Cases[number] = textOk && binaryOk ? $"ok {query["agent"]}" : "wrong echo";
            await ws.CloseAsync(CloseStatus.NormalClosure, null, ct);
        }
    }

    [Fact]
    public async Task Runs_every_case_as_an_echo_client_then_updates_the_reports()
    {
        var fake = new FakeFuzzingServer();
        await using DuplexServer server = await TestServers.StartAsync(fake.Map);

        var (exit, stdout, stderr) = await CliHarness.RunAsync(["autobahn-agent", $"ws://127.0.0.1:{server.LocalEndPoint.Port}", "--agent", "duplex test"]);

        Assert.True(exit == 0, $"exit {exit}; stdout: {stdout} stderr: {stderr}");
        Assert.Equal(3, fake.Cases.Count);
        Assert.All(Enumerable.Range(1, 3), i => Assert.Equal("ok duplex test", fake.Cases[i]));
        Assert.Equal(["agent=duplex%20test"], fake.Reports);
        Assert.Contains("case 3/3: 2 message(s) echoed; closed 1000", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_only_the_cases_asked_for()
    {
        var fake = new FakeFuzzingServer();
        await using DuplexServer server = await TestServers.StartAsync(fake.Map);

        var (exit, _, stderr) = await CliHarness.RunAsync(["autobahn-agent", $"ws://127.0.0.1:{server.LocalEndPoint.Port}/", "--cases", "2..3"]);

        Assert.True(exit == 0, $"exit {exit}; stderr: {stderr}");
        Assert.Equal([2, 3], fake.Cases.Keys.Order());
        Assert.Single(fake.Reports);
    }

    [Fact]
    public async Task A_case_that_fails_to_connect_does_not_stop_the_run()
    {
        var fake = new FakeFuzzingServer(refuseCase: 2);
        await using DuplexServer server = await TestServers.StartAsync(fake.Map);

        var (exit, stdout, stderr) = await CliHarness.RunAsync(["autobahn-agent", $"ws://127.0.0.1:{server.LocalEndPoint.Port}"]);

        Assert.Equal(1, exit);
        Assert.Equal([1, 3], fake.Cases.Keys.Order());
        Assert.Contains("case 2/3: failed:", stderr, StringComparison.Ordinal);
        Assert.Contains("403", stderr, StringComparison.Ordinal);
        Assert.Single(fake.Reports);
        Assert.Contains("1 failed case(s)", stdout, StringComparison.Ordinal);
    }
}
