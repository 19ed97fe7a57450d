using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Duplex;

namespace EchoAllocations;

/// <summary>
/// What accepting one WebSocket connection allocates, server and client together: a raw socket
/// client sends a prepared upgrade request and reads the 101, N times, and the connections stay
/// open (idle) until the end. Garbage made here is interleaved with the connection's long-lived
/// objects, which is what leaves the GC heap fragmented after a burst of connections.
/// </summary>
internal static class HandshakeAllocations
{
    public static async Task RunAsync(int connections)
    {
        int opened = 0;
        var allOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0 });
        server.MapWebSocket("/echo", async (ws, ct) =>
        {
            if (Interlocked.Increment(ref opened) == connections)
            {
                allOpen.TrySetResult();
            }

            while (!(await ws.ReceiveAsync(ct).ConfigureAwait(false)).IsClose)
            {
            }
        }, new WebSocketEndpointOptions { RetainRequest = false });
        await server.StartAsync().ConfigureAwait(false);
        var endPoint = new IPEndPoint(IPAddress.Loopback, server.LocalEndPoint.Port);
        byte[] request = Encoding.ASCII.GetBytes(
            $"GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{endPoint.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        byte[] response = new byte[1024];
        var sockets = new Socket[connections];

        // One connection first, so that one-time costs (JIT, pools, the timer) are not counted.
        using (Socket warm = Open())
        {
            warm.Shutdown(SocketShutdown.Both);
        }

        using var ticks = new AllocationTicks();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        ticks.Recording = true;
        for (int i = 0; i < connections; i++)
        {
            sockets[i] = Open();
        }

        await allOpen.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        ticks.Recording = false;
        long after = GC.GetTotalAllocatedBytes(precise: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"handshake: {after - before:N0} B allocated for {connections:N0} connections = {(after - before) / (double)connections:N0} B per connection (server and client)"));
        foreach ((string type, int count) in ticks.ByType.OrderByDescending(p => p.Value).Take(25))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  sampled {count} x {type}"));
        }

        foreach (Socket socket in sockets)
        {
            socket.Dispose();
        }

        Socket Open()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(endPoint);
            socket.Send(request);
            int read = 0;
            while (read < 4 || !response.AsSpan(0, read).EndsWith("\r\n\r\n"u8))
            {
                read += socket.Receive(response.AsSpan(read));
            }

            return socket;
        }
    }
}
