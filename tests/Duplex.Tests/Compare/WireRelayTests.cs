using System.Net;
using System.Net.Sockets;
using System.Text;
using Duplex.Cli.Compare.Wire;
using Duplex.Tests.Support;

namespace Duplex.Tests.Compare;

/// <summary>
/// The wire relay between a raw socket client and a tiny socket server, on the exchange of
/// <see cref="WireTrackerTests"/> (its byte counts are counted there): every step waits for the
/// bytes to arrive at the other end, so the relay saw them in that order.
/// </summary>
public sealed class WireRelayTests
{
    private const string Poll = WireTrackerTests.Poll;
    private const string Hello = WireTrackerTests.Hello;
    private const string Send = WireTrackerTests.Send;
    private const string NoContent = WireTrackerTests.NoContent;

    [Fact]
    public async Task Counts_a_hand_computed_long_polling_exchange_on_two_connections_exactly()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        await using WireRelay relay = WireRelay.Start((IPEndPoint)server.LocalEndpoint);
        WireCounts before = relay.Snapshot();

        using Pair poll = await Pair.ConnectAsync(relay, server);
        using Pair send = await Pair.ConnectAsync(relay, server);
        await poll.UpAsync(Poll);
        await send.UpAsync(Send);
        await send.DownAsync(NoContent);
        await poll.DownAsync(Hello);
        WireCounts first = relay.Snapshot();
        await poll.UpAsync(Poll);
        await poll.DownAsync(Hello);

        WireCounts all = relay.Snapshot();
        Assert.Equal(34 + 56 + 34, all.BytesUp);
        Assert.Equal(27 + 43 + 43, all.BytesDown);
        Assert.Equal(2, all.Connections);
        Assert.Equal(3, all.Requests);
        Assert.Equal(3, all.UpstreamTransfers);
        Assert.Equal(0, all.OverlappingTransfers);
        Assert.Equal(2, all.ConnectionsUsed);
        Assert.All(all.PerConnection, connection => Assert.Equal("http/1.1", connection.Protocol));

        // A window: only the second poll, on one of the two connections.
        WireCounts window = all.Since(first);
        Assert.Equal((34L, 43L, 0L, 1L, 1L, 0L), (window.BytesUp, window.BytesDown, window.Connections, window.Requests, window.UpstreamTransfers, window.OverlappingTransfers));
        Assert.Equal(1, window.ConnectionsUsed);
        Assert.Equal(all, all.Since(before) with { PerConnection = all.PerConnection });

        // A closed connection's counts stay.
        poll.Dispose();
        send.Dispose();
        await WaitUntilClosedAsync(relay, 2).Within("the relay to see both connections end");
        WireCounts closed = relay.Snapshot();
        Assert.Equal((all.BytesUp, all.BytesDown, all.Requests, all.ConnectionsUsed), (closed.BytesUp, closed.BytesDown, closed.Requests, closed.ConnectionsUsed));
    }

    [Fact]
    public async Task A_websocket_through_the_relay_sends_while_its_response_is_in_flight()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        await using WireRelay relay = WireRelay.Start((IPEndPoint)server.LocalEndpoint);
        using Pair ws = await Pair.ConnectAsync(relay, server);

        await ws.UpAsync(WireTrackerTests.Upgrade);
        await ws.DownAsync(WireTrackerTests.Switching);
        await ws.UpAsync("\x81\x82\x01\x02\x03\x04ik");
        await ws.DownAsync("\x81\x02hi");
        await ws.UpAsync("\x81\x82\x01\x02\x03\x04ik");

        WireCounts counts = relay.Snapshot();
        WireConnection connection = Assert.Single(counts.PerConnection);
        Assert.Equal("websocket", connection.Protocol);
        Assert.Equal((1L, 3L, 2L, 1L), (counts.Requests, counts.UpstreamTransfers, counts.OverlappingTransfers, counts.ConnectionsUsed));
    }

    private static async Task WaitUntilClosedAsync(WireRelay relay, int connections)
    {
        // The relay keeps a closed connection's final counts; its own pumps end on their own.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (relay.ClosedConnections < connections)
        {
            await timer.WaitForNextTickAsync();
        }
    }

    /// <summary>A client socket through the relay and the server's end of it.</summary>
    private sealed class Pair(Socket client, Socket server) : IDisposable
    {
        public static async Task<Pair> ConnectAsync(WireRelay relay, TcpListener listener)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(relay.EndPoint).Within("the relay to accept");
            Socket server = await listener.AcceptSocketAsync().Within("the relay to connect to the server");
            return new Pair(client, server);
        }

        public Task UpAsync(string text) => CrossAsync(client, server, text);

        public Task DownAsync(string text) => CrossAsync(server, client, text);

        public void Dispose()
        {
            client.Dispose();
            server.Dispose();
        }

        private static async Task CrossAsync(Socket from, Socket to, string text)
        {
            byte[] bytes = Encoding.Latin1.GetBytes(text);
            await from.SendAsync(bytes).Within("the bytes to go");
            byte[] received = new byte[bytes.Length];
            int read = 0;
            while (read < received.Length)
            {
                int n = await to.ReceiveAsync(received.AsMemory(read)).Within("the bytes to cross the relay");
                Assert.True(n > 0, $"the connection ended after {read} of {received.Length} bytes");
                read += n;
            }

            Assert.Equal(bytes, received);
        }
    }
}
