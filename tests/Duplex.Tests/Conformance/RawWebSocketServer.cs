using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Duplex.Tests.Support;

namespace Duplex.Tests.Conformance;

/// <summary>
/// A fake WebSocket server for client conformance cases: it listens on 127.0.0.1 with an
/// OS-picked port, accepts one TCP connection, answers the opening handshake by hand (checking
/// the request and computing Sec-WebSocket-Accept itself), and hands back a <see cref="RawPeer"/>
/// that sends unmasked frames of any shape and reads the client's masked frames.
/// </summary>
internal sealed class RawWebSocketServer : IAsyncDisposable
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public RawWebSocketServer()
    {
        _listener.Start();
    }

    public Uri Uri => new($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/case");

    /// <summary>Accepts the client's connection and completes the server side of the handshake.</summary>
    public async Task<RawPeer> AcceptAsync()
    {
        Socket socket = await _listener.AcceptSocketAsync(Bounded.Token());
        var peer = new RawPeer(socket, actsAsClient: false);
        try
        {
            string head = await peer.ReadHttpHeadAsync();
            string[] lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("GET /case HTTP/1.1", lines[0], StringComparison.Ordinal);
            var fields = lines.Skip(1)
                .Select(l => l.Split(':', 2))
                .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
            Assert.Equal("websocket", fields["Upgrade"], ignoreCase: true);
            Assert.Contains("upgrade", fields["Connection"], StringComparison.OrdinalIgnoreCase);
            Assert.Equal("13", fields["Sec-WebSocket-Version"]);
            string key = fields["Sec-WebSocket-Key"];
            Assert.Equal(16, Convert.FromBase64String(key).Length);

            string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Accept: {Accept(key)}\r\n\r\n";
            await peer.SendAsync(Encoding.ASCII.GetBytes(response));
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    private static string Accept(string key)
    {
        // RFC 6455 §4.2.2 names SHA-1 for this proof of handshake; it is not used for security.
#pragma warning disable CA5350
        byte[] hash = SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid));
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    public ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Dispose();
        return ValueTask.CompletedTask;
    }
}
