using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Duplex.Cli.Faults;
using Duplex.Realtime;
using Duplex.Tests.Interop;
using Duplex.Tests.Support;
using Xunit.Abstractions;

namespace Duplex.Tests.Realtime;

/// <summary>
/// duplex.js, the browser client, in headless Chromium (tests/peers/node/chromium-realtime.js)
/// against a real server: 50 texts and binary messages (every byte value) echoed back exactly,
/// once, in order, on each transport; fallback behind an HTTP-only proxy and a buffering gateway;
/// every connection reset while messages flow, with nothing lost, duplicated or reordered either way.
/// </summary>
public sealed class BrowserClientTests(ITestOutputHelper output)
{
    private const int Texts = 50;

    [Theory]
    [InlineData("websocket")]
    [InlineData("sse")]
    [InlineData("long-polling")]
    [InlineData("polling")]
    public async Task Texts_and_binary_messages_go_both_ways_once_and_in_order(string transport)
    {
        await using BrowserTestServer server = await BrowserTestServer.StartAsync();

        PeerResult result = await RunAsync(server.PageUri, ["--transport", transport]);

        result.AssertOk();
        Assert.Equal(transport, result.GetString("connectedOn"));
        Assert.Equal(transport, result.GetString("finalTransport"));
        AssertReceivedThePlan(server);
        Assert.Equal(["connecting", "connected", "closed"], States(result));
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("sse")]
    [InlineData("long-polling")]
    [InlineData("polling")]
    public async Task A_session_the_server_ends_closes_the_client_with_the_servers_reason(string transport)
    {
        await using BrowserTestServer server = await BrowserTestServer.StartAsync();

        PeerResult result = await RunAsync(server.PageUri, ["--transport", transport, "--end"]);

        result.AssertOk();
        Assert.Equal(RealtimeCloseReasons.Closed, result.GetString("endReason"));
        Assert.Equal(["connecting", "connected", "closed"], States(result));
        Assert.Empty(server.Endpoint.Sessions);
        AssertReceivedThePlan(server);
    }

    [Fact]
    public async Task The_client_refuses_a_full_offline_queue_a_message_that_is_not_text_or_binary_and_an_unknown_transport()
    {
        await using BrowserTestServer server = await BrowserTestServer.StartAsync();

        PeerResult result = await RunAsync(server.PageUri, ["--api-checks"]);

        result.AssertOk();
        Assert.Equal(["queue-full", "not a message", "lone surrogate", "unknown transport"], result.Json.GetProperty("checks").EnumerateArray().Select(c => c.GetString()));
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("sse")]
    [InlineData("long-polling")]
    [InlineData("polling")]
    public async Task A_page_of_an_allowed_other_origin_runs_its_session_with_simple_requests_only(string transport)
    {
        // The page comes from one server, the session from another that allows the page's origin
        // and has no CORS preflight to offer: every request must be a simple one.
        await using BrowserTestServer page = await BrowserTestServer.StartAsync();
        await using BrowserTestServer api = await BrowserTestServer.StartAsync(new RealtimeOptions { AllowedOrigins = [$"http://127.0.0.1:{page.Port}"] });

        PeerResult result = await RunAsync(page.PageUri, ["--transport", transport, "--base", $"http://localhost:{api.Port}/realtime"]);

        result.AssertOk();
        Assert.Equal(transport, result.GetString("connectedOn"));
        AssertReceivedThePlan(api);
        Assert.Empty(page.Received);
    }

    [Fact]
    public async Task Behind_a_proxy_that_refuses_upgrades_the_client_falls_back_from_websocket_to_sse()
    {
        await using BrowserTestServer server = await BrowserTestServer.StartAsync();
        await using FaultProxy proxy = Proxy(server, FaultMode.RefuseUpgrades);

        PeerResult result = await RunAsync(ProxiedPage(proxy), ["--transport", "auto"]);

        result.AssertOk();
        Assert.Equal("sse", result.GetString("connectedOn"));
        Assert.Contains(("websocket", "sse"), Fallbacks(result));
        Assert.True(proxy.RefusedUpgrades >= 1, "the proxy refused no upgrade");
        AssertReceivedThePlan(server);
    }

    [Fact]
    public async Task Behind_a_gateway_that_buffers_responses_the_client_falls_back_from_sse_to_long_polling()
    {
        // A server that offers no WebSocket (which would pass the gateway once upgraded).
        var options = new RealtimeOptions { Transports = [RealtimeTransport.ServerSentEvents, RealtimeTransport.LongPolling, RealtimeTransport.Polling] };
        await using BrowserTestServer server = await BrowserTestServer.StartAsync(options);
        await using FaultProxy proxy = Proxy(server, FaultMode.BufferResponses);

        PeerResult result = await RunAsync(ProxiedPage(proxy), ["--transport", "auto", "--open-timeout-ms", "1500"]);

        result.AssertOk();
        Assert.Equal("long-polling", result.GetString("connectedOn"));
        Assert.Equal([("sse", "long-polling")], Fallbacks(result));
        AssertReceivedThePlan(server);
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("sse")]
    [InlineData("long-polling")]
    public async Task Every_connection_reset_while_messages_flow_loses_duplicates_and_reorders_nothing(string transport)
    {
        await using BrowserTestServer server = await BrowserTestServer.StartAsync();
        await using FaultProxy proxy = Proxy(server, FaultMode.PassThrough);
        await using var browser = PeerProcess.StartNode("chromium-realtime.js", [ProxiedPage(proxy).ToString(), "--transport", transport, "--pause", "--timeout", "60"], output);

        await browser.WaitForLineAsync("PAUSE", InteropTimeouts.Browser);
        proxy.ResetAll();
        await browser.WriteLineAsync("GO");
        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.True(proxy.Resets >= 1, "the proxy reset no connection");
        AssertReceivedThePlan(server);
        if (transport != "long-polling")
        {
            // A WebSocket or an event stream is always open: the reset always hits it. (A long
            // poll may sit between two requests, whose next one the browser retries by itself.)
            Assert.Contains("reconnecting", States(result));
            Assert.Contains("resumed", States(result));
        }
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("sse")]
    [InlineData("long-polling")]
    public async Task A_session_the_server_forgot_is_reported_lost_with_what_it_never_acknowledged_and_a_new_one_follows(string transport)
    {
        // The accept hook expires the doomed sessions at their next request: from then on the
        // server answers 410 for them, as for a session whose resume window passed.
        var doomed = new ConcurrentDictionary<string, byte>();
        var options = new RealtimeOptions
        {
            Accept = async context =>
            {
                if (context.Session is { } session && doomed.ContainsKey(session.Id))
                {
                    await session.CloseAsync(RealtimeCloseReasons.Expired);
                }

                return true;
            },
        };
        await using BrowserTestServer server = await BrowserTestServer.StartAsync(options);
        await using FaultProxy proxy = Proxy(server, FaultMode.PassThrough);
        await using var browser = PeerProcess.StartNode("chromium-realtime.js", [ProxiedPage(proxy).ToString(), "--transport", transport, "--lose", "--timeout", "60"], output);

        await browser.WaitForLineAsync("PAUSE", InteropTimeouts.Browser);
        RealtimeSession first = Assert.Single(server.Endpoint.Sessions);
        doomed.TryAdd(first.Id, 0);
        proxy.ResetAll();
        await browser.WriteLineAsync("GO");
        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.Equal(RealtimeCloseReasons.Expired, first.CloseReason);
        Assert.Contains(result.GetString("lostReason"), new[] { RealtimeCloseReasons.Expired, "session-expired" });
        Assert.Equal(["connecting", "connected", "session-lost", "connecting", "connected", "closed"], States(result).Where(s => s is not ("reconnecting" or "fallback")));

        // The second half was sent before the client noticed the loss (then it is among the
        // unacknowledged, and never arrives), or after it (then it went on the new session).
        IReadOnlyList<(MessageType Type, byte[] Data)> plan = Plan(Texts);
        int half = (plan.Count + 1) / 2;
        bool lostFirst = result.Json.GetProperty("lostBeforeSecondHalf").GetBoolean();
        var expected = plan.Take(lostFirst ? plan.Count : half).Concat(Enumerable.Range(0, 5).Select(i => (MessageType.Text, Encoding.UTF8.GetBytes($"after the loss {i}")))).ToArray();
        AssertReceived(server, expected);
        if (!lostFirst)
        {
            Assert.True(result.GetInt("unacknowledged") >= plan.Count - half, "the second half is among the unacknowledged");
        }
    }

    [Fact]
    public async Task An_idle_event_stream_stays_up_on_heartbeat_events_and_acknowledgements_without_being_replaced()
    {
        // EventSource hides comment lines, so duplex.js asks for heartbeat events (hb=event): an
        // idle stream is seen alive and kept (no replacement), and the client shows it is alive
        // with an acknowledgement alone each interval.
        int streams = 0;
        int sends = 0;
        bool idle = false;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new RealtimeOptions
        {
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            PollHold = TimeSpan.FromSeconds(1),
            PollInterval = TimeSpan.FromMilliseconds(500),
            Accept = context =>
            {
                if (Volatile.Read(ref idle))
                {
                    int opened = context.Exchange.Path.EndsWith("/sse", StringComparison.Ordinal) ? Interlocked.Increment(ref streams) : Volatile.Read(ref streams);
                    int sent = context.Kind == RealtimeRequestKind.Send ? Interlocked.Increment(ref sends) : Volatile.Read(ref sends);
                    // One send may still carry the acknowledgement of the last echoes.
                    if (sent >= 4)
                    {
                        enough.TrySetResult();
                    }
                }

                return ValueTask.FromResult(true);
            },
        };
        await using BrowserTestServer server = await BrowserTestServer.StartAsync(options);
        await using var browser = PeerProcess.StartNode("chromium-realtime.js", [server.PageUri.ToString(), "--transport", "sse", "--settle", "--timeout", "60"], output);

        await browser.WaitForLineAsync("PAUSE", InteropTimeouts.Browser);
        Volatile.Write(ref idle, true);
        await enough.Task.Within("acknowledgements while idle", TimeSpan.FromSeconds(60));
        // Without heartbeat events a stream is replaced every two silent intervals (two or more in
        // this window); with them, none is expected, and at most one (seamless) under a heavy load.
        Assert.True(Volatile.Read(ref streams) <= 1, $"{streams} streams opened while idle; transport changes: {string.Join(",", server.TransportChanges)}");
        RealtimeTransport?[] changes = server.TransportChanges.ToArray();
        await browser.WriteLineAsync("GO");
        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.Equal([RealtimeTransport.ServerSentEvents], changes);
        Assert.Equal(["connecting", "connected", "closed"], States(result));
        AssertReceivedThePlan(server);
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("sse")]
    [InlineData("long-polling")]
    public async Task Flows_a_NAT_forgets_silently_are_noticed_within_two_heartbeats_and_nothing_is_lost(string transport)
    {
        // docs/PROTOCOL.md §6: no byte passes and neither end is told; only silence says so.
        var options = new RealtimeOptions { HeartbeatInterval = TimeSpan.FromSeconds(1), PollHold = TimeSpan.FromSeconds(1), PollInterval = TimeSpan.FromMilliseconds(500) };
        await using BrowserTestServer server = await BrowserTestServer.StartAsync(options);
        await using FaultProxy proxy = Proxy(server, FaultMode.PassThrough);
        await using var browser = PeerProcess.StartNode("chromium-realtime.js", [ProxiedPage(proxy).ToString(), "--transport", transport, "--pause", "--timeout", "60"], output);

        await browser.WaitForLineAsync("PAUSE", InteropTimeouts.Browser);
        proxy.ForgetAll();
        await browser.WriteLineAsync("GO");
        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.True(proxy.ForgottenFlows >= 1, "the proxy forgot no flow");
        AssertReceivedThePlan(server);
        if (transport == "websocket")
        {
            Assert.Contains(result.Json.GetProperty("events").EnumerateArray(), e => e.GetProperty("state").GetString() == "reconnecting" && e.GetProperty("reason").GetString() == "silent");
        }
    }

    /// <summary>What chromium-realtime.js sends with --texts 50: texts, with binary messages after the 4th, 8th, 12th and 21st.</summary>
    internal static IReadOnlyList<(MessageType Type, byte[] Data)> Plan(int texts)
    {
        byte[] everyByte = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        byte[] pattern = Enumerable.Range(0, 64 * 1024).Select(i => (byte)((i * 31) + 7)).ToArray();
        var plan = new List<(MessageType, byte[])>();
        for (int i = 0; i < texts; i++)
        {
            plan.Add((MessageType.Text, Encoding.UTF8.GetBytes(i == 1 ? string.Empty : $"text {i} κόσμε ✓ € 🎉 \"quoted\" \\ \n")));
            switch (i)
            {
                case 3:
                    plan.Add((MessageType.Binary, everyByte));
                    break;
                case 7:
                    plan.Add((MessageType.Binary, []));
                    break;
                case 11:
                    plan.Add((MessageType.Binary, pattern));
                    break;
                case 20:
                    plan.Add((MessageType.Binary, everyByte.Reverse().ToArray()));
                    break;
            }
        }

        return plan;
    }

    private static void AssertReceivedThePlan(BrowserTestServer server) => AssertReceived(server, Plan(Texts));

    private static void AssertReceived(BrowserTestServer server, IReadOnlyList<(MessageType Type, byte[] Data)> plan)
    {
        IReadOnlyList<RealtimeMessage> received = server.Received;
        Assert.Equal(plan.Count, received.Count);
        for (int i = 0; i < plan.Count; i++)
        {
            Assert.True(plan[i].Type == received[i].Type && plan[i].Data.AsSpan().SequenceEqual(received[i].Data.Span), $"the server's message {i} is {received[i]}, expected {plan[i].Type} ({plan[i].Data.Length} bytes)");
        }
    }

    private static FaultProxy Proxy(BrowserTestServer server, FaultMode mode) =>
        FaultProxy.Start(new FaultProxyOptions { Upstream = new IPEndPoint(IPAddress.Loopback, server.Port), Mode = mode });

    private static Uri ProxiedPage(FaultProxy proxy) => new($"http://127.0.0.1:{proxy.LocalEndPoint.Port}/");

    private static string[] States(PeerResult result) =>
        result.Json.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("state").GetString() ?? "").ToArray();

    private static (string? From, string? To)[] Fallbacks(PeerResult result) =>
        result.Json.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("state").GetString() == "fallback")
            .Select(e => (e.GetProperty("from").GetString(), e.GetProperty("to").GetString()))
            .ToArray();

    private async Task<PeerResult> RunAsync(Uri page, string[] arguments)
    {
        await using var browser = PeerProcess.StartNode("chromium-realtime.js", [page.ToString(), .. arguments, "--texts", $"{Texts}", "--timeout", "60"], output);
        return await browser.WaitForResultAsync(InteropTimeouts.Browser);
    }
}
