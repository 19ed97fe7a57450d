using System.Net;
using System.Text.Json;
using Duplex.Cli.Compare.Server;
using Duplex.Realtime;
using Duplex.Tests.Cli;
using Microsoft.Extensions.Logging.Abstractions;

namespace Duplex.Tests.Compare;

/// <summary>
/// The /compare endpoint's options (docs/PROTOCOL.md §12): the heartbeat from
/// <c>--compare-heartbeat</c>, the suggested poll interval and a client's own, and the run groups'
/// life, on a <see cref="DuplexServer"/> and through <c>duplex serve</c>.
/// </summary>
public sealed class CompareWorkloadEndpointTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Negotiate_on_compare_says_the_heartbeat_of_the_option_and_the_suggested_poll_interval(bool aspNetCore)
    {
        await using CliHarness serve = CompareWorkloadTests.StartServe(aspNetCore, "--compare-heartbeat", "1500");
        Uri endpoint = await CompareWorkloadTests.CompareEndpointAsync(serve);
        using var http = new HttpClient { Timeout = CliHarness.Timeout };

        using HttpResponseMessage answer = await http.PostAsync(new Uri(endpoint + "/negotiate?v=1"), null, TestServers.Bounded());
        using HttpResponseMessage realtime = await http.PostAsync(new Uri(endpoint, "/realtime/negotiate?v=1"), null, TestServers.Bounded());

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        using JsonDocument json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(1500, json.RootElement.GetProperty("heartbeatMs").GetInt64());
        Assert.Equal(1500, json.RootElement.GetProperty("pollHoldMs").GetInt64());
        Assert.Equal(500, json.RootElement.GetProperty("pollIntervalMs").GetInt64());
        Assert.Equal(CompareLimits.MaxQueuedMessages, json.RootElement.GetProperty("limits").GetProperty("maxQueuedMessages").GetInt64());
        // /realtime keeps its own defaults.
        using JsonDocument other = JsonDocument.Parse(await realtime.Content.ReadAsStringAsync());
        Assert.Equal(15000, other.RootElement.GetProperty("heartbeatMs").GetInt64());
    }

    [Fact]
    public async Task The_default_heartbeat_is_two_seconds_and_a_heartbeat_that_is_not_positive_is_a_usage_error()
    {
        await using CliHarness serve = CompareWorkloadTests.StartServe(aspNetCore: false);
        Uri endpoint = await CompareWorkloadTests.CompareEndpointAsync(serve);
        using var http = new HttpClient { Timeout = CliHarness.Timeout };
        using HttpResponseMessage answer = await http.PostAsync(new Uri(endpoint + "/negotiate?v=1"), null, TestServers.Bounded());
        using JsonDocument json = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Equal(2000, json.RootElement.GetProperty("heartbeatMs").GetInt64());

        (int exit, _, string error) = await CliHarness.RunAsync(["serve", "--port", "0", "--compare-heartbeat", "0"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("--compare-heartbeat", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(1200)]
    public async Task Short_polling_at_the_interval_the_client_asks_carries_a_ticker_whole(int pollMs)
    {
        await using CliHarness serve = CompareWorkloadTests.StartServe(aspNetCore: false);
        await using CompareTestClient client = await CompareTestClient.ConnectAsync(
            await CompareWorkloadTests.CompareEndpointAsync(serve), RealtimeTransport.Polling, TimeSpan.FromMilliseconds(pollMs));

        await client.SendAsync("""{"k":"ticker","rate":20,"count":30,"size":10}""");
        List<JsonElement> messages = await client.UntilAsync("done");

        Assert.Equal(TimeSpan.FromMilliseconds(pollMs), client.Client.PollInterval);
        Assert.Equal(RealtimeTransport.Polling, client.Client.Transport);
        Assert.Equal(Enumerable.Range(0, 30).Select(n => (long)n), messages.SkipLast(1).Select(t => t.GetProperty("n").GetInt64()));
        Assert.Equal(30, messages[^1].GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task A_run_group_goes_when_its_last_member_leaves()
    {
        var workload = new CompareWorkload(NullLogger.Instance);
        await using DuplexServer server = await TestServers.StartAsync(s => s.MapRealtime("/compare", workload.ServeAsync, CompareServe.Options(TimeSpan.FromSeconds(2))));
        var endpoint = new Uri($"http://127.0.0.1:{server.LocalEndPoint.Port}/compare");
        CompareTestClient a = await CompareTestClient.ConnectAsync(endpoint, RealtimeTransport.WebSocket);
        CompareTestClient b = await CompareTestClient.ConnectAsync(endpoint, RealtimeTransport.ServerSentEvents);
        await a.SendAsync("""{"k":"hello","run":"gone","client":0}""");
        await a.NextAsync("hello");
        await b.SendAsync("""{"k":"hello","run":"gone","client":1}""");
        Assert.Equal(2, (await b.NextAsync("hello")).GetProperty("members").GetInt32());
        Assert.Equal(2, workload.Groups.Find("gone")!.Members.Count);

        await a.Client.CloseAsync(TestServers.Bounded());
        await a.DisposeAsync();
        await WaitUntilAsync(() => workload.Groups.Find("gone")?.Members.Count == 1, "the first member to leave");
        await b.SendAsync("""{"k":"chat","n":0,"c":0}""");
        Assert.Equal(1, (await b.NextAsync("chat")).GetProperty("from").GetInt64());

        await b.Client.CloseAsync(TestServers.Bounded());
        await b.DisposeAsync();
        await WaitUntilAsync(() => workload.Groups.Count == 0, "the group to go");
        Assert.Null(workload.Groups.Find("gone"));
    }

    /// <summary>Checks <paramref name="condition"/> every 20 ms until it holds; fails after the bound.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        CancellationToken bound = TestServers.Bounded();
        while (!condition())
        {
            Assert.False(bound.IsCancellationRequested, $"timed out waiting for {what}");
            await Task.Delay(20, CancellationToken.None);
        }
    }
}
