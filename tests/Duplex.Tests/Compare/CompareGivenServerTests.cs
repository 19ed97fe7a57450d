using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Reports;
using Duplex.Tests.Cli;

namespace Duplex.Tests.Compare;

/// <summary>
/// <c>duplex compare URL</c>: against a server somebody else started (here <c>duplex serve</c>,
/// the built-in HTTP/1.1 server), as a user measures their own deployment.
/// </summary>
[Collection(CompareRunFixture.Collection)]
public sealed class CompareGivenServerTests
{
    [Fact]
    public async Task A_given_server_is_measured_and_its_missing_http2_is_said_not_failed()
    {
        string json = Path.Combine(Path.GetTempPath(), $"duplex-compare-url-{Guid.NewGuid():N}.json");
        try
        {
            await using CliHarness serve = CliHarness.Start(["serve", "--port", "0", "--host", "127.0.0.1"]);
            int port = await serve.ListeningPortAsync();

            await using CliHarness run = CliHarness.Start(
                ["compare", $"http://127.0.0.1:{port}", "--approaches", "websocket,sse-h2", "--clients", "2", "--duration", "1", "--no-save", "--json", json, "--quiet"]);
            int exit = await run.WaitForExitAsync(CompareRunFixture.Bound);
            Assert.True(exit == 0, $"exit {exit}; stdout: {run.Out} stderr: {run.Error}");
            CompareReport report = CompareJson.Deserialize(await File.ReadAllTextAsync(json));

            Assert.Equal($"http://127.0.0.1:{port}/", report.Settings.Target);

            // The server's own heartbeat (serve's default 2 s, negotiated), not --heartbeat's 1 s, sets
            // the idle window: a window shorter than a heartbeat would read a held poll's idle as free.
            Assert.Equal(2000, report.Settings.HeartbeatMs);
            ApproachResult websocket = report.Approaches.Single(a => a.Id == "websocket");
            Assert.True(websocket.Ran, websocket.Error);
            Assert.True(websocket.Integrity.Clean && websocket.Integrity.Delivered == websocket.Integrity.Expected, $"{websocket.Integrity}");
            Assert.True(websocket.FullDuplex.Observed, websocket.FullDuplex.Evidence);
            Assert.True(websocket.Idle.Seconds >= 3, $"idle window {websocket.Idle.Seconds} s");
            Assert.True(websocket.Idle.BytesPerClientPerSecond > 0, "no heartbeat in the idle window");

            // Not our process: its CPU and memory are not read, and the table says so.
            Assert.Null(websocket.ServerCost.CpuMillisecondsPerClientSecond);
            Assert.Equal(VerdictLevel.NotMeasured, CompareVerdicts.Judge(CompareVerdicts.Column(CompareColumnId.ServerCpu), websocket, report).Level);

            // The built-in server answers the HTTP/2 preface with 505: the row says why it did not run,
            // and it is not tried through the faults (that would read as four failures of infrastructure).
            ApproachResult h2 = report.Approaches.Single(a => a.Id == "sse-h2");
            Assert.False(h2.Ran);
            Assert.Contains("does not speak HTTP/2", h2.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(report.Survival, s => s.Approach == "sse-h2");
            Assert.Equal(4, report.Survival.Count(s => s.Approach == "websocket"));
            Assert.Contains(report.Survival, s => s.Approach == "websocket" && s.Fault == "refuse-upgrades" && !s.Works);
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task An_estimated_clock_is_the_one_clock_there_is_even_when_short_polling_would_bias_a_ping()
    {
        // One machine: the true offset is zero. A ping over short polling would wait for the next poll
        // (up to the interval); the estimate is made over WebSocket, whose two directions are alike.
        const int interval = 1000;
        string json = Path.Combine(Path.GetTempPath(), $"duplex-compare-clock-{Guid.NewGuid():N}.json");
        try
        {
            await using CliHarness run = CliHarness.Start(
                ["compare", "--clock", "estimate", "--approaches", "polling", "--poll-interval", $"{interval}", "--clients", "1", "--duration", "2", "--no-survival", "--no-save", "--json", json, "--quiet"]);
            int exit = await run.WaitForExitAsync(CompareRunFixture.Bound);
            Assert.True(exit == 0, $"exit {exit}; stdout: {run.Out} stderr: {run.Error}");
            CompareReport report = CompareJson.Deserialize(await File.ReadAllTextAsync(json));

            Assert.Equal("estimated over websocket", report.Settings.Clock);
            Assert.NotNull(report.Settings.ClockOffsetMicroseconds);
            Assert.InRange(report.Settings.ClockOffsetMicroseconds!.Value, -interval * 1000 / 10, interval * 1000 / 10);

            ApproachResult polling = report.Approaches.Single(a => a.Id == "polling");
            Assert.InRange(polling.DownLatency.P50, interval * 0.2, interval * 0.8);
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task A_server_that_is_not_there_fails_the_run_and_keeps_the_last_report()
    {
        string store = Path.Combine(Path.GetTempPath(), $"duplex-compare-store-{Guid.NewGuid():N}");
        try
        {
            // A port nothing listens on: bound, then let go.
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();

            Directory.CreateDirectory(store);
            await File.WriteAllTextAsync(Path.Combine(store, "last.json"), "{\"kept\":true}");
            (int exit, string stdout, string error) = await CliHarness.RunAsync(
                ["compare", $"http://127.0.0.1:{port}", "--clients", "1", "--duration", "1", "--no-survival"],
                environment: new Dictionary<string, string> { ["DUPLEX_COMPARE_DIR"] = store });

            Assert.Equal(1, exit);
            Assert.Contains($"no approach ran against http://127.0.0.1:{port}/", error, StringComparison.Ordinal);
            Assert.Contains("did not run", stdout, StringComparison.Ordinal);
            Assert.Equal("{\"kept\":true}", await File.ReadAllTextAsync(Path.Combine(store, "last.json")));
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    [Fact]
    public async Task The_clock_option_takes_only_its_three_values()
    {
        (int exit, _, string error) = await CliHarness.RunAsync(["compare", "--clock", "guess"]);

        Assert.NotEqual(0, exit);
        Assert.Contains("guess", error, StringComparison.Ordinal);
    }
}
