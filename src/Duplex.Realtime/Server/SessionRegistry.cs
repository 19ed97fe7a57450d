using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Server;

/// <summary>What a session id names.</summary>
internal enum SessionLookup
{
    Live,
    Ended,
    Unknown,
}

/// <summary>
/// The live sessions of one endpoint, the ids of recently ended ones (so they are refused with
/// 410 rather than 404, docs/PROTOCOL.md §5), and the clock that drops silent transports and
/// expires sessions left without one. One timer for all of them.
/// </summary>
internal sealed class SessionRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RealtimeSession> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long EndedMs, string Reason)> _ended = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Id, long EndedMs)> _endedOrder = new();
    private readonly RealtimeOptions _options;
    private readonly Timer _timer;
    private readonly long _endedMemoryMs;
    private readonly UpDownCounter<long> _open;
    private readonly Counter<long> _ends;

    public SessionRegistry(RealtimeOptions options, RealtimeLog log, Meter meter)
    {
        _options = options;
        Log = log;
        _endedMemoryMs = (long)options.EndedSessionMemory.TotalMilliseconds;
        _open = meter.CreateUpDownCounter<long>("duplex.realtime.sessions.open", description: "Realtime sessions alive now");
        _ends = meter.CreateCounter<long>("duplex.realtime.sessions.ended", description: "Realtime sessions ended, tagged with the reason");
        TimeSpan tick = TimeSpan.FromMilliseconds(Math.Clamp(Math.Min(options.HeartbeatInterval.TotalMilliseconds, options.ResumeWindow.TotalMilliseconds) / 4, 10, 1000));
        _timer = new Timer(static state => ((SessionRegistry)state!).Tick(), this, tick, tick);
    }

    public RealtimeLog Log { get; }

    public int Count => _live.Count;

    public IEnumerable<RealtimeSession> Sessions => _live.Values;

    /// <summary>A new session, or null when <see cref="RealtimeOptions.MaxSessions"/> are alive.</summary>
    public RealtimeSession? Create(IDictionary<string, object?> items)
    {
        if (_live.Count >= _options.MaxSessions)
        {
            return null;
        }

        while (true)
        {
            var session = new RealtimeSession(SessionId.New(), _options, this, items);
            if (_live.TryAdd(session.Id, session))
            {
                _open.Add(1);
                Log.SessionOpened(_live.Count);
                return session;
            }
        }
    }

    public SessionLookup Find(string id, out RealtimeSession? session)
    {
        if (_live.TryGetValue(id, out session))
        {
            return SessionLookup.Live;
        }

        return _ended.ContainsKey(id) ? SessionLookup.Ended : SessionLookup.Unknown;
    }

    /// <summary>Why a remembered ended session ended (the 410's <c>reason</c>, docs/PROTOCOL.md §5), or null.</summary>
    public string? EndedReason(string id) => _ended.TryGetValue(id, out (long EndedMs, string Reason) ended) ? ended.Reason : null;

    public bool TryGet(string id, out RealtimeSession? session) => _live.TryGetValue(id, out session);

    /// <summary>A session ended: it leaves the live table, its id is remembered as ended for a while.</summary>
    public void OnEnded(RealtimeSession session)
    {
        if (!_live.TryRemove(session.Id, out _))
        {
            return;
        }

        _open.Add(-1);
        string reason = session.CloseReason ?? RealtimeCloseReasons.Closed;
        _ends.Add(1, new KeyValuePair<string, object?>("reason", reason));
        Log.SessionEnded(reason);
        if (_options.MaxEndedSessionsRemembered > 0 && _endedMemoryMs > 0)
        {
            long now = Environment.TickCount64;
            _ended[session.Id] = (now, reason);
            _endedOrder.Enqueue((session.Id, now));
            Forget(now);
        }
    }

    /// <summary>Ends every session (the server is stopping) and stops the clock.</summary>
    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        foreach (RealtimeSession session in _live.Values)
        {
            session.Close(RealtimeCloseReasons.Shutdown);
        }
    }

    private void Tick()
    {
        long now = Environment.TickCount64;
        foreach (RealtimeSession session in _live.Values)
        {
            session.Tick(now);
        }

        Forget(now);
    }

    /// <summary>Forgets ended ids past their memory, and the oldest ones past the count bound.</summary>
    private void Forget(long now)
    {
        while (_endedOrder.TryPeek(out (string Id, long EndedMs) oldest)
            && (now - oldest.EndedMs > _endedMemoryMs || _endedOrder.Count > _options.MaxEndedSessionsRemembered))
        {
            if (_endedOrder.TryDequeue(out oldest) && _ended.TryGetValue(oldest.Id, out (long EndedMs, string Reason) at) && at.EndedMs == oldest.EndedMs)
            {
                _ended.TryRemove(oldest.Id, out _);
            }
        }
    }
}
