using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Duplex.Cli.Faults;
using Duplex.Realtime;
using Duplex.Realtime.Channels;
using Duplex.Tests.Interop;
using Xunit.Abstractions;

namespace Duplex.Tests.Realtime;

/// <summary>
/// duplex.js's channels in headless Chromium (tests/peers/node/chromium-channels.js) against a real
/// server whose test publishes from server code and makes the server forget sessions: after a
/// session is lost every subscription subscribes again from its cursor (resumed, or a gap announced
/// when history is short), nothing is delivered twice, and a publish whose answer was lost is
/// published once from the new session.
/// </summary>
public sealed class BrowserChannelTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("websocket")]
    [InlineData("sse")]
    [InlineData("long-polling")]
    [InlineData("polling")]
    public async Task After_a_session_is_lost_each_subscription_resumes_from_its_cursor_or_is_told_the_gap(string transport)
    {
        var doomed = new ConcurrentDictionary<string, byte>();
        var options = new RealtimeOptions
        {
            Accept = Doom(doomed),
            Channels = new RealtimeChannelOptions { Rules = [new ChannelRule("short/*", new ChannelLimits { HistoryCount = 2 })] },
        };
        await using BrowserTestServer server = await BrowserTestServer.StartAsync(options);
        await using FaultProxy proxy = Proxy(server);
        await using var browser = PeerProcess.StartNode("chromium-channels.js", [Page(proxy), "--scenario", "resume", "--transport", transport, "--timeout", "60"], output);
        RealtimeChannels channels = server.Endpoint.Channels;

        await browser.WaitForLineAsync("READY", InteropTimeouts.Browser);
        string epoch = (await channels.PublishTextAsync("feed", "p1")).Epoch;
        await channels.PublishTextAsync("feed", "p2");
        await channels.PublishTextAsync("feed", "p3");
        await channels.PublishTextAsync("short/a", "p1");
        await browser.WriteLineAsync("GO");

        await browser.WaitForLineAsync("AWAY", InteropTimeouts.Browser);
        RealtimeSession first = Assert.Single(server.Endpoint.Sessions);
        doomed.TryAdd(first.Id, 0);
        proxy.ResetAll();
        await channels.PublishTextAsync("feed", "p4");
        await channels.PublishTextAsync("feed", "p5");
        for (int i = 2; i <= 6; i++)
        {
            await channels.PublishTextAsync("short/a", $"p{i}");
        }

        await browser.WriteLineAsync("GO");
        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.Equal(RealtimeCloseReasons.Expired, first.CloseReason);
        Assert.Contains("session-lost", Strings(result.Json, "events"));

        // Channel envelopes are the client's own: only the application's message was never acknowledged.
        Assert.Equal(["sent while away"], Strings(result.Json, "unacknowledged"));

        JsonElement feed = result.Json.GetProperty("feed");
        Assert.Equal([("new", 0L), ("resumed", 5L)], Subscribed(feed));
        Assert.Equal(["1:p1", "2:p2", "3:p3", "4:p4", "5:p5", "6:from the page"], Strings(feed, "publications"));
        Assert.Equal(6, result.Json.GetProperty("published").GetProperty("seq").GetInt64());
        Assert.Equal(epoch, result.Json.GetProperty("published").GetProperty("epoch").GetString());
        Assert.True(result.Json.GetProperty("epochKept").GetBoolean());
        Assert.Empty(feed.GetProperty("gaps").EnumerateArray());

        JsonElement shortChannel = result.Json.GetProperty("short");
        Assert.Equal([("new", 0L), ("gap", 6L)], Subscribed(shortChannel));
        Assert.Equal([2L, 4L], shortChannel.GetProperty("subscribed")[1].GetProperty("missing").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(["1:p1", "5:p5", "6:p6"], Strings(shortChannel, "publications"));
        Assert.Empty(shortChannel.GetProperty("other").EnumerateArray());
        Assert.Empty(feed.GetProperty("other").EnumerateArray());
        Assert.Equal(["unsubscribed", "unsubscribed", "unsubscribed", "unsubscribed"], Strings(result.Json, "afterClose"));
        Assert.True(result.Json.GetProperty("presence").GetProperty("same").GetBoolean(), result.Json.GetProperty("presence").ToString());

        // The session lost is not the one the pages went on with.
        Assert.DoesNotContain(server.Endpoint.Sessions, s => s.Id == first.Id);
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("long-polling")]
    public async Task A_publish_whose_session_was_lost_before_its_answer_is_published_once_from_the_new_session(string transport)
    {
        var doomed = new ConcurrentDictionary<string, byte>();
        FaultProxy? proxy = null;
        int orderPublishes = 0;
        var options = new RealtimeOptions
        {
            Accept = Doom(doomed),
            Channels = new RealtimeChannelOptions
            {
                Authorize = context =>
                {
                    if (context.Channel == "secret")
                    {
                        return ValueTask.FromResult(false);
                    }

                    if (context.Access == ChannelAccess.Publish && context.Channel == "orders" && Interlocked.Increment(ref orderPublishes) == 1)
                    {
                        // The first publish goes through, but its session is gone before the answer can reach the client.
                        doomed.TryAdd(context.Session.Id, 0);
                        proxy!.ResetAll();
                    }

                    return ValueTask.FromResult(true);
                },
            },
        };
        await using BrowserTestServer server = await BrowserTestServer.StartAsync(options);
        await using FaultProxy started = Proxy(server);
        proxy = started;
        await using var browser = PeerProcess.StartNode("chromium-channels.js", [Page(started), "--scenario", "republish", "--transport", transport, "--timeout", "60"], output);

        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.Equal(["invalid channel", "info over 1 KiB", "history not a count", "publication not text or binary"], Strings(result.Json, "checks"));
        Assert.Contains("session-lost", Strings(result.Json, "events"));
        Assert.Equal(1, result.Json.GetProperty("first").GetProperty("seq").GetInt64());
        Assert.Equal(2, result.Json.GetProperty("second").GetProperty("seq").GetInt64());
        JsonElement orders = result.Json.GetProperty("orders");
        Assert.Equal(3, result.Json.GetProperty("third").GetProperty("seq").GetInt64());
        Assert.Equal(["1:once", "2:twice", "3:<0 1 127 128 254 255>"], Strings(orders, "publications"));
        Assert.Equal([("new", 0L), ("resumed", 1L)], Subscribed(orders));
        Assert.Empty(orders.GetProperty("other").EnumerateArray());
        Assert.Equal("forbidden", result.GetString("refused"));
        Assert.Equal(["forbidden"], Strings(result.Json, "refusedEvents"));
        Assert.Equal("unsubscribed", result.GetString("refusedState"));

        // The client really asked again (four publishes for three publications).
        Assert.Equal(4, Volatile.Read(ref orderPublishes));
    }

    /// <summary>An accept hook that expires the doomed sessions at their next request (the server then answers 410, as for a session whose resume window passed).</summary>
    private static Func<RealtimeAcceptContext, ValueTask<bool>> Doom(ConcurrentDictionary<string, byte> doomed) => async context =>
    {
        if (context.Session is { } session && doomed.ContainsKey(session.Id))
        {
            await session.CloseAsync(RealtimeCloseReasons.Expired);
        }

        return true;
    };

    private static FaultProxy Proxy(BrowserTestServer server) =>
        FaultProxy.Start(new FaultProxyOptions { Upstream = new IPEndPoint(IPAddress.Loopback, server.Port), Mode = FaultMode.PassThrough });

    private static string Page(FaultProxy proxy) => $"http://127.0.0.1:{proxy.LocalEndPoint.Port}/";

    private static string[] Strings(JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(e => e.GetString() ?? "").ToArray();

    private static (string?, long)[] Subscribed(JsonElement log) =>
        log.GetProperty("subscribed").EnumerateArray().Select(s => (s.GetProperty("result").GetString(), s.GetProperty("latest").GetInt64())).ToArray();
}
