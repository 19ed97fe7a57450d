using System.Text.Json;
using Duplex.Cli.Faults;
using Duplex.Realtime.Channels;
using Duplex.Realtime.Tests.Server;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Client;

/// <summary>RealtimeClient's channels (docs/PROTOCOL.md §10) against a real endpoint, on each transport and through the fault proxy.</summary>
public sealed class ChannelsClientTests
{
    public static TheoryData<RealtimeTransport> Transports => new(RealtimeTransports.All);

    private static RealtimeOptions Options(TimeSpan? resumeWindow = null, RealtimeChannelOptions? channels = null)
    {
        RealtimeOptions fast = ClientFixture.FastOptions(resumeWindow: resumeWindow);
        return new RealtimeOptions
        {
            HeartbeatInterval = fast.HeartbeatInterval,
            PollHold = fast.PollHold,
            PollInterval = fast.PollInterval,
            ResumeWindow = fast.ResumeWindow,
            Channels = channels,
        };
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Subscribe_publish_and_ack_on_each_transport(RealtimeTransport transport)
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(Options());
        RealtimeClient subscriber = fixture.Client(ClientFixture.ClientOptions(transport));
        RealtimeClient publisher = fixture.Client(ClientFixture.ClientOptions(transport));
        await subscriber.ConnectAsync().Within("connect");
        await publisher.ConnectAsync().Within("connect the publisher");

        RealtimeSubscription subscription = await subscriber.SubscribeAsync("room:lobby").Within("subscribe");
        await using var reader = new ChannelsReader(subscription);
        ChannelEvent subscribed = await reader.NextAsync("subscribed");
        Assert.Equal((ChannelEventKind.Subscribed, SubscribeResult.New, 0L), (subscribed.Kind, subscribed.Result, subscribed.Sequence));
        Assert.Equal(subscribed.Epoch, subscription.Epoch);

        ChannelPublishResult first = await publisher.PublishTextAsync("room:lobby", "p1").Within("publish 1");
        Assert.Equal((subscription.Epoch, 1L), (first.Epoch, first.Sequence));
        await fixture.Server.Endpoint.Channels.PublishTextAsync("room:lobby", "p2");
        ChannelPublishResult third = await publisher.PublishAsync("room:lobby", MessageType.Binary, new byte[] { 0xFF, 0x00, 0xFE }).Within("publish 3");
        Assert.Equal(3, third.Sequence);

        ChannelEvent p1 = await reader.NextAsync("p1");
        Assert.Equal((ChannelEventKind.Publication, 1L, "p1", MessageType.Text), (p1.Kind, p1.Sequence, p1.Text, p1.Type));
        Assert.NotNull(p1.From);
        ChannelEvent p2 = await reader.NextAsync("p2");
        Assert.Equal((2L, "p2", (string?)null), (p2.Sequence, p2.Text, p2.From));
        ChannelEvent p3 = await reader.NextAsync("p3");
        Assert.Equal((3L, MessageType.Binary, "FF00FE"), (p3.Sequence, p3.Type, Convert.ToHexString(p3.Data.Span)));
        Assert.Equal(3, subscription.LastSequence);

        // Channel envelopes never reach the application's messages: the next message is the echo.
        await subscriber.SendTextAsync("after").Within("send");
        Assert.Equal("after", (await subscriber.ReceiveAsync().Within("the echo")).Text);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_transport_drop_loses_duplicates_and_reorders_no_publication(RealtimeTransport transport)
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(Options(), FaultMode.PassThrough);
        var events = new EventLog();
        RealtimeClient subscriber = fixture.Client(ClientFixture.ClientOptions(transport), events);
        await subscriber.ConnectAsync().Within("connect");
        await using var reader = new ChannelsReader(await subscriber.SubscribeAsync("ticks").Within("subscribe"));
        Assert.Equal(SubscribeResult.New, (await reader.NextAsync("subscribed")).Result);

        Task receiving = reader.ExpectPublicationsAsync(1, 200);
        for (int q = 1; q <= 200; q++)
        {
            await fixture.Server.Endpoint.Channels.PublishTextAsync("ticks", $"p{q}");
            if (q % 50 == 0)
            {
                fixture.Proxy!.ResetAll();
            }
        }

        await receiving;
        if (transport is RealtimeTransport.WebSocket or RealtimeTransport.ServerSentEvents)
        {
            // A held connection always breaks (polls answered at once may fall between resets, and a reset idle connection is retried by HttpClient).
            await events.WaitAsync(RealtimeClientEventKind.Resumed);
        }

        ChannelPublishResult mine = await subscriber.PublishTextAsync("ticks", "p201").Within("publish after the drops");
        Assert.Equal(201, mine.Sequence);
        await reader.ExpectPublicationsAsync(201, 201);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_a_session_loss_the_subscription_comes_back_first_from_its_cursor(bool shortHistory)
    {
        RealtimeChannelOptions channels = new() { Rules = [new ChannelRule("short", new ChannelLimits { HistoryCount = 2 })] };
        string channel = shortHistory ? "short" : "room";
        RealtimeChannels? endpointChannels = null;
        await using ClientFixture fixture = await ClientFixture.StartAsync(Options(TimeSpan.FromSeconds(1), channels), FaultMode.PassThrough, handler: async (session, ct) =>
        {
            // Each message is answered with how many are in the channel then.
            await foreach (RealtimeMessage message in session.ReadMessagesAsync(ct))
            {
                IReadOnlyList<ChannelMember> members = await endpointChannels!.GetMembersAsync(channel, ct);
                await session.SendTextAsync($"{message.Text} members={members.Count}", ct);
            }
        });
        endpointChannels = fixture.Server.Endpoint.Channels;
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(RealtimeTransport.WebSocket), events);
        await client.ConnectAsync().Within("connect");
        await using var reader = new ChannelsReader(await client.SubscribeAsync(channel, new RealtimeSubscribeOptions { PresenceInfoJson = "{\"who\":\"me\"}" }).Within("subscribe"));
        Assert.Equal(SubscribeResult.New, (await reader.NextAsync("subscribed")).Result);
        RealtimeChannels server = fixture.Server.Endpoint.Channels;
        await server.PublishTextAsync(channel, "p1");
        await reader.ExpectPublicationsAsync(1, 1);
        string firstSession = client.SessionId!;
        RealtimeSession serverSide = fixture.Server.Endpoint.FindSession(firstSession)!;

        fixture.Proxy!.Mode = FaultMode.RefuseUpgrades;
        fixture.Proxy.ResetAll();
        await events.WaitAsync(RealtimeClientEventKind.Reconnecting);
        for (int q = 2; q <= 6; q++)
        {
            await server.PublishTextAsync(channel, $"p{q}");
        }

        await serverSide.Completion.Within("the session's expiry");
        Task sending = Task.Run(async () =>
        {
            // Sent while the session is lost: it waits for the new one and goes after the re-subscription.
            await events.WaitAsync(RealtimeClientEventKind.SessionLost);
            await client.SendTextAsync("queued");
        });
        fixture.Proxy.Mode = FaultMode.PassThrough;
        await sending.Within("the queued send");

        ChannelEvent again = await reader.NextAsync("subscribed again");
        Assert.NotEqual(firstSession, client.SessionId);
        Assert.Equal(ChannelEventKind.Subscribed, again.Kind);
        if (shortHistory)
        {
            Assert.Equal((SubscribeResult.Gap, (2L, 4L)), (again.Result, again.Missing));
            await reader.ExpectPublicationsAsync(5, 6);
        }
        else
        {
            Assert.Equal(SubscribeResult.Resumed, again.Result);
            await reader.ExpectPublicationsAsync(2, 6);
        }

        // The message reached the new session (the server hands messages to the handler while its
        // channel worker may still be on the sub, so the count it saw is not asserted).
        Assert.StartsWith("queued members=", (await client.ReceiveAsync().Within("the answer to the queued message")).Text, StringComparison.Ordinal);
        await server.PublishTextAsync(channel, "p7");
        await reader.ExpectPublicationsAsync(7, 7);
        Assert.Equal(7, reader.Subscription.LastSequence);
    }

    [Fact]
    public async Task In_a_renewed_session_the_subscribe_is_numbered_before_what_the_application_queued()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(Options(TimeSpan.FromSeconds(1)));
        RecordingHandler? network = null;
        RealtimeClientOptions pinned = ClientFixture.ClientOptions(RealtimeTransport.LongPolling);
        var options = new RealtimeClientOptions
        {
            Transports = pinned.Transports,
            ReconnectDelay = pinned.ReconnectDelay,
            MaxReconnectDelay = pinned.MaxReconnectDelay,
            OpenTimeout = pinned.OpenTimeout,
            WrapHttpHandler = inner => network = new RecordingHandler(inner),
        };
        var events = new EventLog();
        RealtimeClient client = fixture.Client(options, events);
        Task? queued = null;
        client.StateChanged += (_, e) =>
        {
            if (e.Kind == RealtimeClientEventKind.SessionLost)
            {
                // Raised with no session: the send waits for the new one.
                queued = client.SendTextAsync("queued").AsTask();
            }
        };
        await client.ConnectAsync().Within("connect");
        await using var reader = new ChannelsReader(await client.SubscribeAsync("room").Within("subscribe"));
        Assert.Equal(SubscribeResult.New, (await reader.NextAsync("subscribed")).Result);
        await fixture.Server.Endpoint.Channels.PublishTextAsync("room", "p1");
        await reader.ExpectPublicationsAsync(1, 1);
        RealtimeSession serverSide = fixture.Server.Endpoint.FindSession(client.SessionId!)!;

        network!.Away = true;
        await serverSide.Completion.Within("the session's expiry");
        await fixture.Server.Endpoint.Channels.PublishTextAsync("room", "p2");
        network.Away = false;
        ChannelEvent again = await reader.NextAsync("subscribed again");
        Assert.Equal(SubscribeResult.Resumed, again.Result);
        await reader.ExpectPublicationsAsync(2, 2);
        await queued!.Within("the queued send");
        Assert.Equal("queued", (await client.ReceiveAsync().Within("the echo")).Text);

        // On the wire of the new session: the sub (from p1 of the epoch) is numbered before the queued message.
        string renewed = client.SessionId!;
        List<JsonElement> sent = [.. network.Sends.Where(s => s.Session == renewed).SelectMany(s => JsonDocument.Parse(s.Body).RootElement.EnumerateArray().Select(e => e.Clone()))];
        JsonElement sub = sent.First(e => e.GetProperty("t").GetString() == "ch" && e.GetProperty("op").GetString() == "sub");
        JsonElement message = sent.First(e => e.GetProperty("t").GetString() == "m");
        Assert.Equal((1L, 1L), (sub.GetProperty("s").GetInt64(), sub.GetProperty("from").GetProperty("q").GetInt64()));
        Assert.Equal(again.Epoch, sub.GetProperty("from").GetProperty("e").GetString());
        Assert.Equal((2L, "queued"), (message.GetProperty("s").GetInt64(), message.GetProperty("d").GetString()));
    }

    [Fact]
    public async Task A_publish_whose_ack_was_lost_with_the_session_is_sent_again_and_published_once()
    {
        FaultProxy? proxy = null;
        int calls = 0;
        var channels = new RealtimeChannelOptions
        {
            Authorize = context =>
            {
                if (context.Access == ChannelAccess.Publish && Interlocked.Increment(ref calls) == 1)
                {
                    // The server has the pub: the network goes before its ack can leave, and stays away until the session expires.
                    proxy!.Mode = FaultMode.RefuseUpgrades;
                    proxy.ResetAll();
                }

                return ValueTask.FromResult(true);
            },
        };
        await using ClientFixture fixture = await ClientFixture.StartAsync(Options(TimeSpan.FromSeconds(1), channels), FaultMode.PassThrough);
        proxy = fixture.Proxy;
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(RealtimeTransport.WebSocket), events);
        await client.ConnectAsync().Within("connect");
        RealtimeSession serverSide = fixture.Server.Endpoint.FindSession(client.SessionId!)!;

        Task<ChannelPublishResult> publishing = client.PublishTextAsync("once", "only once").AsTask();
        await serverSide.Completion.Within("the session's expiry");
        Assert.False(publishing.IsCompleted);
        fixture.Proxy!.Mode = FaultMode.PassThrough;
        await events.WaitAsync(RealtimeClientEventKind.SessionLost);
        Assert.Empty((await events.WaitAsync(RealtimeClientEventKind.SessionLost)).Unacknowledged);

        ChannelPublishResult result = await publishing.Within("the publish's ack in the new session");
        Assert.Equal(1, result.Sequence);
        Assert.Equal(2, calls);

        RealtimeClient reader = fixture.Client(ClientFixture.ClientOptions());
        await reader.ConnectAsync().Within("connect the reader");
        await using var history = new ChannelsReader(await reader.SubscribeAsync("once", new RealtimeSubscribeOptions { History = 10 }).Within("subscribe"));
        Assert.Equal(1, (await history.NextAsync("subscribed")).Sequence);
        ChannelEvent only = await history.NextAsync("the publication");
        Assert.Equal((1L, "only once"), (only.Sequence, only.Text));
        Assert.Equal(2, (await reader.PublishTextAsync("once", "next").Within("publish")).Sequence);
    }

    [Fact]
    public async Task A_subscriber_that_does_not_read_is_ended_as_slow_and_resumes_from_its_cursor()
    {
        var channels = new RealtimeChannelOptions { Limits = new ChannelLimits { MaxPendingPerSubscriber = 5 } };
        await using ClientFixture fixture = await ClientFixture.StartAsync(Options(channels: channels));
        RealtimeClientOptions pinned = ClientFixture.ClientOptions(RealtimeTransport.WebSocket);
        RealtimeClient client = fixture.Client(new RealtimeClientOptions { Transports = pinned.Transports, MaxUnreadChannelEvents = 2 });
        await client.ConnectAsync().Within("connect");
        RealtimeSubscription subscription = await client.SubscribeAsync("firehose").Within("subscribe");

        // Not read: the subscription's buffer fills, the client stops reading, the server's bound is passed.
        for (int q = 1; q <= 20; q++)
        {
            await fixture.Server.Endpoint.Channels.PublishTextAsync("firehose", $"p{q}");
        }

        var received = new List<ChannelEvent>();
        await foreach (ChannelEvent next in subscription.ReadEventsAsync().WithCancellation(Bounded.Token()))
        {
            received.Add(next);
        }

        Assert.Equal(ChannelEventKind.Subscribed, received[0].Kind);
        Assert.True(received[^1].Kind == ChannelEventKind.Unsubscribed, string.Join(", ", received.Select(e => $"{e.Kind}:{e.Sequence}:{e.Reason}")));
        Assert.Equal((ChannelEventKind.Unsubscribed, "slow-consumer"), (received[^1].Kind, received[^1].Reason));
        long[] numbers = [.. received.Where(e => e.Kind == ChannelEventKind.Publication).Select(e => e.Sequence)];
        Assert.Equal(Enumerable.Range(1, numbers.Length).Select(i => (long)i), numbers);
        Assert.True(numbers.Length < 20, $"{numbers.Length} publications before the end");
        Assert.False(subscription.IsActive);

        // The cursor is the application's: subscribing again from it gets the rest.
        await using var again = new ChannelsReader(await client.SubscribeAsync("firehose", new RealtimeSubscribeOptions { From = subscription.Cursor }).Within("subscribe again"));
        Assert.Equal(SubscribeResult.Resumed, (await again.NextAsync("subscribed")).Result);
        await again.ExpectPublicationsAsync(numbers.Length + 1, 20);
    }

    [Fact]
    public async Task Presence_joins_and_leaves()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(Options());
        RealtimeClient alice = fixture.Client(ClientFixture.ClientOptions(RealtimeTransport.WebSocket));
        RealtimeClient bob = fixture.Client(ClientFixture.ClientOptions(RealtimeTransport.LongPolling));
        await alice.ConnectAsync().Within("connect alice");
        await bob.ConnectAsync().Within("connect bob");

        RealtimeSubscription aliceSubscription = await alice.SubscribeAsync("room", new RealtimeSubscribeOptions { PresenceInfo = new { name = "alice" } }).Within("alice subscribes");
        await using var aliceEvents = new ChannelsReader(aliceSubscription);
        Assert.Single((await aliceEvents.NextAsync("subscribed")).Members!);

        RealtimeSubscription bobSubscription = await bob.SubscribeAsync("room", new RealtimeSubscribeOptions { PresenceInfoJson = "{\"name\":\"bob\"}" }).Within("bob subscribes");
        await using var bobEvents = new ChannelsReader(bobSubscription);
        ChannelEvent bobSubscribed = await bobEvents.NextAsync("subscribed");
        Assert.Equal(["{\"name\":\"alice\"}", "{\"name\":\"bob\"}"], bobSubscribed.Members!.Select(m => m.Info).Order());

        ChannelEvent joined = await aliceEvents.NextAsync("bob's join");
        Assert.Equal((ChannelEventKind.Join, "{\"name\":\"bob\"}"), (joined.Kind, joined.Member!.Value.Info));
        Assert.Equal(2, (await aliceSubscription.GetPresenceAsync().Within("presence")).Count);

        await bobSubscription.UnsubscribeAsync().Within("bob unsubscribes");
        Assert.False(bobSubscription.IsActive);
        ChannelEvent left = await aliceEvents.NextAsync("bob's leave");
        Assert.Equal((ChannelEventKind.Leave, joined.Member!.Value.Id), (left.Kind, left.Member!.Value.Id));
        Assert.Equal(ChannelEventKind.Unsubscribed, (await bobEvents.NextAsync("bob's end")).Kind);
        Assert.Single(await aliceSubscription.GetPresenceAsync().Within("presence after"));
    }

    [Fact]
    public async Task Refusals_are_told_and_change_nothing()
    {
        var channels = new RealtimeChannelOptions
        {
            Authorize = context => ValueTask.FromResult(!context.Channel.StartsWith("secret", StringComparison.Ordinal) || (context.Access == ChannelAccess.Subscribe && context.Channel == "secret-read")),
        };
        await using ClientFixture fixture = await ClientFixture.StartAsync(Options(channels: channels));
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions());
        await client.ConnectAsync().Within("connect");

        await Assert.ThrowsAsync<ArgumentException>(() => client.SubscribeAsync(":bad").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => client.PublishTextAsync("/bad", "x").AsTask());

        RealtimeChannelRefusedException refused = await Assert.ThrowsAsync<RealtimeChannelRefusedException>(() => client.SubscribeAsync("secret").AsTask()).Within("the refused subscribe");
        Assert.Equal(("forbidden", "secret"), (refused.Error, refused.Channel));
        RealtimeChannelRefusedException publish = await Assert.ThrowsAsync<RealtimeChannelRefusedException>(() => client.PublishTextAsync("secret-read", "x").AsTask()).Within("the refused publish");
        Assert.Equal("forbidden", publish.Error);

        // Nothing happened: the client may subscribe to it again (a refusal leaves no subscription behind) and the session goes on.
        await using var reader = new ChannelsReader(await client.SubscribeAsync("secret-read").Within("an allowed subscribe"));
        Assert.Equal((SubscribeResult.New, 0L), ((await reader.NextAsync("subscribed")).Result, reader.Subscription.LastSequence));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SubscribeAsync("secret-read").AsTask());
        await client.SendTextAsync("still here").Within("send");
        Assert.Equal("still here", (await client.ReceiveAsync().Within("echo")).Text);
    }
}
