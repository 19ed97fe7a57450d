using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Duplex.Cli.Relay;

/// <summary>
/// A TCP relay on 127.0.0.1 between clients and a server that shows every byte crossing it to an
/// observer of the connection it crossed (one <typeparamref name="TObserver"/> per connection
/// accepted), then passes it on unchanged. Each byte is observed before it is passed on, so the
/// order in which an observer sees the two directions is the order in which they crossed.
/// </summary>
internal sealed class TcpRelay<TObserver> : IAsyncDisposable
    where TObserver : class, IRelayObserver
{
    private const int BufferSize = 16 * 1024;

    private readonly Socket _listener;
    private readonly IPEndPoint _upstream;
    private readonly Func<TObserver> _open;
    private readonly Action<TObserver> _closed;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<RelayFlow, byte> _flows = new();
    private readonly object _gate = new();
    private readonly Task _accepting;
    private long _connections;

    private TcpRelay(Socket listener, IPEndPoint upstream, Func<TObserver> open, Action<TObserver> closed)
    {
        _listener = listener;
        _upstream = upstream;
        _open = open;
        _closed = closed;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Connections accepted so far.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>
    /// Starts a relay on 127.0.0.1, a free port, to <paramref name="upstream"/>.
    /// <paramref name="open"/> makes the observer of each connection accepted (called in the order
    /// of acceptance); <paramref name="closed"/> is told when its connection has ended both ways.
    /// </summary>
    public static TcpRelay<TObserver> Start(IPEndPoint upstream, Func<TObserver> open, Action<TObserver> closed)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new TcpRelay<TObserver>(listener, upstream, open, closed);
    }

    /// <summary>
    /// Runs <paramref name="read"/> with the observers of the connections open now, while no
    /// connection can end (the <c>closed</c> callback waits): every connection is either among
    /// them or already told closed. The observers must still be locked to be read.
    /// </summary>
    public T Read<T>(Func<IEnumerable<TObserver>, T> read)
    {
        lock (_gate)
        {
            return read(_flows.Keys.Select(flow => flow.Observer));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        foreach (RelayFlow flow in _flows.Keys)
        {
            flow.Close();
        }

        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            client.NoDelay = true;
            Interlocked.Increment(ref _connections);
            var flow = new RelayFlow(client, new Socket(_upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }, _open());
            _flows[flow] = 0;
            _ = RunFlowAsync(flow);
        }
    }

    private async Task RunFlowAsync(RelayFlow flow)
    {
        try
        {
            await flow.Server.ConnectAsync(_upstream, _stop.Token).ConfigureAwait(false);
            await Task.WhenAll(PumpAsync(flow, flow.Client, flow.Server, up: true), PumpAsync(flow, flow.Server, flow.Client, up: false)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Either end went away, or the relay stops.
        }
        finally
        {
            flow.Close();
            lock (_gate)
            {
                _flows.TryRemove(flow, out _);
                _closed(flow.Observer);
            }
        }
    }

    private async Task PumpAsync(RelayFlow flow, Socket from, Socket to, bool up)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                lock (flow.Observer)
                {
                    if (up)
                    {
                        flow.Observer.Up(buffer.AsSpan(0, read));
                    }
                    else
                    {
                        flow.Observer.Down(buffer.AsSpan(0, read));
                    }
                }

                int sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The other direction or the relay's stop closed the sockets: end both.
            flow.Close();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One client connection, its connection to the server, and what observes them.</summary>
    private sealed class RelayFlow(Socket client, Socket server, TObserver observer)
    {
        private int _closed;

        public Socket Client { get; } = client;

        public Socket Server { get; } = server;

        public TObserver Observer { get; } = observer;

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                Client.Dispose();
                Server.Dispose();
            }
        }
    }
}
