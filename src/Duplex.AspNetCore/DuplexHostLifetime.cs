using System.Collections.Concurrent;
using Duplex.Protocol.Closing;
using Duplex.Realtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Duplex.AspNetCore;

/// <summary>
/// The live WebSockets and realtime endpoints of the app, so that its stop closes them the way the
/// built-in server's does: handlers' tokens fire, every WebSocket is sent 1001, every session ends
/// with <c>shutdown</c>, all bounded by <see cref="DuplexHostOptions.ShutdownTimeout"/>. This runs
/// in <see cref="StoppingAsync"/>, before any hosted service stops: a WebApplication stops its
/// server first (its GenericWebHostService is the last service added), and Kestrel waits for
/// upgraded connections until its shutdown timeout, then drops them without a close frame.
/// </summary>
internal sealed class DuplexHostLifetime(IOptions<DuplexHostOptions> options) : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<WebSocketConnection, Task> _webSockets = new();
    private readonly ConcurrentBag<RealtimeEndpoint> _endpoints = [];

    public DuplexHostOptions Options => options.Value;

    /// <summary>Fires when the app begins to stop: the token handlers are given.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public void Add(RealtimeEndpoint endpoint) => _endpoints.Add(endpoint);

    public void Add(WebSocketConnection connection, Task handler) => _webSockets[connection] = handler;

    public void Remove(WebSocketConnection connection) => _webSockets.TryRemove(connection, out _);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(Options.ShutdownTimeout);
        var closing = new List<Task>();
        foreach (WebSocketConnection connection in _webSockets.Keys)
        {
            closing.Add(CloseGoingAwayAsync(connection, bound.Token));
        }

        foreach (RealtimeEndpoint endpoint in _endpoints)
        {
            closing.Add(endpoint.DisposeAsync().AsTask());
        }

        closing.AddRange(_webSockets.Values);
        try
        {
            await Task.WhenAll(closing).WaitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Past the bound: what is left is dropped.
        }
        catch (Exception ex) when (ex is IOException or WebSocketClosedException)
        {
            // A peer that went away while being closed.
        }

        foreach (WebSocketConnection connection in _webSockets.Keys)
        {
            connection.Abort();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    private static async Task CloseGoingAwayAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.CloseAsync(CloseStatus.GoingAway, "server stopping", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or WebSocketClosedException or OperationCanceledException or InvalidOperationException)
        {
            // Closed already, or gone.
        }
    }
}
