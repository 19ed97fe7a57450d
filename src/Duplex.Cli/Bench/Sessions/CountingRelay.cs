using System.Net;
using Duplex.Cli.Compare.Wire;
using Duplex.Cli.Relay;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// A TCP relay on 127.0.0.1 between the clients and a server, counting what crosses it at the
/// socket: TCP payload bytes each way (HTTP heads and bodies, WebSocket frames, polls,
/// heartbeats; not the TCP/IP headers), connections accepted, and the HTTP requests clients
/// started (each connection followed by a <see cref="WireTracker"/>: every HTTP/1.1 request, an
/// upgrade the last one unless refused, and every HTTP/2 stream opened). The same relay sits in
/// front of every server measured, so every server pays the same extra hop.
/// </summary>
internal sealed class CountingRelay : IAsyncDisposable
{
    private readonly Dictionary<string, long> _closedByKind = new(StringComparer.Ordinal);
    private TcpRelay<WireTracker>? _relay;
    private long _closedBytesUp;
    private long _closedBytesDown;
    private long _closedRequests;

    private CountingRelay()
    {
    }

    /// <summary>Where clients connect.</summary>
    public IPEndPoint EndPoint => _relay!.EndPoint;

    /// <summary>Starts a relay on 127.0.0.1, a free port, to <paramref name="upstream"/>.</summary>
    public static CountingRelay Start(IPEndPoint upstream)
    {
        var relay = new CountingRelay();
        relay._relay = TcpRelay<WireTracker>.Start(upstream, () => new WireTracker(), relay.Closed);
        return relay;
    }

    /// <summary>What has crossed the relay so far (connections still open included).</summary>
    public RelayCounts Snapshot() => _relay!.Read(open =>
    {
        // The closed totals change only in Closed, which the relay runs while no Read does.
        var byKind = new Dictionary<string, long>(_closedByKind, StringComparer.Ordinal);
        long up = _closedBytesUp;
        long down = _closedBytesDown;
        long requests = _closedRequests;
        foreach (WireTracker tracker in open)
        {
            lock (tracker)
            {
                up += tracker.BytesUp;
                down += tracker.BytesDown;
                requests += tracker.Requests;
                AddKinds(tracker, byKind);
            }
        }

        return new RelayCounts(up, down, _relay.Connections, requests, byKind);
    });

    public ValueTask DisposeAsync() => _relay!.DisposeAsync();

    private static void AddKinds(WireTracker tracker, Dictionary<string, long> into)
    {
        foreach ((string kind, long count) in tracker.RequestsByKind)
        {
            into[kind] = into.GetValueOrDefault(kind) + count;
        }
    }

    private void Closed(WireTracker tracker)
    {
        lock (tracker)
        {
            _closedBytesUp += tracker.BytesUp;
            _closedBytesDown += tracker.BytesDown;
            _closedRequests += tracker.Requests;
            AddKinds(tracker, _closedByKind);
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
