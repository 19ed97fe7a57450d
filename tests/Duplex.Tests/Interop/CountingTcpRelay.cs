using System.Net;
using System.Net.Sockets;

namespace Duplex.Tests.Interop;

/// <summary>
/// A TCP relay on 127.0.0.1 (a port the OS picks) in front of a server on 127.0.0.1: every
/// connection it accepts is forwarded byte for byte to the target, and the bytes that cross it
/// in each direction are counted. A test puts it between a peer and a WebSocket server to see
/// what is really on the wire, e.g. that a compressible message travels in far fewer bytes than
/// its payload when permessage-deflate is in effect. A byte is counted before it is forwarded,
/// so once the far side has received something, the count includes it.
/// </summary>
public sealed class CountingTcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly List<Task> _connections = [];
    private readonly List<Socket> _sockets = [];
    private readonly Task _acceptLoop;
    private long _clientToServer;
    private long _serverToClient;
    private int _accepted;

    private CountingTcpRelay(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The port the relay listens on.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Bytes the clients sent towards the target so far (handshakes included).</summary>
    public long ClientToServerBytes => Interlocked.Read(ref _clientToServer);

    /// <summary>Bytes the target sent back towards the clients so far (handshakes included).</summary>
    public long ServerToClientBytes => Interlocked.Read(ref _serverToClient);

    /// <summary>How many connections the relay accepted.</summary>
    public int AcceptedConnections => Volatile.Read(ref _accepted);

    /// <summary>Starts a relay to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public static CountingTcpRelay Start(int targetPort) => new(targetPort);

    /// <summary>ws://127.0.0.1:relay-port + path</summary>
    public Uri WebSocketUri(string path) => new($"ws://127.0.0.1:{Port}{path}");

    /// <summary>Both counters at once.</summary>
    public WireBytes Snapshot() => new(ClientToServerBytes, ServerToClientBytes);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        Task[] connections;
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            connections = [.. _connections];
        }

        try
        {
            await Task.WhenAll([_acceptLoop, .. connections]).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // a connection did not notice its sockets closing; nothing is left to clean up
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _accepted);
                lock (_gate)
                {
                    _sockets.Add(client);
                    _connections.Add(RelayAsync(client));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        lock (_gate)
        {
            _sockets.Add(server);
        }

        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            connectTimeout.CancelAfter(InteropTimeouts.Step);
            await server.ConnectAsync(_target, connectTimeout.Token).ConfigureAwait(false);
            await Task.WhenAll(
                PumpAsync(client, server, toServer: true),
                PumpAsync(server, client, toServer: false)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // the target refused or the relay is stopping
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool toServer)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    // Pass the half-close on: the other side sees the end of the stream too.
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (toServer)
                {
                    Interlocked.Add(ref _clientToServer, read);
                }
                else
                {
                    Interlocked.Add(ref _serverToClient, read);
                }

                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // A reset on one side: reset the other too, as a direct connection would have seen it.
            try
            {
                to.Close(0);
                from.Close(0);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}

/// <summary>Bytes that crossed a <see cref="CountingTcpRelay"/> in each direction.</summary>
public readonly record struct WireBytes(long ClientToServer, long ServerToClient)
{
    public static WireBytes operator -(WireBytes after, WireBytes before) =>
        new(after.ClientToServer - before.ClientToServer, after.ServerToClient - before.ServerToClient);

    public static WireBytes Subtract(WireBytes after, WireBytes before) => after - before;
}
