using System.Collections.Concurrent;
using Duplex.Cli.Bench.Sessions;
using Microsoft.AspNetCore.SignalR;

namespace SignalRAnchor;

/// <summary>
/// The hub duplex bench sessions drives with SignalR's client: each connection is a push target
/// (called on <c>Down(string)</c>), and what it sends with <c>Up(string)</c> is recorded on arrival.
/// </summary>
internal sealed class BenchHub(BenchState state) : Hub
{
    public override Task OnConnectedAsync()
    {
        state.Connected(Context.ConnectionId, Clients.Caller);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        state.Disconnected(Context.ConnectionId);
        return Task.CompletedTask;
    }

    /// <summary>A client's stamped message.</summary>
    public void Up(string text) => state.Arrivals.Record(Context.ConnectionId, text.AsSpan());
}

/// <summary>The connections and what they sent, shared by the hub and the control requests.</summary>
internal sealed class BenchState
{
    private readonly ConcurrentDictionary<string, ConnectionTarget> _connections = new(StringComparer.Ordinal);

    public ArrivalLog Arrivals { get; } = new();

    public int Count => _connections.Count;

    public IReadOnlyList<IPushTarget> Targets() => [.. _connections.Values];

    public void Connected(string id, ISingleClientProxy proxy) => _connections[id] = new ConnectionTarget(proxy);

    public void Disconnected(string id) => _connections.TryRemove(id, out _);

    /// <summary>One connection as a push target: its own numbering, sends through its client proxy.</summary>
    private sealed class ConnectionTarget(ISingleClientProxy proxy) : IPushTarget
    {
        private long _sequence;

        public long NextSequence() => ++_sequence;

        public ValueTask SendAsync(string text, CancellationToken cancellationToken) =>
            new(proxy.SendAsync("Down", text, cancellationToken));
    }
}
