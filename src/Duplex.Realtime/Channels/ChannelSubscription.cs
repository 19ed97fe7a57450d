using Duplex.Realtime.Server;

namespace Duplex.Realtime.Channels;

/// <summary>
/// One session's subscription to one channel on this server: it starts pending (live
/// publications are held while its history is looked up), then sends <c>subscribed</c>, the
/// replay and the held ones, and from then on every publication once, in order. It keeps the
/// last number it gave, so a repeat from the backplane is dropped and a jump is announced as a
/// <c>gap</c>; and it applies the slow-subscriber policy.
/// </summary>
internal sealed class ChannelSubscription
{
    private readonly Lock _gate = new();
    private readonly RealtimeLog _log;
    private readonly Action<ChannelSubscription, int> _onSlow;
    private List<(string? Epoch, long Sequence, byte[] Fields)>? _held = [];
    private string _epoch = "";
    private long _last;
    private bool _skipping;
    private long _skipFrom;
    private bool _ended;
    private bool _dropped;

    // The session numbers of the publications this subscription queued that the client has not
    // acknowledged yet: its own backlog, whatever else the session carries (PROTOCOL §10.3).
    private readonly Queue<long> _unacknowledged = new();

    public ChannelSubscription(RealtimeSession session, string channel, ChannelLimits limits, RealtimeLog log, Action<ChannelSubscription, int> onSlow)
    {
        Session = session;
        Channel = channel;
        Limits = limits;
        _log = log;
        _onSlow = onSlow;
    }

    public RealtimeSession Session { get; }

    public string Channel { get; }

    public ChannelLimits Limits { get; }

    public long Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    /// <summary>Goes live: <c>subscribed</c>, the plan's replay, then what arrived meanwhile (each once).</summary>
    public void Start(long requestId, SubscribePlan plan, IReadOnlyList<ChannelMember> members)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            _epoch = plan.Epoch;
            _last = plan.Latest;
            Session.TrySendChannel(ChannelWire.Subscribed(requestId, Channel, plan, members));
            foreach (ChannelPublication publication in plan.Replay)
            {
                Queue(ChannelWire.Publication(Channel, plan.Epoch, publication));
            }

            List<(string? Epoch, long Sequence, byte[] Fields)> held = _held!;
            _held = null;
            foreach ((string? epoch, long sequence, byte[] fields) in held)
            {
                if (epoch is null)
                {
                    Session.TrySendChannel(fields);
                }
                else
                {
                    DeliverLocked(epoch, sequence, fields);
                }
            }
        }
    }

    /// <summary>A publication from the backplane (its fields encoded once for every subscriber).</summary>
    public void Deliver(string epoch, long sequence, byte[] fields)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            if (_held is not null)
            {
                _held.Add((epoch, sequence, fields));
                return;
            }

            DeliverLocked(epoch, sequence, fields);
        }
    }

    /// <summary>A presence change (not numbered: sent as it comes, after whatever is before it).</summary>
    public void Notify(byte[] fields)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            if (_held is not null)
            {
                _held.Add((null, 0, fields));
                return;
            }

            Session.TrySendChannel(fields);
        }
    }

    /// <summary>Ends the subscription (nothing more is sent); true the first time.</summary>
    public bool End()
    {
        lock (_gate)
        {
            bool first = !_ended;
            _ended = true;
            _held = null;
            return first;
        }
    }

    private void DeliverLocked(string epoch, long sequence, byte[] fields)
    {
        if (_dropped || !string.Equals(epoch, _epoch, StringComparison.Ordinal) || sequence <= _last)
        {
            // A repeat, or a stream this subscription does not follow: never delivered twice.
            return;
        }

        int pending = Backlog();
        if (_skipping)
        {
            if (pending > Limits.MaxPendingPerSubscriber / 2)
            {
                _last = sequence;
                return;
            }

            // Caught up: say what was skipped, then go on live.
            _skipping = false;
            Session.TrySendChannel(ChannelWire.Gap(Channel, _epoch, _skipFrom, sequence - 1));
            _last = sequence - 1;
        }
        else if (pending >= Limits.MaxPendingPerSubscriber)
        {
            _onSlow(this, pending);
            if (Limits.SlowSubscriberPolicy == SlowSubscriberPolicy.SkipToLive)
            {
                _skipping = true;
                _skipFrom = sequence;
                _last = sequence;
            }
            else
            {
                // Being disconnected (off this lock): nothing more for it, and the policy is applied once.
                _dropped = true;
            }

            return;
        }

        if (sequence > _last + 1)
        {
            _log.ChannelGap(Channel, _last + 1, sequence - 1);
            Session.TrySendChannel(ChannelWire.Gap(Channel, _epoch, _last + 1, sequence - 1));
        }

        Queue(fields);
        _last = sequence;
    }

    /// <summary>Queues a publication's envelope in the session and remembers its number for the backlog.</summary>
    private void Queue(byte[] fields)
    {
        if (Session.TrySendChannel(fields, out long number))
        {
            _unacknowledged.Enqueue(number);
        }
    }

    /// <summary>How many of this subscription's publications the client has not acknowledged.</summary>
    private int Backlog()
    {
        long acknowledged = Session.Acknowledged;
        while (_unacknowledged.Count > 0 && _unacknowledged.Peek() <= acknowledged)
        {
            _unacknowledged.Dequeue();
        }

        return _unacknowledged.Count;
    }
}
