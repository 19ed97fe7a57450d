using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// A TCP relay on 127.0.0.1 between the clients and a server, counting what crosses it at the
/// socket: TCP payload bytes each way (HTTP heads and bodies, WebSocket frames, polls,
/// heartbeats; not the TCP/IP headers), connections accepted, and the HTTP requests clients
/// started (<see cref="RequestCounter"/>: every request of a connection until one asks for an
/// upgrade). The same relay sits in front of every server measured, so every server pays the same
/// extra hop.
/// </summary>
internal sealed class CountingRelay : IAsyncDisposable
{
    private const int BufferSize = 16 * 1024;

    private readonly Socket _listener;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<RelayFlow, byte> _flows = new();
    private readonly object _closedGate = new();
    private readonly Dictionary<string, long> _closedByKind = new(StringComparer.Ordinal);
    private readonly Task _accepting;
    private long _bytesUp;
    private long _bytesDown;
    private long _connections;
    private long _closedRequests;

    private CountingRelay(Socket listener, IPEndPoint upstream)
    {
        _listener = listener;
        _upstream = upstream;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Starts a relay on 127.0.0.1, a free port, to <paramref name="upstream"/>.</summary>
    public static CountingRelay Start(IPEndPoint upstream)
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

        return new CountingRelay(listener, upstream);
    }

    /// <summary>What has crossed the relay so far (connections still open included).</summary>
    public RelayCounts Snapshot()
    {
        var byKind = new Dictionary<string, long>(StringComparer.Ordinal);
        long requests;
        lock (_closedGate)
        {
            requests = _closedRequests;
            foreach ((string kind, long count) in _closedByKind)
            {
                byKind[kind] = count;
            }

            foreach (RelayFlow flow in _flows.Keys)
            {
                lock (flow.Requests)
                {
                    requests += flow.Requests.Requests;
                    flow.Requests.AddTo(byKind);
                }
            }
        }

        return new RelayCounts(Interlocked.Read(ref _bytesUp), Interlocked.Read(ref _bytesDown), Interlocked.Read(ref _connections), requests, byKind);
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
            var flow = new RelayFlow(client, new Socket(_upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
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
            lock (_closedGate)
            {
                _flows.TryRemove(flow, out _);
                lock (flow.Requests)
                {
                    _closedRequests += flow.Requests.Requests;
                    flow.Requests.AddTo(_closedByKind);
                }
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

                if (up)
                {
                    Interlocked.Add(ref _bytesUp, read);
                    lock (flow.Requests)
                    {
                        flow.Requests.Feed(buffer.AsSpan(0, read));
                    }
                }
                else
                {
                    Interlocked.Add(ref _bytesDown, read);
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

    /// <summary>One client connection and its connection to the server.</summary>
    private sealed class RelayFlow(Socket client, Socket server)
    {
        private int _closed;

        public Socket Client { get; } = client;

        public Socket Server { get; } = server;

        /// <summary>The client's requests; locked while fed or read.</summary>
        public RequestCounter Requests { get; } = new();

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

/// <summary>What crossed a <see cref="CountingRelay"/> up to a moment; subtract two to get a window.</summary>
internal sealed record RelayCounts(long BytesUp, long BytesDown, long Connections, long Requests, IReadOnlyDictionary<string, long> RequestsByKind)
{
    /// <summary>The counts from <paramref name="start"/> to this.</summary>
    public RelayCounts Since(RelayCounts start)
    {
        var byKind = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach ((string kind, long count) in RequestsByKind)
        {
            long delta = count - start.RequestsByKind.GetValueOrDefault(kind);
            if (delta != 0)
            {
                byKind[kind] = delta;
            }
        }

        return new RelayCounts(BytesUp - start.BytesUp, BytesDown - start.BytesDown, Connections - start.Connections, Requests - start.Requests, byKind);
    }
}
