using System.Text.Json;
using Duplex.Realtime.Channels;
using Duplex.Realtime.Tests.Server;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Channels;

/// <summary>Channels on a real endpoint, spoken to in raw <c>ch</c> envelopes (docs/PROTOCOL.md §10).</summary>
public sealed class ChannelServerTests
{
    private static async Task<ChannelPeer> SubscribeAsync(RealtimeTestServer server, string channel, string extra = "")
    {
        ChannelPeer peer = await ChannelPeer.ConnectAsync(server);
        await peer.RequestAsync($$"""{"op":"sub","ch":"{{channel}}"{{extra}}}""");
        return peer;
    }

    [Fact]
    public async Task A_publication_is_numbered_acknowledged_to_its_publisher_and_delivered_to_every_subscriber()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        await using ChannelPeer alice = await SubscribeAsync(server, "room:lobby");
        JsonElement subscribed = await alice.NextOpAsync("subscribed");
        Assert.Equal("new", subscribed.GetProperty("result").GetString());
        Assert.Equal(0, subscribed.GetProperty("q").GetInt64());
        string epoch = subscribed.GetProperty("e").GetString()!;

        await using ChannelPeer bob = await ChannelPeer.ConnectAsync(server);
        long r = await bob.RequestAsync("""{"op":"pub","ch":"room:lobby","k":"b-1","d":"hello κόσμε 🎉"}""");
        JsonElement ack = await bob.NextOpAsync("ack");
        Assert.Equal(r, ack.GetProperty("r").GetInt64());
        Assert.Equal(1, ack.GetProperty("q").GetInt64());
        Assert.Equal(epoch, ack.GetProperty("e").GetString());

        JsonElement p = await alice.NextOpAsync("p", skipOthers: true);
        Assert.Equal("room:lobby", p.GetProperty("ch").GetString());
        Assert.Equal(1, p.GetProperty("q").GetInt64());
        Assert.Equal("hello κόσμε 🎉", p.GetProperty("d").GetString());
        Assert.False(string.IsNullOrEmpty(p.GetProperty("from").GetString()));
    }

    [Fact]
    public async Task Binary_publications_travel_as_base64()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        await using ChannelPeer alice = await SubscribeAsync(server, "bin");
        await alice.NextOpAsync("subscribed");
        await server.Endpoint.Channels.PublishAsync("bin", MessageType.Binary, new byte[] { 0, 1, 254, 255 });
        JsonElement p = await alice.NextOpAsync("p");
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, Convert.FromBase64String(p.GetProperty("b").GetString()!));
    }

    [Fact]
    public async Task A_retried_publish_with_the_same_key_is_published_once_and_gets_the_same_number()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        await using ChannelPeer alice = await SubscribeAsync(server, "news");
        await alice.NextOpAsync("subscribed");
        await using ChannelPeer bob = await ChannelPeer.ConnectAsync(server);

        await bob.RequestAsync("""{"op":"pub","ch":"news","k":"k-1","d":"once"}""");
        Assert.Equal(1, (await bob.NextOpAsync("ack")).GetProperty("q").GetInt64());
        await bob.RequestAsync("""{"op":"pub","ch":"news","k":"k-1","d":"once"}""");
        Assert.Equal(1, (await bob.NextOpAsync("ack")).GetProperty("q").GetInt64());
        await bob.RequestAsync("""{"op":"pub","ch":"news","k":"k-2","d":"twice"}""");
        Assert.Equal(2, (await bob.NextOpAsync("ack")).GetProperty("q").GetInt64());

        Assert.Equal("once", (await alice.NextOpAsync("p")).GetProperty("d").GetString());
        JsonElement second = await alice.NextOpAsync("p");
        Assert.Equal(2, second.GetProperty("q").GetInt64());
        Assert.Equal("twice", second.GetProperty("d").GetString());
    }

    [Fact]
    public async Task A_publish_retried_from_a_new_session_after_the_old_one_was_lost_is_published_once()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        await using ChannelPeer alice = await SubscribeAsync(server, "orders");
        await alice.NextOpAsync("subscribed");
        await using ChannelPeer lost = await ChannelPeer.ConnectAsync(server);
        await lost.RequestAsync("""{"op":"pub","ch":"orders","k":"Xk3f9a1c-1","d":"buy"}""");
        Assert.Equal(1, (await lost.NextOpAsync("ack")).GetProperty("q").GetInt64());

        await using ChannelPeer renewed = await ChannelPeer.ConnectAsync(server);
        await renewed.RequestAsync("""{"op":"pub","ch":"orders","k":"Xk3f9a1c-1","d":"buy"}""");
        Assert.Equal(1, (await renewed.NextOpAsync("ack")).GetProperty("q").GetInt64());
        await server.Endpoint.Channels.PublishTextAsync("orders", "next");

        Assert.Equal("buy", (await alice.NextOpAsync("p")).GetProperty("d").GetString());
        Assert.Equal(2, (await alice.NextOpAsync("p")).GetProperty("q").GetInt64());
    }

    [Fact]
    public async Task Resuming_from_a_cursor_gets_exactly_what_was_missed_then_live()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        RealtimeChannels channels = server.Endpoint.Channels;
        ChannelPublishResult first = await channels.PublishTextAsync("feed", "p1");
        for (int i = 2; i <= 5; i++)
        {
            await channels.PublishTextAsync("feed", $"p{i}");
        }

        await using ChannelPeer peer = await SubscribeAsync(server, "feed", $$""","from":{"e":"{{first.Epoch}}","q":2}""");
        JsonElement subscribed = await peer.NextOpAsync("subscribed");
        Assert.Equal("resumed", subscribed.GetProperty("result").GetString());
        Assert.Equal(5, subscribed.GetProperty("q").GetInt64());
        for (int i = 3; i <= 5; i++)
        {
            Assert.Equal($"p{i}", (await peer.NextOpAsync("p")).GetProperty("d").GetString());
        }

        await channels.PublishTextAsync("feed", "p6");
        JsonElement live = await peer.NextOpAsync("p");
        Assert.Equal(6, live.GetProperty("q").GetInt64());
    }

    [Fact]
    public async Task A_cursor_older_than_history_gets_a_gap_with_the_lost_range_then_what_is_kept()
    {
        var options = new RealtimeOptions { Channels = new RealtimeChannelOptions { Rules = [new ChannelRule("short/*", new ChannelLimits { HistoryCount = 2 })] } };
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(options);
        ChannelPublishResult result = default;
        for (int i = 1; i <= 6; i++)
        {
            result = await server.Endpoint.Channels.PublishTextAsync("short/a", $"p{i}");
        }

        await using ChannelPeer peer = await SubscribeAsync(server, "short/a", $$""","from":{"e":"{{result.Epoch}}","q":1}""");
        JsonElement subscribed = await peer.NextOpAsync("subscribed");
        Assert.Equal("gap", subscribed.GetProperty("result").GetString());
        Assert.Equal([2L, 4L], subscribed.GetProperty("missing").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(5, (await peer.NextOpAsync("p")).GetProperty("q").GetInt64());
        Assert.Equal(6, (await peer.NextOpAsync("p")).GetProperty("q").GetInt64());
    }

    [Fact]
    public async Task A_cursor_of_another_epoch_is_a_reset_and_asking_for_history_on_joining_gets_the_latest()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        for (int i = 1; i <= 4; i++)
        {
            await server.Endpoint.Channels.PublishTextAsync("chat", $"m{i}");
        }

        await using ChannelPeer restarted = await SubscribeAsync(server, "chat", ""","from":{"e":"old-epoch","q":9},"hist":2""");
        JsonElement subscribed = await restarted.NextOpAsync("subscribed");
        Assert.Equal("reset", subscribed.GetProperty("result").GetString());
        Assert.Equal("m3", (await restarted.NextOpAsync("p")).GetProperty("d").GetString());
        Assert.Equal("m4", (await restarted.NextOpAsync("p")).GetProperty("d").GetString());

        await using ChannelPeer joining = await SubscribeAsync(server, "chat", ""","hist":3""");
        Assert.Equal("new", (await joining.NextOpAsync("subscribed")).GetProperty("result").GetString());
        Assert.Equal(["m2", "m3", "m4"], new[] { await joining.NextOpAsync("p"), await joining.NextOpAsync("p"), await joining.NextOpAsync("p") }.Select(p => p.GetProperty("d").GetString()));
    }

    [Fact]
    public async Task Presence_lists_members_with_their_info_and_announces_joins_and_leaves_including_a_session_ending()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        await using ChannelPeer alice = await SubscribeAsync(server, "room", ""","info":{"name":"Alice"}""");
        JsonElement aliceSubscribed = await alice.NextOpAsync("subscribed");
        string aliceId = Assert.Single(aliceSubscribed.GetProperty("presence").EnumerateArray()).GetProperty("id").GetString()!;

        ChannelPeer bob = await SubscribeAsync(server, "room", ""","info":{"name":"Bob"}""");
        JsonElement bobSubscribed = await bob.NextOpAsync("subscribed");
        Assert.Equal(["Alice", "Bob"], bobSubscribed.GetProperty("presence").EnumerateArray().Select(m => m.GetProperty("info").GetProperty("name").GetString()).Order());
        Assert.DoesNotContain(bob.Session, bobSubscribed.ToString(), StringComparison.Ordinal);

        JsonElement join = await alice.NextOpAsync("join");
        Assert.Equal("Bob", join.GetProperty("info").GetProperty("name").GetString());
        string bobId = join.GetProperty("id").GetString()!;
        Assert.NotEqual(aliceId, bobId);

        await alice.RequestAsync("""{"op":"presence","ch":"room"}""");
        Assert.Equal(2, (await alice.NextOpAsync("presence")).GetProperty("members").GetArrayLength());

        // Bob's session ends (the server closes it): Alice sees him leave.
        await server.Endpoint.FindSession(bob.Session)!.CloseAsync();
        JsonElement leave = await alice.NextOpAsync("leave");
        Assert.Equal(bobId, leave.GetProperty("id").GetString());
        Assert.Single(await server.Endpoint.Channels.GetMembersAsync("room"));
        await bob.DisposeAsync();
    }

    [Fact]
    public async Task A_member_whose_session_expires_leaves_and_the_others_are_told()
    {
        var options = new RealtimeOptions { ResumeWindow = TimeSpan.FromSeconds(1) };
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(options);
        await using ChannelPeer alice = await SubscribeAsync(server, "room", ""","info":{"name":"Alice"}""");
        await alice.NextOpAsync("subscribed");
        ChannelPeer bob = await SubscribeAsync(server, "room", ""","info":{"name":"Bob"}""");
        await bob.NextOpAsync("subscribed");
        string bobId = (await alice.NextOpAsync("join")).GetProperty("id").GetString()!;
        RealtimeSession bobSession = server.Endpoint.FindSession(bob.Session)!;

        // Bob's connection drops and he never comes back: his session expires after the window.
        bob.Abort();
        await bobSession.Completion.Within("Bob's session to expire");
        Assert.Equal(RealtimeCloseReasons.Expired, bobSession.CloseReason);
        Assert.Equal(bobId, (await alice.NextOpAsync("leave")).GetProperty("id").GetString());
        Assert.Single(await server.Endpoint.Channels.GetMembersAsync("room"));
        await bob.DisposeAsync();
    }

    [Fact]
    public async Task Unsubscribing_stops_deliveries_and_leaves_presence()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        await using ChannelPeer alice = await SubscribeAsync(server, "a");
        await alice.NextOpAsync("subscribed");
        await alice.RequestAsync("""{"op":"unsub","ch":"a"}""");
        await alice.NextOpAsync("ok");
        Assert.Empty(await server.Endpoint.Channels.GetMembersAsync("a"));
        await server.Endpoint.Channels.PublishTextAsync("a", "not for alice");
        await alice.SendMessageAsync("ping");
        JsonElement next = await alice.NextAsync();
        Assert.Equal("m", next.GetProperty("t").GetString());
        Assert.Equal("ping", next.GetProperty("d").GetString());

        await alice.RequestAsync("""{"op":"unsub","ch":"a"}""");
        Assert.Equal("not-subscribed", (await alice.NextOpAsync("refused")).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("""{"op":"sub","ch":"bad name"}""", "invalid-channel")]
    [InlineData("""{"op":"sub","ch":":x"}""", "invalid-channel")]
    [InlineData("""{"op":"pub","ch":"x","k":"has space","d":"a"}""", "invalid-key")]
    [InlineData("""{"op":"dance","ch":"x"}""", "unknown-op")]
    public async Task Bad_requests_are_refused_to_that_client_alone_and_its_session_goes_on(string request, string error)
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        await using ChannelPeer peer = await ChannelPeer.ConnectAsync(server);
        long r = await peer.RequestAsync(request);
        JsonElement refused = await peer.NextOpAsync("refused");
        Assert.Equal(r, refused.GetProperty("r").GetInt64());
        Assert.Equal(error, refused.GetProperty("error").GetString());
        await peer.SendMessageAsync("still here");
        Assert.Equal("still here", (await peer.NextAsync()).GetProperty("d").GetString());
    }

    [Fact]
    public async Task The_authorization_hook_decides_who_subscribes_and_who_publishes()
    {
        var options = new RealtimeOptions
        {
            Channels = new RealtimeChannelOptions
            {
                Authorize = context => ValueTask.FromResult(context.Access == ChannelAccess.Subscribe || !context.Channel.StartsWith("ro/", StringComparison.Ordinal)),
            },
        };
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(options);
        await using ChannelPeer peer = await SubscribeAsync(server, "ro/news");
        await peer.NextOpAsync("subscribed");
        await peer.RequestAsync("""{"op":"pub","ch":"ro/news","k":"k","d":"x"}""");
        JsonElement refused = await peer.NextOpAsync("refused");
        Assert.Equal("forbidden", refused.GetProperty("error").GetString());
        await peer.RequestAsync("""{"op":"pub","ch":"rw/news","k":"k","d":"x"}""");
        Assert.Equal(1, (await peer.NextOpAsync("ack")).GetProperty("q").GetInt64());
    }

    [Fact]
    public async Task A_malformed_channel_envelope_ends_only_its_session_with_protocol_error()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        await using ChannelPeer other = await SubscribeAsync(server, "x");
        await other.NextOpAsync("subscribed");
        await using ChannelPeer bad = await ChannelPeer.ConnectAsync(server);
        await bad.SendRawAsync("""{"op":"sub","ch":"x"}""");
        JsonElement close = await bad.NextAsync();
        Assert.Equal("c", close.GetProperty("t").GetString());
        Assert.Equal("protocol-error", close.GetProperty("r").GetString());

        await server.Endpoint.Channels.PublishTextAsync("x", "others go on");
        Assert.Equal("others go on", (await other.NextOpAsync("p", skipOthers: true)).GetProperty("d").GetString());
    }

    [Fact]
    public async Task A_slow_subscriber_is_disconnected_by_policy_while_the_others_receive_everything()
    {
        var options = new RealtimeOptions { Channels = new RealtimeChannelOptions { Limits = new ChannelLimits { MaxPendingPerSubscriber = 5 } } };
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(options);
        var slowEvents = new List<SlowSubscriberEventArgs>();
        server.Endpoint.Channels.SlowSubscriber += (_, e) => { lock (slowEvents) { slowEvents.Add(e); } };
        await using ChannelPeer fast = await SubscribeAsync(server, "ticks");
        await fast.NextOpAsync("subscribed");
        await using ChannelPeer slow = await SubscribeAsync(server, "ticks");
        await slow.NextOpAsync("subscribed", skipOthers: true);
        slow.AutoAck = false;
        await slow.AcknowledgeAsync();
        await WaitForAsync(() => server.Endpoint.FindSession(slow.Session)!.PendingCount == 0, "the slow peer's acknowledgement");

        // One at a time: the fast peer reads and acknowledges each, the slow one reads nothing.
        // The next publication waits until the server has taken the fast peer's acknowledgement:
        // else, on a loaded machine, acknowledgements read late by the server would make the fast
        // peer look slow too (its presence events, such as the slow one's leave, stay unread, so
        // PendingCount is not the measure: the number acknowledged is).
        for (int i = 1; i <= 20; i++)
        {
            await server.Endpoint.Channels.PublishTextAsync("ticks", $"t{i}");
            Assert.Equal(i, (await fast.NextOpAsync("p", skipOthers: true)).GetProperty("q").GetInt64());
            await WaitForAsync(() => server.Endpoint.FindSession(fast.Session)!.Acknowledged >= fast.Received, $"the server to take the fast peer's acknowledgement of publication {i}");
        }

        var seen = new List<long>();
        JsonElement next;
        while ((next = await slow.NextAsync()).GetProperty("op").GetString() == "p")
        {
            seen.Add(next.GetProperty("q").GetInt64());
        }

        Assert.Equal("unsubscribed", next.GetProperty("op").GetString());
        Assert.Equal("slow-consumer", next.GetProperty("reason").GetString());
        Assert.Equal(Enumerable.Range(1, 5).Select(i => (long)i), seen);
        lock (slowEvents)
        {
            Assert.Equal(SlowSubscriberPolicy.Disconnect, Assert.Single(slowEvents).Policy);
        }
    }

    [Fact]
    public async Task A_busy_channel_does_not_make_a_quiet_one_of_the_same_session_slow()
    {
        var options = new RealtimeOptions { Channels = new RealtimeChannelOptions { Limits = new ChannelLimits { MaxPendingPerSubscriber = 5 } } };
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(options);
        await using ChannelPeer peer = await SubscribeAsync(server, "busy");
        await peer.NextOpAsync("subscribed");
        await peer.RequestAsync("""{"op":"sub","ch":"quiet"}""");
        await peer.NextOpAsync("subscribed");
        peer.AutoAck = false;
        await peer.AcknowledgeAsync();
        await WaitForAsync(() => server.Endpoint.FindSession(peer.Session)!.PendingCount == 0, "the acknowledgement of both subscribes");

        // Eight publications of busy wait unacknowledged: five of them fill busy's bound, none is quiet's.
        for (int i = 1; i <= 8; i++)
        {
            await server.Endpoint.Channels.PublishTextAsync("busy", $"b{i}");
        }

        await server.Endpoint.Channels.PublishTextAsync("quiet", "q1");
        var got = new List<string>();
        while (got.Count < 7)
        {
            JsonElement next = await peer.NextAsync();
            got.Add(next.GetProperty("op").GetString() == "p" ? $"{next.GetProperty("ch").GetString()}:{next.GetProperty("q").GetInt64()}" : next.GetProperty("op").GetString()!);
        }

        Assert.Equal(["busy:1", "busy:2", "busy:3", "busy:4", "busy:5", "quiet:1", "unsubscribed"], got.Order(StringComparer.Ordinal).ToArray().OrderBy(x => x.StartsWith("unsub", StringComparison.Ordinal)).ThenBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_slow_subscriber_under_skip_to_live_is_told_the_gap_once_it_catches_up()
    {
        var options = new RealtimeOptions { Channels = new RealtimeChannelOptions { Limits = new ChannelLimits { MaxPendingPerSubscriber = 4, SlowSubscriberPolicy = SlowSubscriberPolicy.SkipToLive } } };
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(options);
        await using ChannelPeer slow = await SubscribeAsync(server, "ticks");
        await slow.NextOpAsync("subscribed");
        slow.AutoAck = false;
        await slow.AcknowledgeAsync();
        await WaitForAsync(() => server.Endpoint.FindSession(slow.Session)!.PendingCount == 0, "the acknowledgement of subscribed");

        for (int i = 1; i <= 10; i++)
        {
            await server.Endpoint.Channels.PublishTextAsync("ticks", $"t{i}");
        }

        for (int i = 1; i <= 4; i++)
        {
            Assert.Equal(i, (await slow.NextOpAsync("p")).GetProperty("q").GetInt64());
        }

        await slow.AcknowledgeAsync();
        await WaitForAsync(() => server.Endpoint.FindSession(slow.Session)!.PendingCount == 0, "the catch-up");
        slow.AutoAck = true;
        await server.Endpoint.Channels.PublishTextAsync("ticks", "t11");
        JsonElement gap = await slow.NextOpAsync("gap");
        Assert.Equal([5L, 10L], gap.GetProperty("missing").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(11, (await slow.NextOpAsync("p")).GetProperty("q").GetInt64());
    }

    [Fact]
    public async Task A_backplane_that_loses_a_delivery_shows_up_as_an_announced_gap()
    {
        var lossy = new LossyBackplane(new InMemoryChannelBackplane(), dropSequence: 2);
        var options = new RealtimeOptions { Channels = new RealtimeChannelOptions { Backplane = lossy } };
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(options);
        await using ChannelPeer peer = await SubscribeAsync(server, "lossy");
        await peer.NextOpAsync("subscribed");
        for (int i = 1; i <= 3; i++)
        {
            await server.Endpoint.Channels.PublishTextAsync("lossy", $"p{i}");
        }

        Assert.Equal(1, (await peer.NextOpAsync("p")).GetProperty("q").GetInt64());
        JsonElement gap = await peer.NextOpAsync("gap");
        Assert.Equal([2L, 2L], gap.GetProperty("missing").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(3, (await peer.NextOpAsync("p")).GetProperty("q").GetInt64());
    }

    [Fact]
    public async Task Channel_envelopes_ride_the_http_transports_with_event_ids_on_sse()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();
        (System.Net.HttpStatusCode status, _) = await server.SendAsync(session, """[{"t":"ch","s":1,"op":"sub","r":1,"ch":"poll-me"}]""");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        await WaitForAsync(() => server.Endpoint.FindSession(session)!.PendingCount >= 1, "the subscribed envelope");
        await server.Endpoint.Channels.PublishTextAsync("poll-me", "over http");

        using var stream = await server.Http.GetStreamAsync($"sse?v=1&session={session}&ack=0").WaitAsync(Bounded.Default);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (!lines.Any(l => l.Contains("over http", StringComparison.Ordinal)))
        {
            lines.Add(await reader.ReadLineAsync().Within("the next event-stream line") ?? throw new InvalidOperationException("the stream ended"));
        }

        Assert.Contains("id: 1", lines);
        Assert.Contains("id: 2", lines);
        Assert.Contains(lines, l => l.StartsWith("data: {\"t\":\"ch\",\"s\":1,\"op\":\"subscribed\"", StringComparison.Ordinal));
        Assert.Contains("data: {\"t\":\"ch\",\"s\":2,\"op\":\"p\",\"ch\":\"poll-me\"", lines[^1], StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Bounded.Default);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
        }
    }

    /// <summary>A backplane that loses one delivery to listeners (as a broker restart would), numbering everything as usual.</summary>
    private sealed class LossyBackplane(IChannelBackplane inner, long dropSequence) : IChannelBackplane
    {
        private readonly Dictionary<IChannelListener, Filter> _filters = [];

        public ValueTask<ChannelPublishResult> PublishAsync(string channel, ChannelPublishRequest request, CancellationToken cancellationToken = default) => inner.PublishAsync(channel, request, cancellationToken);

        public ValueTask<SubscribePlan> PlanAsync(string channel, ChannelCursor? from, int? latest, CancellationToken cancellationToken = default) => inner.PlanAsync(channel, from, latest, cancellationToken);

        public ValueTask AttachAsync(string channel, IChannelListener listener, CancellationToken cancellationToken = default)
        {
            var filter = new Filter(listener, dropSequence);
            lock (_filters)
            {
                _filters[listener] = filter;
            }

            return inner.AttachAsync(channel, filter, cancellationToken);
        }

        public ValueTask DetachAsync(string channel, IChannelListener listener, CancellationToken cancellationToken = default)
        {
            Filter? filter;
            lock (_filters)
            {
                _filters.Remove(listener, out filter);
            }

            return filter is null ? ValueTask.CompletedTask : inner.DetachAsync(channel, filter, cancellationToken);
        }

        public ValueTask<bool> JoinAsync(string channel, ChannelMember member, CancellationToken cancellationToken = default) => inner.JoinAsync(channel, member, cancellationToken);

        public ValueTask<bool> LeaveAsync(string channel, string memberId, CancellationToken cancellationToken = default) => inner.LeaveAsync(channel, memberId, cancellationToken);

        public ValueTask<IReadOnlyList<ChannelMember>> GetMembersAsync(string channel, CancellationToken cancellationToken = default) => inner.GetMembersAsync(channel, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        private sealed class Filter(IChannelListener listener, long drop) : IChannelListener
        {
            public void OnPublication(string channel, string epoch, ChannelPublication publication)
            {
                if (publication.Sequence != drop)
                {
                    listener.OnPublication(channel, epoch, publication);
                }
            }

            public void OnPresence(string channel, ChannelMember member, bool joined) => listener.OnPresence(channel, member, joined);
        }
    }
}
