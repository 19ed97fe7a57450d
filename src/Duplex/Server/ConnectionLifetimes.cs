using System.Collections.Concurrent;

namespace Duplex.Server;

/// <summary>
/// The lifetimes of a server's connections and handlers: how many are open, which HTTP
/// connections and WebSockets to end at shutdown, the runner that keeps a WebSocket handler
/// until it returns, and the shutdown itself.
/// </summary>
internal sealed class ConnectionLifetimes : IDisposable
{
    private readonly ServerContext _server;
    private readonly ConcurrentDictionary<HttpConnection, byte> _http = new();
    private readonly ConcurrentDictionary<WebSocketConnection, byte> _webSockets = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _stopRequested = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connections;
    private int _stopped;

    public ConnectionLifetimes(ServerContext server)
    {
        _server = server;
    }

    /// <summary>Fires once shutdown has given up waiting: what is still open is dropped.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Fires as soon as a stop begins (before anything is drained).</summary>
    public CancellationToken StopRequested => _stopRequested.Token;

    /// <summary>Whether shutdown has begun: no new request is started, and every response closes its connection.</summary>
    public bool IsStopping => Volatile.Read(ref _stopped) != 0;

    public int ConnectionCount => Volatile.Read(ref _connections);

    public int WebSocketCount => _webSockets.Count;

    /// <summary>The HTTP connections open now that hold an input buffer (for tests of memory per idle connection).</summary>
    public int HttpConnectionsHoldingInput
    {
        get
        {
            int count = 0;
            foreach (HttpConnection connection in _http.Keys)
            {
                if (connection.HoldsInputBuffer)
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>The HTTP connections open now (not yet upgraded).</summary>
    public int HttpConnectionCount => _http.Count;

    /// <summary>Counts a new TCP connection; returns how many are open with it.</summary>
    public int Open()
    {
        _server.Diagnostics.Instruments.ConnectionsOpen.Add(1);
        return Interlocked.Increment(ref _connections);
    }

    /// <summary>Counts a TCP connection as released.</summary>
    public void Close()
    {
        _server.Diagnostics.Instruments.ConnectionsOpen.Add(-1);
        if (Interlocked.Decrement(ref _connections) == 0 && IsStopping)
        {
            _drained.TrySetResult();
        }
    }

    public void Add(HttpConnection connection) => _http.TryAdd(connection, 0);

    public void Remove(HttpConnection connection) => _http.TryRemove(connection, out _);

    /// <summary>Tracks a WebSocket accepted by an HTTP handler (not a mapped endpoint), for shutdown.</summary>
    public void Add(WebSocketConnection connection)
    {
        _webSockets.TryAdd(connection, 0);
        if (IsStopping)
        {
            _ = CloseGoingAwayAsync(connection);
        }
    }

    public void Remove(WebSocketConnection connection) => _webSockets.TryRemove(connection, out _);

    /// <summary>
    /// Runs a mapped endpoint's handler on an accepted connection to its end, closes the
    /// connection (1000, or 1011 if the handler threw) and releases it. The HTTP connection that
    /// accepted it has finished by then, so an open WebSocket keeps none of its state.
    /// </summary>
    public async Task RunWebSocketAsync(Stream stream, WebSocketConnection connection, WebSocketEndpoint endpoint)
    {
        _webSockets.TryAdd(connection, 0);
        try
        {
            if (IsStopping)
            {
                await CloseGoingAwayAsync(connection).ConfigureAwait(false);
            }

            await endpoint.Handler(connection, _stopping.Token).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketClosedException or IOException)
        {
            // The server is stopping or the peer went away; the close below finishes the job.
            await CloseQuietlyAsync(connection, CloseStatus.GoingAway).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_server.Diagnostics, ex, endpoint.Path);
            await CloseQuietlyAsync(connection, CloseStatus.InternalServerError).ConfigureAwait(false);
        }
        finally
        {
            _webSockets.TryRemove(connection, out _);
            connection.Abort();
            await ReleaseAsync(stream).ConfigureAwait(false);
        }
    }

    /// <summary>Disposes a connection's stream (a broken one too) and counts it released.</summary>
    public async ValueTask ReleaseAsync(Stream stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Already broken: released either way.
        }

        Close();
    }

    /// <summary>
    /// Shuts down: <paramref name="stopAccepting"/>, then ends every HTTP request in flight (its
    /// token fires; its connection closes after the response) and every idle keep-alive
    /// connection, sends close 1001 to every WebSocket, waits for all to finish (bounded by
    /// <paramref name="timeout"/>) and drops what is left.
    /// </summary>
    public async Task StopAsync(Func<Task> stopAccepting, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _stopRequested.CancelAsync().ConfigureAwait(false);
        await stopAccepting().ConfigureAwait(false);
        foreach (HttpConnection connection in _http.Keys)
        {
            connection.BeginShutdown();
        }

        foreach (WebSocketConnection connection in _webSockets.Keys)
        {
            _ = CloseGoingAwayAsync(connection);
        }

        if (ConnectionCount == 0)
        {
            _drained.TrySetResult();
        }

        try
        {
            await _drained.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (WebSocketConnection connection in _webSockets.Keys)
        {
            connection.Abort();
        }

        foreach (HttpConnection connection in _http.Keys)
        {
            connection.Abort();
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _stopRequested.Dispose();
    }

    private static async Task CloseGoingAwayAsync(WebSocketConnection connection)
    {
        try
        {
            await connection.CloseOutputAsync(CloseStatus.GoingAway, "server shutting down").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            connection.Abort();
        }
    }

    private static async Task CloseQuietlyAsync(WebSocketConnection connection, CloseStatus status)
    {
        try
        {
            if (connection.State is WebSocketConnectionState.Open or WebSocketConnectionState.CloseReceived)
            {
                await connection.CloseAsync(status, null, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
