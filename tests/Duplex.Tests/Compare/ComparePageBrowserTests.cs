using System.Text.Json;
using Duplex.Cli.Compare;
using Duplex.Tests.Cli;
using Duplex.Tests.Interop;
using Duplex.Tests.Support;
using Xunit.Abstractions;

namespace Duplex.Tests.Compare;

/// <summary>
/// The compare page of <c>duplex serve</c> (web/compare.html) in headless Chromium: the last
/// report (or how to make one), and the live run with the browser's own transports against /compare.
/// </summary>
public sealed class ComparePageBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Without_a_report_the_page_says_how_to_make_one_and_the_live_run_delivers_every_message_over_every_transport()
    {
        string folder = TemporaryFolder();
        try
        {
            await using CliHarness serve = CliHarness.Start(["serve", "--port", "0", "--host", "127.0.0.1"], environment: new Dictionary<string, string> { ["DUPLEX_COMPARE_DIR"] = folder });
            int port = await serve.ListeningPortAsync();
            string shot = Path.Combine(Screenshots.Folder(), "compare-live.png");
            await using var browser = PeerProcess.StartNode("chromium-compare.js", [$"http://127.0.0.1:{port}/compare.html", "--screenshot", shot, "--timeout", "120"], output);

            PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

            result.AssertOk();
            JsonElement last = result.Json.GetProperty("last");
            Assert.Equal("none", last.GetProperty("state").GetString());
            Assert.Contains("duplex compare", last.GetProperty("text").GetString(), StringComparison.Ordinal);
            AssertLiveRun(result);
            Screenshots.AssertSaved(shot);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Through_aspnetcore_the_page_shows_the_last_report_a_row_per_approach_and_runs_live()
    {
        string folder = TemporaryFolder();
        try
        {
            var environment = new Dictionary<string, string> { ["DUPLEX_COMPARE_DIR"] = folder };
            new CompareReportStore(name => environment.GetValueOrDefault(name)).Save(SampleReportJson(), "<!doctype html><title>report</title>");
            await using CliHarness serve = CliHarness.Start(["serve", "--port", "0", "--host", "127.0.0.1", "--aspnetcore"], environment: environment);
            int port = await serve.ListeningPortAsync();
            string shot = Path.Combine(Screenshots.Folder(), "compare-last-report.png");
            await using var browser = PeerProcess.StartNode("chromium-compare.js", [$"http://127.0.0.1:{port}/compare.html", "--screenshot", shot, "--timeout", "120"], output);

            PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

            result.AssertOk();
            JsonElement last = result.Json.GetProperty("last");
            Assert.Equal("shown", last.GetProperty("state").GetString());
            Assert.Equal(["websocket", "polling"], last.GetProperty("approaches").EnumerateArray().Select(a => a.GetString()));
            AssertLiveRun(result);
            Screenshots.AssertSaved(shot);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void AssertLiveRun(PeerResult result)
    {
        JsonElement progress = result.Json.GetProperty("progress");
        JsonElement[] rows = [.. result.Json.GetProperty("rows").EnumerateArray()];
        Assert.True(progress.GetProperty("state").GetString() == "done", $"{progress.GetProperty("text")}; rows: {result.Json.GetProperty("rows")}");
        Assert.Equal(["websocket", "sse", "long-polling", "polling"], rows.Select(r => r.GetProperty("transport").GetString()));
        Assert.All(rows, r =>
        {
            Assert.Equal(JsonValueKind.Null, r.GetProperty("error").ValueKind);
            Assert.Equal((0, 0, 0), (r.GetProperty("lost").GetInt32(), r.GetProperty("duplicated").GetInt32(), r.GetProperty("reordered").GetInt32()));
            // 2 clients × (40 ticks + 2 × 10 chats).
            Assert.Equal(120, r.GetProperty("expected").GetInt32());
            Assert.Equal(120, r.GetProperty("delivered").GetInt32());
            // Every latency cell holds a number.
            string[] cells = [.. r.GetProperty("cells").EnumerateArray().Select(c => c.GetString() ?? "")];
            Assert.All(cells[1..9], c => Assert.Matches(@"^-?\d+\.\d+$", c));
        });
    }

    private static string TemporaryFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "duplex-compare-page-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>A report in the shape <c>duplex compare --json</c> writes (camelCase), two approaches and a fault.</summary>
    private static string SampleReportJson()
    {
        var report = new CompareReport
        {
            DuplexVersion = "test",
            StartedAt = DateTimeOffset.UnixEpoch,
            WallSeconds = 12,
            Settings = new CompareSettingsReport
            {
                Target = "loopback", Clients = 5, DurationSeconds = 3, MessageBytes = 64, TickerRate = 20, ChatRate = 5, BurstCount = 100,
                PollIntervalMs = 500, HeartbeatMs = 2000, CommandLine = "duplex compare --clients 5 --duration 3",
            },
            Machine = new MachineReport("Linux", 2, ".NET 10", 0.5),
            Approaches =
            [
                new ApproachResult
                {
                    Id = "websocket", Name = "WebSocket", HttpVersion = "1.1", Server = "built-in", Ran = true,
                    DownLatency = new LatencySummary(100, 0.3, 0.5, 0.9, 1.2, 0.35), UpLatency = new LatencySummary(50, 0.2, 0.4, 0.8, 1, 0.3),
                    FullDuplex = new FullDuplexResult(true, 50, 20, 1, "20 of 50 frames went out during a push"),
                    Down = new WireCost(100, 30, 2, 0), Up = new WireCost(50, 0, 36, 0),
                },
                new ApproachResult
                {
                    Id = "polling", Name = "Short polling (every 500 ms)", HttpVersion = "1.1", Server = "built-in", Ran = true,
                    DownLatency = new LatencySummary(100, 250, 450, 495, 500, 250), UpLatency = new LatencySummary(50, 1, 2, 3, 4, 1.5),
                    Down = new WireCost(100, 120, 90, 0.4), Up = new WireCost(50, 80, 200, 1),
                    Integrity = new Integrity(100, 99, 1, 0, 0),
                },
            ],
            Survival =
            [
                new SurvivalResult { Fault = "refuse-upgrades", Approach = "websocket", Works = false, Integrity = Integrity.None, Detail = "upgrade refused: 403" },
                new SurvivalResult { Fault = "refuse-upgrades", Approach = "polling", Works = true, Integrity = Integrity.None, Detail = "works" },
            ],
        };
        return JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web));
    }
}
