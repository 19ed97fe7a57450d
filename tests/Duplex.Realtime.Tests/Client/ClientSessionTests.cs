using Duplex.Cli.Faults;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Client;

/// <summary>The session's life as the client sees it: offline queueing and its bound, loss after expiry (renewed or not), the server's close, the state events in order.</summary>
public sealed class ClientSessionTests
{
    [Fact]
    public async Task The_heartbeat_the_server_negotiated_is_known_once_connected()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(ClientFixture.FastOptions(heartbeat: TimeSpan.FromMilliseconds(1700)));
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(RealtimeTransport.WebSocket), new EventLog());
        Assert.Null(client.Heartbeat);

        await client.ConnectAsync().Within("connect");

        Assert.Equal(TimeSpan.FromMilliseconds(1700), client.Heartbeat);
    }

    [Fact]
    public async Task Messages_sent_while_offline_are_queued_and_go_out_in_order_after_the_resume()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(fault: FaultMode.PassThrough);
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(RealtimeTransport.WebSocket), events);
        await client.ConnectAsync().Within("connect");
        Task first = Traffic.ExpectAsync(client, 0, 10);
        await Traffic.SendAsync(client, 0, 10);
        await first;

        // Offline: every new WebSocket is refused until the network comes back.
        fixture.Proxy!.Mode = FaultMode.RefuseUpgrades;
        fixture.Proxy.ResetAll();
        await events.WaitAsync(RealtimeClientEventKind.Reconnecting);
        await Traffic.SendAsync(client, 10, 30);
        Assert.Equal(30, client.PendingCount);
        Assert.Equal(RealtimeClientState.Reconnecting, client.State);

        fixture.Proxy.Mode = FaultMode.PassThrough;
        await Traffic.ExpectAsync(client, 10, 30);
        await events.WaitAsync(RealtimeClientEventKind.Resumed);
        await client.CloseAsync().Within("close");
        Assert.Equal(0, client.PendingCount);
        Assert.Equal(
            [RealtimeClientEventKind.Connecting, RealtimeClientEventKind.Connected, RealtimeClientEventKind.Reconnecting, RealtimeClientEventKind.Resumed, RealtimeClientEventKind.Closed],
            events.Kinds);
        Assert.Equal(RealtimeTransport.WebSocket, events.All[3].Transport);
    }

    [Fact]
    public async Task The_offline_queue_is_bounded_and_says_so()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(fault: FaultMode.PassThrough);
        var events = new EventLog();
        RealtimeClientOptions pinned = ClientFixture.ClientOptions(RealtimeTransport.WebSocket);
        var options = new RealtimeClientOptions
        {
            Transports = pinned.Transports,
            ReconnectDelay = pinned.ReconnectDelay,
            MaxReconnectDelay = pinned.MaxReconnectDelay,
            MaxOfflineMessages = 5,
        };
        RealtimeClient client = fixture.Client(options, events);
        await client.ConnectAsync().Within("connect");
        fixture.Proxy!.Mode = FaultMode.RefuseUpgrades;
        fixture.Proxy.ResetAll();
        await events.WaitAsync(RealtimeClientEventKind.Reconnecting);

        await Traffic.SendAsync(client, 0, 5);
        await Assert.ThrowsAsync<RealtimeOutboxFullException>(() => client.SendTextAsync("one too many").AsTask()).Within("the sixth send");
        Assert.Equal(5, client.PendingCount);

        fixture.Proxy.Mode = FaultMode.PassThrough;
        await Traffic.ExpectAsync(client, 0, 5);
    }

    [Fact]
    public async Task A_full_outbox_waits_for_acknowledgements_while_connected()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync();
        RealtimeClientOptions pinned = ClientFixture.ClientOptions(RealtimeTransport.Polling);
        var options = new RealtimeClientOptions { Transports = pinned.Transports, MaxOfflineMessages = 3 };
        RealtimeClient client = fixture.Client(options);
        await client.ConnectAsync().Within("connect");

        // Many more than the bound: each send waits for room rather than failing.
        Task receiving = Traffic.ExpectAsync(client, 0, 40);
        await Traffic.SendAsync(client, 0, 40);
        await receiving;
        Assert.True(client.PendingCount <= 3);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_session_that_expired_while_away_is_lost_with_its_unacknowledged_messages(bool renew)
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(ClientFixture.FastOptions(resumeWindow: TimeSpan.FromSeconds(1)), FaultMode.PassThrough);
        var events = new EventLog();
        RealtimeClientOptions pinned = ClientFixture.ClientOptions(RealtimeTransport.WebSocket);
        var options = new RealtimeClientOptions
        {
            Transports = pinned.Transports,
            ReconnectDelay = pinned.ReconnectDelay,
            MaxReconnectDelay = pinned.MaxReconnectDelay,
            RenewLostSession = renew,
        };
        RealtimeClient client = fixture.Client(options, events);
        await client.ConnectAsync().Within("connect");
        string first = client.SessionId!;
        RealtimeSession serverSide = fixture.Server.Endpoint.FindSession(first)!;

        fixture.Proxy!.Mode = FaultMode.RefuseUpgrades;
        fixture.Proxy.ResetAll();
        await events.WaitAsync(RealtimeClientEventKind.Reconnecting);
        await client.SendTextAsync("never acknowledged").Within("an offline send");
        await serverSide.Completion.Within("the session's expiry");
        fixture.Proxy.Mode = FaultMode.PassThrough;

        RealtimeClientEvent lost = await events.WaitAsync(RealtimeClientEventKind.SessionLost);
        Assert.Equal("session-expired", lost.Reason);
        Assert.Equal(["never acknowledged"], lost.Unacknowledged.Select(m => m.Text));
        if (renew)
        {
            await events.WaitAsync(RealtimeClientEventKind.Connected, skip: 2);
            Assert.NotEqual(first, client.SessionId);
            Assert.Equal(0, client.PendingCount);
            Assert.Equal(
                [RealtimeClientEventKind.Connecting, RealtimeClientEventKind.Connected, RealtimeClientEventKind.Reconnecting, RealtimeClientEventKind.SessionLost, RealtimeClientEventKind.Connecting, RealtimeClientEventKind.Connected],
                events.Kinds);

            // The new session starts from 1 both ways.
            Task receiving = Traffic.ExpectAsync(client, 0, 10);
            await Traffic.SendAsync(client, 0, 10);
            await receiving;
        }
        else
        {
            RealtimeClientEvent closed = await events.WaitAsync(RealtimeClientEventKind.Closed);
            Assert.Equal("session-lost: session-expired", closed.Reason);
            Assert.Equal(RealtimeClientState.Closed, client.State);
            await Assert.ThrowsAsync<RealtimeSessionClosedException>(() => client.ReceiveAsync().AsTask()).Within("receive");
        }
    }

    [Theory]
    [MemberData(nameof(ClientTransportTests.Transports), MemberType = typeof(ClientTransportTests))]
    public async Task Messages_the_handler_sends_right_before_it_closes_arrive_before_the_close(RealtimeTransport transport)
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(handler: async (session, ct) =>
        {
            await session.ReceiveAsync(ct);
            for (int i = 1; i <= 3; i++)
            {
                await session.SendTextAsync($"bye {i}", ct);
            }

            await session.CloseAsync();
        });
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(transport), events);
        await client.ConnectAsync().Within("connect");
        await client.SendTextAsync("hello").Within("send");

        var received = new List<string>();
        await foreach (RealtimeMessage message in client.ReadMessagesAsync().WithCancellation(Bounded.Token()))
        {
            received.Add(message.Text);
        }

        Assert.Equal(["bye 1", "bye 2", "bye 3"], received);
        Assert.Equal("closed", (await events.WaitAsync(RealtimeClientEventKind.Closed)).Reason);
    }

    [Theory]
    [MemberData(nameof(ClientTransportTests.Transports), MemberType = typeof(ClientTransportTests))]
    public async Task The_servers_close_ends_the_client_with_its_reason_after_the_last_messages(RealtimeTransport transport)
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(handler: async (session, ct) =>
        {
            RealtimeMessage first = await session.ReceiveAsync(ct);
            await session.SendAsync(first.Type, first.Data, ct);
            await session.SendTextAsync("bye", ct);

            // The server drops what is not acknowledged when it closes: the client's next message comes with its acknowledgement.
            await session.ReceiveAsync(ct);
            await session.CloseAsync("closed");
        });
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(transport), events);
        await client.ConnectAsync().Within("connect");

        await client.SendTextAsync("hello").Within("send");
        var received = new List<string>();
        await foreach (RealtimeMessage message in client.ReadMessagesAsync().WithCancellation(Bounded.Token()))
        {
            received.Add(message.Text);
            if (message.Text == "bye")
            {
                await client.SendTextAsync("ok").Within("the answer");
            }
        }

        Assert.Equal(["hello", "bye"], received);
        RealtimeClientEvent closed = await events.WaitAsync(RealtimeClientEventKind.Closed);
        Assert.Equal("closed", closed.Reason);
        Assert.Equal(RealtimeClientState.Closed, client.State);
    }

    [Theory]
    [MemberData(nameof(ClientTransportTests.Transports), MemberType = typeof(ClientTransportTests))]
    public async Task Close_waits_for_the_acknowledgements_then_ends_the_session_on_the_server(RealtimeTransport transport)
    {
        // The application reads only after the session is over (its token has fired by then): what
        // the server acknowledged to the client is still the application's to read, every message.
        var seen = new List<string>();
        var sessionOver = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using ClientFixture fixture = await ClientFixture.StartAsync(handler: async (session, ct) =>
        {
            await sessionOver.Task;
            await foreach (RealtimeMessage message in session.ReadMessagesAsync(ct))
            {
                seen.Add(Traffic.Describe(message.Type, message.Data.Span));
            }

            handlerDone.SetResult();
        });
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(transport));
        await client.ConnectAsync().Within("connect");
        RealtimeSession serverSide = fixture.Server.Endpoint.FindSession(client.SessionId!)!;

        await Traffic.SendAsync(client, 0, 20);
        await client.CloseAsync().Within("close");

        Assert.Equal(0, client.PendingCount);
        await serverSide.Completion.Within("the server's end of the session");
        Assert.Equal(RealtimeCloseReasons.Closed, serverSide.CloseReason);
        Assert.True(serverSide.Closed.IsCancellationRequested);
        sessionOver.SetResult();
        await handlerDone.Task.Within("the handler reading what was received");
        Assert.Equal(Enumerable.Range(0, 20).Select(Traffic.Describe), seen);
    }

    [Fact]
    public async Task Sending_before_connect_or_an_unreachable_server_are_clear_errors()
    {
        var client = new RealtimeClient(new Uri("http://127.0.0.1:1/realtime"), new RealtimeClientOptions { OpenTimeout = TimeSpan.FromSeconds(2) });
        await using (client)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendTextAsync("early").AsTask());
            IOException error = await Assert.ThrowsAnyAsync<IOException>(() => client.ConnectAsync()).Within("connect");
            Assert.Contains("negotiate", error.Message, StringComparison.Ordinal);
            Assert.Equal(RealtimeClientState.Closed, client.State);
        }

        Assert.Throws<ArgumentException>(() => new RealtimeClient(new Uri("ws://127.0.0.1:1/realtime")));
        Assert.Throws<ArgumentException>(() => new RealtimeClient(new Uri("http://127.0.0.1:1/realtime"), new RealtimeClientOptions { Transports = [] }));
    }
}
