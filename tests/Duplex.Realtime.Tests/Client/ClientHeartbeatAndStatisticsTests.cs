using System.Collections.Concurrent;
using Duplex.Cli.Faults;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Client;

/// <summary>The client's signs of life (docs/PROTOCOL.md §6), its thread safety, and what its statistics count.</summary>
public sealed class ClientHeartbeatAndStatisticsTests
{
    [Fact]
    public async Task An_idle_event_stream_session_sends_an_acknowledgement_alone_each_interval_and_stays_up()
    {
        // The server drops a transport whose client is silent for two intervals; the client's idle sends keep it.
        await using ClientFixture fixture = await ClientFixture.StartAsync(ClientFixture.FastOptions(heartbeat: TimeSpan.FromMilliseconds(400)));
        var idleSends = new ConcurrentQueue<string>();
        var threeSends = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = new EventLog();
        var options = new RealtimeClientOptions
        {
            Transports = [RealtimeTransport.ServerSentEvents],
            WrapHttpHandler = inner => new ObservingHandler(inner, async request =>
            {
                if (request.RequestUri!.AbsolutePath.EndsWith("/send", StringComparison.Ordinal))
                {
                    idleSends.Enqueue(await request.Content!.ReadAsStringAsync());
                    if (idleSends.Count >= 3)
                    {
                        threeSends.TrySetResult();
                    }
                }
            }),
        };
        RealtimeClient client = fixture.Client(options, events);
        await client.ConnectAsync().Within("connect");

        await threeSends.Task.Within("three idle sends");

        Assert.All(idleSends, body => Assert.Equal("[{\"t\":\"a\",\"a\":0}]", body));
        Assert.Equal([RealtimeClientEventKind.Connecting, RealtimeClientEventKind.Connected], events.Kinds);
        Assert.Equal(RealtimeTransport.ServerSentEvents, fixture.Server.Endpoint.FindSession(client.SessionId!)!.Transport);
    }

    [Fact]
    public async Task Sends_from_many_threads_each_arrive_once_in_each_senders_order()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(RealtimeTransport.WebSocket));
        await client.ConnectAsync().Within("connect");

        const int Senders = 4, Each = 100;
        Task[] sending = [.. Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            for (int i = 0; i < Each; i++)
            {
                await client.SendTextAsync($"{s}:{i}");
            }
        }))];
        var next = new int[Senders];
        for (int n = 0; n < Senders * Each; n++)
        {
            string[] parts = (await client.ReceiveAsync().Within("an echo")).Text.Split(':');
            int sender = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(next[sender]++, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        await Task.WhenAll(sending).Within("the senders");
        Assert.All(next, count => Assert.Equal(Each, count));
    }

    [Theory]
    [InlineData(RealtimeTransport.WebSocket)]
    [InlineData(RealtimeTransport.LongPolling)]
    public async Task Statistics_count_requests_connections_transports_reconnects_and_bytes(RealtimeTransport transport)
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(fault: FaultMode.PassThrough);
        var events = new EventLog();
        RealtimeClient client = fixture.Client(ClientFixture.ClientOptions(transport), events);
        await client.ConnectAsync().Within("connect");
        RealtimeClientStatistics statistics = client.Statistics;
        long requestsAtOpen = statistics.HttpRequests;
        Assert.True(requestsAtOpen >= 1, "negotiate is a request");
        Assert.True(statistics.TcpConnections >= (transport == RealtimeTransport.WebSocket ? 2 : 1));
        Assert.True(statistics.TransportsOpened >= 1);
        Assert.Equal(0, statistics.Reconnects);

        long sentBefore = statistics.BytesSent, receivedBefore = statistics.BytesReceived;
        Task receiving = Traffic.ExpectAsync(client, 0, 10);
        await Traffic.SendAsync(client, 0, 10);
        await receiving;
        Assert.True(statistics.BytesSent > sentBefore + 10 * 5);
        Assert.True(statistics.BytesReceived > receivedBefore + 10 * 5);
        if (transport != RealtimeTransport.WebSocket)
        {
            Assert.True(statistics.HttpRequests > requestsAtOpen, "sends and polls are requests");
        }

        fixture.Proxy!.ResetAll();
        await events.WaitAsync(RealtimeClientEventKind.Resumed);
        Assert.True(statistics.Reconnects >= 1);
    }

    private sealed class ObservingHandler(HttpMessageHandler inner, Func<HttpRequestMessage, Task> observe) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await observe(request);
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
