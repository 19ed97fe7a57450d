using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Reports;
using Duplex.Tests.Cli;

namespace Duplex.Tests.Compare;

/// <summary>
/// A controlled case: a ticker read by short polling at a known interval is late by half the
/// interval on average (a message waits for the next poll, uniformly), never by much more than one.
/// </summary>
[Collection(CompareRunFixture.Collection)]
public sealed class ComparePollingLatencyTests
{
    [Fact]
    public async Task A_known_polling_interval_gives_latencies_in_its_band()
    {
        const int interval = 400;
        string json = Path.Combine(Path.GetTempPath(), $"duplex-compare-poll-{Guid.NewGuid():N}.json");
        try
        {
            await using CliHarness run = CliHarness.Start(
                ["compare", "--approaches", "polling,websocket", "--poll-interval", $"{interval}", "--clients", "1", "--duration", "3", "--ticker-rate", "20", "--no-survival", "--no-save", "--json", json, "--quiet"]);
            int exit = await run.WaitForExitAsync(CompareRunFixture.Bound);
            Assert.True(exit == 0, $"exit {exit}; stdout: {run.Out} stderr: {run.Error}");
            CompareReport report = CompareJson.Deserialize(await File.ReadAllTextAsync(json));
            ApproachResult polling = report.Approaches.Single(a => a.Id == "polling");
            ApproachResult websocket = report.Approaches.Single(a => a.Id == "websocket");
            Assert.Equal(interval, report.Settings.PollIntervalMs);

            // Uniform over [0, interval]: the median near interval/2, and some message waited most
            // of an interval. (No upper bound on the worst: on a loaded machine, the test command
            // running everything at once, one stall pushed it past two intervals.)
            Assert.InRange(polling.DownLatency.P50, interval * 0.2, interval * 0.8);
            Assert.True(polling.DownLatency.Max >= interval * 0.6, $"polling max {polling.DownLatency.Max} ms: no message waited for a poll");

            // WebSocket does not wait for a poll: its median is far below the polling interval.
            Assert.True(websocket.DownLatency.P50 < interval * 0.2, $"websocket p50 {websocket.DownLatency.P50} ms");

            // Each poll carries what came in its interval: fewer requests than messages at 20/s and 2.5 polls/s.
            Assert.InRange(polling.Down.RequestsPerMessage, 0.05, 0.5);
        }
        finally
        {
            File.Delete(json);
        }
    }
}
