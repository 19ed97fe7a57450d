using System.Net;
using System.Net.Sockets;
using System.Text;
using Duplex.Cli.Bench.Sessions;
using Duplex.Tests.Support;

namespace Duplex.Tests.Cli;

/// <summary>
/// The relay <c>duplex bench sessions</c> counts the wire with, on an exchange written out by
/// hand: the byte counts are the lengths of the strings, and the requests are the heads in them.
/// </summary>
public sealed class CountingRelayTests
{
    // 81 bytes: a head of 76 and a body of 5.
    private const string Send = "POST /rt/send?v=1&session=S HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello";

    // A chunked body (one chunk of 0x1f = 31 bytes, then the last) whose bytes spell a request line: the counter must skip it as a body.
    private const string Poll = "POST /rt/poll?v=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n1f\r\nGET /not-a-request HTTP/1.1\r\n\r\n\r\n0\r\n\r\n";

    // After an upgrade nothing is HTTP: the request line that follows is WebSocket data.
    private const string Upgrade = "GET /rt/ws?v=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    private const string AfterUpgrade = "GET /rt/ws HTTP/1.1\r\n\r\n";

    private const string Answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    [Fact]
    public void Counter_counts_heads_skips_fixed_and_chunked_bodies_and_stops_at_an_upgrade()
    {
        var counter = new RequestCounter();
        counter.Feed(Encoding.ASCII.GetBytes(Send + Poll + Upgrade + AfterUpgrade));

        Assert.True(counter.Requests == 3, $"{counter.Requests}: {string.Join(", ", counter.ByKind)} upgraded {counter.Upgraded} not HTTP {counter.NotHttp}");
        Assert.True(counter.Upgraded);
        Assert.False(counter.NotHttp);
        Assert.Equal(new Dictionary<string, long> { ["POST send"] = 1, ["POST poll"] = 1, ["GET ws"] = 1 }, counter.ByKind);
    }

    [Fact]
    public void Counter_counts_the_same_whatever_the_reads_split_the_bytes_into()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Send + Poll + Send);
        for (int split = 0; split <= bytes.Length; split++)
        {
            var counter = new RequestCounter();
            counter.Feed(bytes.AsSpan(0, split));
            counter.Feed(bytes.AsSpan(split));
            Assert.Equal(3, counter.Requests);
            Assert.Equal(2, counter.ByKind["POST send"]);
        }

        var byteByByte = new RequestCounter();
        foreach (byte b in bytes)
        {
            byteByByte.Feed([b]);
        }

        Assert.Equal(3, byteByByte.Requests);
    }

    [Fact]
    public void Counter_gives_up_on_bytes_that_are_not_http()
    {
        var counter = new RequestCounter();
        counter.Feed(Encoding.ASCII.GetBytes("\x16\x03\x01 not a request line\r\n\r\n"));

        Assert.Equal(0, counter.Requests);
        Assert.True(counter.NotHttp);
    }

    [Fact]
    public async Task Relay_counts_every_byte_each_way_the_connections_and_the_requests()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        await using CountingRelay relay = CountingRelay.Start((IPEndPoint)server.LocalEndpoint);
        byte[] up = Encoding.ASCII.GetBytes(Send + Poll + Upgrade + AfterUpgrade);
        byte[] down = Encoding.ASCII.GetBytes(Answer + Answer + "HTTP/1.1 101 Switching Protocols\r\n\r\n" + "\x81\x02hi");

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(relay.EndPoint).Within("the relay to accept");
        using Socket accepted = await server.AcceptSocketAsync().Within("the relay to connect to the server");
        await client.SendAsync(up).Within("the client's bytes to go");
        byte[] atServer = await ReadExactlyAsync(accepted, up.Length).Within("the server to read what the client sent");
        await accepted.SendAsync(down).Within("the server's bytes to go");
        byte[] atClient = await ReadExactlyAsync(client, down.Length).Within("the client to read what the server sent");

        Assert.Equal(up, atServer);
        Assert.Equal(down, atClient);
        RelayCounts counts = relay.Snapshot();
        Assert.Equal(81 + Poll.Length + Upgrade.Length + AfterUpgrade.Length, counts.BytesUp);
        Assert.Equal(down.Length, counts.BytesDown);
        Assert.Equal(1, counts.Connections);
        Assert.Equal(3, counts.Requests);
        Assert.Equal(1, counts.RequestsByKind["GET ws"]);

        // A window is the difference of two snapshots; the counts of a closed connection stay.
        client.Shutdown(SocketShutdown.Both);
        client.Close();
        await WaitForEndAsync(accepted).Within("the relay to pass the close on");
        RelayCounts later = relay.Snapshot();
        Assert.Equal(3, later.Requests);
        RelayCounts window = later.Since(counts);
        Assert.Equal(0, window.BytesUp);
        Assert.Equal(0, window.Requests);
        Assert.Empty(window.RequestsByKind);
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int length)
    {
        byte[] buffer = new byte[length];
        int read = 0;
        while (read < length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read));
            Assert.True(n > 0, $"the connection ended after {read} of {length} bytes");
            read += n;
        }

        return buffer;
    }

    private static async Task WaitForEndAsync(Socket socket)
    {
        byte[] buffer = new byte[16];
        while (await socket.ReceiveAsync(buffer) > 0)
        {
        }
    }
}
