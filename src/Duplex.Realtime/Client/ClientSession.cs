using System.Threading.Channels;
using Duplex.Realtime.Protocol;
using Duplex.Realtime.Sessions;

namespace Duplex.Realtime.Client;

/// <summary>
/// One negotiated session as the client holds it: the outbox of its messages (numbered, kept until
/// acknowledged; the server's box), the inbox count of the server's messages, and the wake-up of
/// whoever sends upstream. Thread-safe: one lock around the boxes. A lost session is replaced by a
/// new instance, so a transport still running for the old one cannot touch the new one.
/// </summary>
internal sealed class ClientSession
{
    private readonly Lock _gate = new();
    private readonly SessionOutbox _outbox;
    private readonly SessionInbox _inbox = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private TaskCompletionSource _room = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _ackSent;
    private long _firstUnackedMs;

    public ClientSession(NegotiateAnswer answer, int? maxOfflineMessages)
    {
        Answer = answer;
        int maxMessages = Math.Min(maxOfflineMessages ?? answer.MaxQueuedMessages, answer.MaxQueuedMessages);
        _outbox = new SessionOutbox(maxMessages, answer.MaxQueuedBytes);
    }

    public NegotiateAnswer Answer { get; }

    public string Id => Answer.Session;

    /// <summary>Messages sent and not acknowledged.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _outbox.Count;
            }
        }
    }

    /// <summary>The highest server number received in order: the acknowledgement to give.</summary>
    public long Received
    {
        get
        {
            lock (_gate)
            {
                return _inbox.Received;
            }
        }
    }

    /// <summary>The highest client number the server acknowledged.</summary>
    public long Acknowledged
    {
        get
        {
            lock (_gate)
            {
                return _outbox.Acknowledged;
            }
        }
    }

    /// <summary>
    /// How long an acknowledgement with nothing to ride on may wait for more messages to cover
    /// (PROTOCOL §4 allows up to a heartbeat interval): a quarter of the interval, at most 250 ms.
    /// Acknowledging every message alone costs a frame each on WebSocket and a POST each on SSE.
    /// </summary>
    public TimeSpan AckDelay => TimeSpan.FromMilliseconds(Math.Min(250, Answer.Heartbeat.TotalMilliseconds / 4));

    /// <summary>How many unacknowledged messages make an acknowledgement go at once (a quarter of the server's queue bound, at most 64).</summary>
    public int AckBurst => Math.Clamp(Answer.MaxQueuedMessages / 4, 1, 64);

    /// <summary>
    /// How long until an acknowledgement alone is due: <see cref="TimeSpan.Zero"/> when it is due
    /// now (the delay passed, or a burst arrived), infinite when nothing is to be acknowledged.
    /// </summary>
    public TimeSpan PureAckWait()
    {
        lock (_gate)
        {
            long unacked = _inbox.Received - _ackSent;
            if (unacked <= 0)
            {
                return Timeout.InfiniteTimeSpan;
            }

            if (unacked >= AckBurst)
            {
                return TimeSpan.Zero;
            }

            double left = AckDelay.TotalMilliseconds - (Environment.TickCount64 - _firstUnackedMs);
            return left <= 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(left);
        }
    }

    /// <summary>Whether messages were received since the last acknowledgement sent.</summary>
    public bool AckDue
    {
        get
        {
            lock (_gate)
            {
                return _inbox.Received > _ackSent;
            }
        }
    }

    /// <summary>Numbers and keeps a message; false when the outbox is full.</summary>
    public bool TryAdd(MessageType type, ReadOnlyMemory<byte> data) => TryAdd(EnvelopeType.Message, type, data);

    /// <summary>Numbers and keeps a message or a channel envelope (its payload the object of its channel fields); false when the outbox is full.</summary>
    public bool TryAdd(EnvelopeType kind, MessageType type, ReadOnlyMemory<byte> data)
    {
        lock (_gate)
        {
            if (!_outbox.TryAdd(kind, type, data, out _))
            {
                return false;
            }
        }

        Wake();
        return true;
    }

    /// <summary>A task that completes at the next acknowledgement (room may have been made).</summary>
    public Task RoomAsync()
    {
        lock (_gate)
        {
            return _room.Task;
        }
    }

    /// <summary>Takes the server's acknowledgement; false when it acknowledges a message never sent (a protocol error).</summary>
    public bool Acknowledge(long ack)
    {
        TaskCompletionSource room;
        lock (_gate)
        {
            if (!_outbox.Acknowledge(ack))
            {
                return false;
            }

            room = _room;
            _room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        room.TrySetResult();
        return true;
    }

    /// <summary>Whether <paramref name="sequence"/> is the next server message (deliver), one seen (duplicate) or past it (gap); nothing moves.</summary>
    public InboxVerdict Judge(long sequence)
    {
        lock (_gate)
        {
            long received = _inbox.Received;
            return sequence <= received ? InboxVerdict.Duplicate : sequence == received + 1 ? InboxVerdict.Deliver : InboxVerdict.Gap;
        }
    }

    /// <summary>Counts a message as received (after it reached the application's buffer) and wakes the upstream to acknowledge it.</summary>
    public void Delivered(long sequence)
    {
        lock (_gate)
        {
            if (_inbox.Received == _ackSent)
            {
                _firstUnackedMs = Environment.TickCount64;
            }

            _inbox.Accept(sequence);
        }

        Wake();
    }

    /// <summary>Notes that an acknowledgement of <paramref name="ack"/> went out.</summary>
    public void AckSent(long ack)
    {
        lock (_gate)
        {
            _ackSent = Math.Max(_ackSent, ack);
        }
    }

    /// <summary>
    /// The kept messages after <paramref name="after"/>, in order, as many as fit in
    /// <paramref name="budgetBytes"/> (at least one) and at most <paramref name="maxCount"/>.
    /// </summary>
    public void Collect(long after, long budgetBytes, int maxCount, List<OutboxEntry> into)
    {
        lock (_gate)
        {
            long used = 0;
            foreach (OutboxEntry entry in _outbox.After(Math.Max(after, _outbox.Acknowledged)))
            {
                // A JSON envelope: base64 for binary (4/3), escapes for text (at most 6 per byte for
                // control characters; taken as 2 here, and the send's own bound is checked below).
                long size = 48 + (entry.Type == MessageType.Binary ? (entry.Payload.Length + 2) / 3 * 4 : entry.Payload.Length * 2L);
                if (into.Count >= maxCount || (into.Count > 0 && used + size > budgetBytes))
                {
                    break;
                }

                used += size;
                into.Add(entry);
            }
        }
    }

    /// <summary>Every kept application message, in order (the never-acknowledged ones when the session is lost); channel envelopes are the channels' own business.</summary>
    public IReadOnlyList<RealtimeMessage> Unacknowledged()
    {
        lock (_gate)
        {
            return _outbox.After(0).Where(e => e.Kind == EnvelopeType.Message).Select(e => new RealtimeMessage(e.Type, e.Payload)).ToList();
        }
    }

    /// <summary>Tells whoever sends upstream that there is something to send.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Waits for a wake-up; false when <paramref name="timeout"/> passed first.</summary>
    public async ValueTask<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_wake.Reader.TryRead(out _))
        {
            return true;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            timer.CancelAfter(timeout);
        }

        try
        {
            await _wake.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
