using System.Net;
using Duplex.Cli.Relay;

namespace Duplex.Cli.Compare.Wire;

/// <summary>
/// A TCP relay on 127.0.0.1 to a server that follows each connection with a
/// <see cref="WireTracker"/>: what <c>duplex compare</c> observes at the socket (bytes, requests,
/// and whether the client sent while a response was in flight).
/// </summary>
internal sealed class WireRelay : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<Slot> _slots = [];
    private readonly Dictionary<WireTracker, Slot> _open = [];
    private TcpRelay<WireTracker>? _relay;

    private WireRelay()
    {
    }

    /// <summary>Where clients connect.</summary>
    public IPEndPoint EndPoint => _relay!.EndPoint;

    /// <summary>Starts a relay on 127.0.0.1, a free port, to <paramref name="upstream"/>.</summary>
    public static WireRelay Start(IPEndPoint upstream)
    {
        var relay = new WireRelay();
        relay._relay = TcpRelay<WireTracker>.Start(upstream, relay.Open, relay.Closed);
        return relay;
    }

    /// <summary>Connections that have ended (their final counts kept).</summary>
    public int ClosedConnections
    {
        get
        {
            lock (_gate)
            {
                return _slots.Count - _open.Count;
            }
        }
    }

    /// <summary>Everything so far, closed connections included.</summary>
    public WireCounts Snapshot()
    {
        var connections = new List<WireConnection>();
        lock (_gate)
        {
            foreach (Slot slot in _slots)
            {
                connections.Add(slot.Final ?? Read(slot.Tracker!));
            }
        }

        return WireCounts.Of(connections);
    }

    public ValueTask DisposeAsync() => _relay!.DisposeAsync();

    private static WireConnection Read(WireTracker tracker)
    {
        lock (tracker)
        {
            return WireConnection.Of(tracker);
        }
    }

    private WireTracker Open()
    {
        var tracker = new WireTracker();
        lock (_gate)
        {
            var slot = new Slot(tracker);
            _slots.Add(slot);
            _open[tracker] = slot;
        }

        return tracker;
    }

    private void Closed(WireTracker tracker)
    {
        lock (_gate)
        {
            if (_open.Remove(tracker, out Slot? slot))
            {
                slot.Final = Read(tracker);
                slot.Tracker = null;
            }
        }
    }

    /// <summary>One connection: its tracker while it is open, its final counts after.</summary>
    private sealed class Slot(WireTracker tracker)
    {
        public WireTracker? Tracker { get; set; } = tracker;

        public WireConnection? Final { get; set; }
    }
}
