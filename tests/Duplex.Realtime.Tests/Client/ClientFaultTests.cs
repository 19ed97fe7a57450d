using System.Collections.Concurrent;
using System.Text;
using Duplex.Cli.Faults;
using Duplex.Realtime.Tests.Server;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Client;

/// <summary>The client through networks that misbehave (src/Duplex.Cli/Faults/FaultProxy) and answers that get lost: the session goes on, nothing lost, duplicated or reordered.</summary>
public sealed class ClientFaultTests
{
    public static TheoryData<RealtimeTransport> Transports => new(RealtimeTransports.All);

    public static TheoryData<RealtimeTransport> HeldTransports => new(RealtimeTransport.WebSocket, RealtimeTransport.ServerSentEvents, RealtimeTransport.LongPolling);

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_reset_mid_stream_is_resumed_with_nothing_lost_duplicated_or_reordered(RealtimeTransport transport)
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(fault: FaultMode.PassThrough);
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(transport), events);
        await client.ConnectAsync().Within("connect");

        Task receiving = Traffic.ExpectAsync(client, 0, 400);
        await Traffic.SendAsync(client, 0, 200);
        fixture.Proxy!.ResetAll();
        await Traffic.SendAsync(client, 200, 200);
        await receiving;

        if (transport != RealtimeTransport.Polling)
        {
            // On WebSocket and SSE the reset always breaks the held connection. On long polling it
            // may find the client between two polls, when it kills only idle pooled connections
            // that HttpClient replaces unseen; then, with the traffic done and a poll held, reset
            // again (bounded) until the client has seen a drop and resumed.
            Assert.True(fixture.Proxy.Resets > 0);
            Task<RealtimeClientEvent> resumed = events.WaitAsync(RealtimeClientEventKind.Resumed);
            for (int attempt = 0; attempt < 20 && await Task.WhenAny(resumed, Task.Delay(500)) != resumed; attempt++)
            {
                fixture.Proxy.ResetAll();
            }

            await resumed;
        }

        Assert.All(events.All.Where(e => e.Kind is RealtimeClientEventKind.Connected or RealtimeClientEventKind.Resumed), e => Assert.Equal(transport, e.Transport));
        await client.CloseAsync().Within("close");
        Assert.Equal(RealtimeClientEventKind.Closed, events.Kinds[^1]);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Repeated_resets_during_traffic_lose_nothing(RealtimeTransport transport)
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(fault: FaultMode.PassThrough);
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(transport));
        await client.ConnectAsync().Within("connect");

        Task receiving = Traffic.ExpectAsync(client, 0, 500);
        for (int round = 0; round < 5; round++)
        {
            await Traffic.SendAsync(client, round * 100, 100);
            fixture.Proxy!.ResetAll();
        }

        await receiving;
        Assert.Equal(RealtimeClientState.Connected, client.State);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Random_resets_lose_nothing(RealtimeTransport transport)
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(ClientFixture.FastOptions());
        await using var network = FaultProxy.Start(new FaultProxyOptions
        {
            Upstream = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, server.Port),
            MeanBytesBetweenResets = 8 * 1024,
            Seed = 7,
        });
        await using var client = new RealtimeClient(new Uri($"http://127.0.0.1:{network.LocalEndPoint.Port}/realtime"), ClientFixture.ClientOptions(transport));

        // Connected first (a reset negotiate fails connect, which is another test); every connection after it may be reset.
        await client.ConnectAsync().Within("connect");
        network.Mode = FaultMode.RandomResets;
        network.ResetAll();

        Task receiving = Traffic.ExpectAsync(client, 0, 300);
        await Traffic.SendAsync(client, 0, 300);
        await receiving;

        Assert.True(network.Resets > 0);
    }

    [Fact]
    public async Task A_lost_send_answer_is_retried_with_the_same_numbers_and_delivered_once()
    {
        var seen = new ConcurrentQueue<string>();
        await using ClientFixture fixture = await ClientFixture.StartAsync(handler: RecordingEcho(seen));
        LosingHandler? losing = null;
        var options = new RealtimeClientOptions
        {
            Transports = [RealtimeTransport.LongPolling],
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
            WrapHttpHandler = inner => losing = new LosingHandler(inner, (request, _) => request.RequestUri!.AbsolutePath.EndsWith("/send", StringComparison.Ordinal)),
        };
        RealtimeClient client = fixture.Client(options);
        await client.ConnectAsync().Within("connect");

        Task receiving = Traffic.ExpectAsync(client, 0, 50);
        await Traffic.SendAsync(client, 0, 50);
        await receiving;

        string lostAnswer = await losing!.Lost.Task.Within("a lost answer");
        Assert.StartsWith("{\"t\":\"a\",\"a\":", lostAnswer, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, 50).Select(Traffic.Describe), seen);
    }

    [Fact]
    public async Task A_lost_long_poll_answer_costs_nothing()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync();
        LosingHandler? losing = null;
        var options = new RealtimeClientOptions
        {
            Transports = [RealtimeTransport.LongPolling],
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),

            // A held poll's answer that carries messages.
            WrapHttpHandler = inner => losing = new LosingHandler(inner, (request, response) =>
                request.RequestUri!.AbsolutePath.EndsWith("/poll", StringComparison.Ordinal) && !request.RequestUri.Query.Contains("wait=0", StringComparison.Ordinal) &&
                response.Content.ReadAsStringAsync().Result.Contains("\"t\":\"m\"", StringComparison.Ordinal)),
        };
        RealtimeClient client = fixture.Client(options);
        await client.ConnectAsync().Within("connect");

        Task receiving = Traffic.ExpectAsync(client, 0, 60);
        await Traffic.SendAsync(client, 0, 60);
        await receiving;

        Assert.Contains("\"t\":\"m\"", await losing!.Lost.Task.Within("a lost poll answer"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HeldTransports))]
    public async Task A_flow_a_NAT_forgot_silently_is_noticed_and_resumed(RealtimeTransport transport)
    {
        // Heartbeats every second; the NAT forgets flows idle for 400 ms, between two heartbeats.
        await using ClientFixture fixture = await ClientFixture.StartAsync(
            ClientFixture.FastOptions(heartbeat: TimeSpan.FromSeconds(1)), FaultMode.ForgetIdleFlows, TimeSpan.FromMilliseconds(400));
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(transport), events);
        await client.ConnectAsync().Within("connect");

        RealtimeClientEvent reconnecting = await events.WaitAsync(RealtimeClientEventKind.Reconnecting);
        await events.WaitAsync(RealtimeClientEventKind.Resumed);

        Assert.True(fixture.Proxy!.ForgottenFlows > 0);
        Assert.NotNull(reconnecting.Reason);

        // Traffic keeps a flow busy: it goes through.
        Task receiving = Traffic.ExpectAsync(client, 0, 20);
        await Traffic.SendAsync(client, 0, 20);
        await receiving;
    }

    [Fact]
    public async Task Refused_upgrades_fall_back_to_server_sent_events()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(fault: FaultMode.RefuseUpgrades);
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(), events);

        await client.ConnectAsync().Within("connect");

        Assert.Equal(RealtimeTransport.ServerSentEvents, client.Transport);
        Assert.Equal([RealtimeClientEventKind.Connecting, RealtimeClientEventKind.Fallback, RealtimeClientEventKind.Connected], events.Kinds);
        RealtimeClientEvent fallback = events.All[1];
        Assert.Equal(RealtimeTransport.WebSocket, fallback.From);
        Assert.Equal(RealtimeTransport.ServerSentEvents, fallback.To);
        Assert.Contains("403", fallback.Reason, StringComparison.Ordinal);
        Assert.True(fixture.Proxy!.RefusedUpgrades > 0);
        Task receiving = Traffic.ExpectAsync(client, 0, 50);
        await Traffic.SendAsync(client, 0, 50);
        await receiving;
    }

    [Fact]
    public async Task An_upgrade_reset_with_no_answer_is_tried_again_at_the_next_reconnect()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(fault: FaultMode.ResetUpgrades);
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(), events);
        await client.ConnectAsync().Within("connect");
        Assert.Equal(RealtimeTransport.ServerSentEvents, client.Transport);
        Assert.Equal(RealtimeTransport.WebSocket, events.All.Single(e => e.Kind == RealtimeClientEventKind.Fallback).From);
        Assert.True(fixture.Proxy!.RefusedUpgrades > 0);

        // The reset was no answer: not a proxy that says no. Once the network lets upgrades through,
        // the next reconnect goes back up to WebSocket, and nothing is lost on the way.
        Task receiving = Traffic.ExpectAsync(client, 0, 100);
        await Traffic.SendAsync(client, 0, 50);
        Task<RealtimeClientEvent> resumed = events.WaitAsync(RealtimeClientEventKind.Resumed);
        fixture.Proxy.Mode = FaultMode.PassThrough;
        fixture.Proxy.ResetAll();
        RealtimeClientEvent back = await resumed.Within("resumed");
        await Traffic.SendAsync(client, 50, 50);
        await receiving;

        Assert.Equal(RealtimeTransport.WebSocket, back.Transport);
        Assert.Equal(RealtimeTransport.WebSocket, client.Transport);
    }

    [Fact]
    public async Task An_upgrade_refused_with_a_status_is_left_for_the_session()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(fault: FaultMode.RefuseUpgrades);
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(), events);
        await client.ConnectAsync().Within("connect");
        Assert.Equal(RealtimeTransport.ServerSentEvents, client.Transport);

        // A 403 is the proxy's answer: the session does not ask it again at every reconnect.
        Task<RealtimeClientEvent> resumed = events.WaitAsync(RealtimeClientEventKind.Resumed);
        long upgrades = fixture.Proxy!.RefusedUpgrades;
        fixture.Proxy.ResetAll();
        RealtimeClientEvent back = await resumed.Within("resumed");

        Assert.Equal(RealtimeTransport.ServerSentEvents, back.Transport);
        Assert.Equal(upgrades, fixture.Proxy.RefusedUpgrades);
        Task receiving = Traffic.ExpectAsync(client, 0, 20);
        await Traffic.SendAsync(client, 0, 20);
        await receiving;
    }

    [Fact]
    public async Task Responses_held_until_complete_fall_back_to_long_polling()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(fault: FaultMode.BufferResponses);
        var events = new EventLog();
        var options = new RealtimeClientOptions
        {
            // WebSocket passes such a gateway once its 101 is through; the HTTP transports are what it breaks.
            Transports = [RealtimeTransport.ServerSentEvents, RealtimeTransport.LongPolling, RealtimeTransport.Polling],
            OpenTimeout = TimeSpan.FromSeconds(1),
        };
        RealtimeClient client = fixture.Client(options, events);

        await client.ConnectAsync().Within("connect");

        Assert.Equal(RealtimeTransport.LongPolling, client.Transport);
        Assert.Equal([RealtimeClientEventKind.Connecting, RealtimeClientEventKind.Fallback, RealtimeClientEventKind.Connected], events.Kinds);
        Assert.Equal(RealtimeTransport.ServerSentEvents, events.All[1].From);
        Assert.Equal(RealtimeTransport.LongPolling, events.All[1].To);
        Task receiving = Traffic.ExpectAsync(client, 0, 50);
        await Traffic.SendAsync(client, 0, 50);
        await receiving;
    }

    [Fact]
    public async Task Without_any_transport_that_works_connect_fails_and_the_client_is_closed()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(fault: FaultMode.RefuseUpgrades);
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(RealtimeTransport.WebSocket), events);

        IOException error = await Assert.ThrowsAnyAsync<IOException>(() => client.ConnectAsync()).Within("connect");

        Assert.Contains("403", error.Message, StringComparison.Ordinal);
        Assert.Equal(RealtimeClientState.Closed, client.State);
        Assert.Equal([RealtimeClientEventKind.Connecting, RealtimeClientEventKind.Closed], events.Kinds);
    }

    internal static RealtimeHandler RecordingEcho(ConcurrentQueue<string> seen) => async (session, ct) =>
    {
        await foreach (RealtimeMessage message in session.ReadMessagesAsync(ct))
        {
            seen.Enqueue(Traffic.Describe(message.Type, message.Data.Span));
            await session.SendAsync(message.Type, message.Data, ct);
        }
    };
}
