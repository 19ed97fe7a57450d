using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Duplex.Realtime.Protocol;
using Duplex.Realtime.Server;
using Duplex.Realtime.Sessions;

namespace Duplex.Realtime;

/// <summary>
/// One session on the server: the logical connection to one client, carried by one transport
/// at a time (WebSocket, Server-Sent Events, long or short polling) and outliving each of them.
/// Messages go both ways in order, each exactly once, across drops and changes of transport
/// (docs/PROTOCOL.md §4): what is sent is kept until the client acknowledges it, and what
/// arrives is delivered once. The API is the same whatever carries the session.
/// </summary>
public sealed class RealtimeSession
{
    private readonly object _gate = new();
    private readonly RealtimeOptions _options;
    private readonly SessionRegistry _registry;
    private readonly SessionOutbox _outbox;
    private readonly SessionInbox _inbox = new();
    private readonly Channel<RealtimeMessage> _received = Channel.CreateUnbounded<RealtimeMessage>();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _heartbeatMs;
    private readonly long _resumeWindowMs;

    // Under _gate:
    private TaskCompletionSource _outbound = NewSignal();
    private TransportLease? _lease;
    private RealtimeSessionState _state = RealtimeSessionState.Disconnected;
    private RealtimeTransport? _lastTransport;
    private long _lastActivityMs;
    private long _detachedAtMs;
    private long _ackTold;
    private string? _closeReason;
    private string? _presenceId;
    private bool _closeTaken;

    internal RealtimeSession(string id, RealtimeOptions options, SessionRegistry registry, IDictionary<string, object?> items)
    {
        Id = id;
        _options = options;
        _registry = registry;
        _outbox = new SessionOutbox(options.MaxQueuedMessages, options.MaxQueuedBytes);
        _heartbeatMs = (long)options.HeartbeatInterval.TotalMilliseconds;
        _resumeWindowMs = (long)options.ResumeWindow.TotalMilliseconds;
        Items = new ConcurrentDictionary<string, object?>(items, StringComparer.Ordinal);
        _lastActivityMs = _detachedAtMs = Environment.TickCount64;
    }

    /// <summary>The session id (docs/PROTOCOL.md §1). It is the session's secret: do not log it.</summary>
    public string Id { get; }

    /// <summary>
    /// The user who opened the session, as the host authenticated its negotiate request (in
    /// ASP.NET Core, <c>HttpContext.User</c>); null on the built-in server. When that user is
    /// authenticated, every later request of the session must be authenticated as the same user
    /// (docs/PROTOCOL.md §7, <c>other-user</c>).
    /// </summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; internal set; }

    /// <summary>What the accept hook attached on negotiate (who the user is, say), and whatever the application keeps here.</summary>
    public IDictionary<string, object?> Items { get; }

    /// <summary>Whether a transport carries the session now, it waits for its client to come back, or it is over.</summary>
    public RealtimeSessionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The transport carrying the session now; null while disconnected or closed.</summary>
    public RealtimeTransport? Transport
    {
        get
        {
            lock (_gate)
            {
                return _state == RealtimeSessionState.Connected ? _lease?.Kind : null;
            }
        }
    }

    /// <summary>Why the session ended (<see cref="RealtimeCloseReasons"/>); null while it lives.</summary>
    public string? CloseReason
    {
        get
        {
            lock (_gate)
            {
                return _closeReason;
            }
        }
    }

    /// <summary>Fires when the session ends, whoever ends it.</summary>
    public CancellationToken Closed => _closing.Token;

    /// <summary>Completes when the session has ended.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Messages sent to the client that it has not acknowledged yet.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _outbox.Count;
            }
        }
    }

    /// <summary>Raised when the transport carrying the session changes (or it drops: the new one is then null).</summary>
    public event EventHandler<RealtimeTransport?>? TransportChanged;

    /// <summary>
    /// Sends a message to the client: numbered, kept until the client acknowledges it, and
    /// delivered once in order whatever happens to the transport (it waits while disconnected).
    /// The data is copied. Never waits: past <see cref="RealtimeOptions.MaxQueuedMessages"/> or
    /// <see cref="RealtimeOptions.MaxQueuedBytes"/> unacknowledged, the session closes with
    /// <see cref="RealtimeCloseReasons.QueueFull"/> and this throws.
    /// </summary>
    /// <exception cref="RealtimeSessionClosedException">The session is over (or this send crossed a bound and ended it).</exception>
    /// <exception cref="ArgumentException">Text that is not valid UTF-8, a message over <see cref="RealtimeOptions.MaxMessageBytes"/>, or a type other than text or binary.</exception>
    public ValueTask SendAsync(MessageType type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (type is not (MessageType.Text or MessageType.Binary))
        {
            throw new ArgumentException("A session message is text or binary.", nameof(type));
        }

        if (data.Length > _options.MaxMessageBytes)
        {
            throw new ArgumentException($"A message is at most {_options.MaxMessageBytes} bytes (RealtimeOptions.MaxMessageBytes).", nameof(data));
        }

        if (type == MessageType.Text && !System.Text.Unicode.Utf8.IsValid(data.Span))
        {
            throw new ArgumentException("Text must be valid UTF-8.", nameof(data));
        }

        cancellationToken.ThrowIfCancellationRequested();
        byte[] copy = data.ToArray();
        bool full;
        lock (_gate)
        {
            if (_state == RealtimeSessionState.Closed)
            {
                throw new RealtimeSessionClosedException(_closeReason);
            }

            full = !_outbox.TryAdd(type, copy, out _);
            if (!full)
            {
                Pulse();
            }
        }

        if (full)
        {
            Close(RealtimeCloseReasons.QueueFull);
            throw new RealtimeSessionClosedException(RealtimeCloseReasons.QueueFull);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Sends a text message.</summary>
    public ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(MessageType.Text, Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <summary>Sends a binary message (the data is copied).</summary>
    public ValueTask SendBinaryAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendAsync(MessageType.Binary, data, cancellationToken);

    /// <summary>The session's id in channel presence (docs/PROTOCOL.md §10.1): random, not the session id (which is a secret).</summary>
    internal string PresenceId
    {
        get
        {
            if (_presenceId is null)
            {
                Interlocked.CompareExchange(ref _presenceId, Channels.ChannelEpoch.New(), null);
            }

            return _presenceId;
        }
    }

    /// <summary>The highest of its numbers the client has acknowledged.</summary>
    internal long Acknowledged
    {
        get
        {
            lock (_gate)
            {
                return _outbox.Acknowledged;
            }
        }
    }

    /// <summary>The channel layer's state of this session (its subscriptions, its queue of requests), once it used channels.</summary>
    internal object? ChannelState { get; set; }

    /// <summary>
    /// Queues a channel envelope (the JSON object of its fields, shared, not copied) for the
    /// client, numbered with the messages. False when the session is over; past a queue bound
    /// the session closes with <see cref="RealtimeCloseReasons.QueueFull"/> (and this is false).
    /// </summary>
    internal bool TrySendChannel(ReadOnlyMemory<byte> fields) => TrySendChannel(fields, out _);

    /// <summary>As <see cref="TrySendChannel(ReadOnlyMemory{byte})"/>, saying the number the envelope got.</summary>
    internal bool TrySendChannel(ReadOnlyMemory<byte> fields, out long sequence)
    {
        bool full;
        sequence = 0;
        lock (_gate)
        {
            if (_state == RealtimeSessionState.Closed)
            {
                return false;
            }

            full = !_outbox.TryAdd(EnvelopeType.Channel, MessageType.Text, fields, out sequence);
            if (!full)
            {
                Pulse();
            }
        }

        if (full)
        {
            Close(RealtimeCloseReasons.QueueFull);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Receives the next message from the client; once the session is over and every message it
    /// received has been read, a message of type <see cref="MessageType.Close"/> (and again on
    /// every later call). A message waiting is returned even when <paramref name="cancellationToken"/>
    /// has fired (the handler's token fires when the session ends): the client was told it arrived,
    /// so it is the application's; the token only stops a wait.
    /// </summary>
    public async ValueTask<RealtimeMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        if (_received.Reader.TryRead(out RealtimeMessage waiting))
        {
            return waiting;
        }

        if (_received.Reader.Completion.IsCompleted)
        {
            return new RealtimeMessage(MessageType.Close, ReadOnlyMemory<byte>.Empty);
        }

        while (await _received.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_received.Reader.TryRead(out RealtimeMessage message))
            {
                return message;
            }
        }

        return new RealtimeMessage(MessageType.Close, ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>The client's messages as they arrive, until the session ends (the close itself is not yielded).</summary>
    public async IAsyncEnumerable<RealtimeMessage> ReadMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            RealtimeMessage message = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (message.IsClose)
            {
                yield break;
            }

            yield return message;
        }
    }

    /// <summary>
    /// Ends the session: the client is told (<c>c</c> with <paramref name="reason"/>, default
    /// <see cref="RealtimeCloseReasons.Closed"/>) on its transport if it has one, after the
    /// messages sent before it that the transport has not carried yet (so a "bye" then a close
    /// arrives as both); and the id is refused from now on. A client without a transport at that
    /// moment learns of the end when it comes back (its messages not yet received are then lost).
    /// </summary>
    public ValueTask CloseAsync(string? reason = null)
    {
        Close(reason ?? RealtimeCloseReasons.Closed);
        return ValueTask.CompletedTask;
    }

    /// <summary>Ends the session (see <see cref="CloseAsync"/>); idempotent.</summary>
    internal void Close(string reason)
    {
        lock (_gate)
        {
            if (_state == RealtimeSessionState.Closed)
            {
                return;
            }

            _state = RealtimeSessionState.Closed;
            _closeReason = reason;
            Pulse();
        }

        _received.Writer.TryComplete();
        _registry.OnEnded(this);
        try
        {
            _closing.Cancel();
        }
        catch (AggregateException)
        {
            // A callback registered by the application threw; the session is closed regardless.
        }

        _completion.TrySetResult();
    }

    /// <summary>
    /// Attaches a new transport connection that has received up to <paramref name="ack"/>
    /// (docs/PROTOCOL.md §4): the previous one is dropped (replaced), messages up to the ack are
    /// forgotten, and the next ones go on the new lease. Returns the <c>o</c> envelope to send first.
    /// </summary>
    internal AttachResult Attach(RealtimeTransport kind, long ack, out TransportLease? lease, out Envelope open)
    {
        lease = null;
        open = default;
        TransportLease? replaced;
        bool changed;
        lock (_gate)
        {
            if (_state == RealtimeSessionState.Closed)
            {
                return AttachResult.Closed;
            }

            if (!_outbox.Acknowledge(ack))
            {
                return AttachResult.AckOutOfRange;
            }

            replaced = _lease;
            lease = _lease = new TransportLease(kind, ack);
            changed = _state != RealtimeSessionState.Connected || _lastTransport != kind;
            _state = RealtimeSessionState.Connected;
            _lastTransport = kind;
            _lastActivityMs = Environment.TickCount64;
            _ackTold = _inbox.Received;
            open = Envelope.Open(_inbox.Received, _outbox.CountAfter(ack));
            Pulse();
        }

        replaced?.Drop();
        if (changed)
        {
            RaiseTransportChanged(kind);
        }

        return AttachResult.Attached;
    }

    /// <summary>The transport connection of <paramref name="lease"/> ended: if it is still the current one, the session waits for its client to come back.</summary>
    internal void Detach(TransportLease lease)
    {
        bool dropped = false;
        lock (_gate)
        {
            if (ReferenceEquals(_lease, lease))
            {
                _lease = null;
                if (_state == RealtimeSessionState.Connected)
                {
                    _state = RealtimeSessionState.Disconnected;
                    _detachedAtMs = Environment.TickCount64;
                    dropped = true;
                }
            }
        }

        lease.Drop();
        if (dropped)
        {
            RaiseTransportChanged(null);
        }
    }

    /// <summary>Something arrived from the client (a request, a frame): it is alive.</summary>
    internal void MarkActivity()
    {
        lock (_gate)
        {
            _lastActivityMs = Environment.TickCount64;
        }
    }

    /// <summary>
    /// Takes envelopes from the client in order (docs/PROTOCOL.md §4): acknowledgements free
    /// kept messages, each new message is delivered once, retries are dropped. Stops at the first
    /// fault: a gap, an acknowledgement of a message never sent, or a bound crossed (the session then closes).
    /// </summary>
    internal InboundResult Receive(IReadOnlyList<Envelope> envelopes, out long received)
    {
        InboundResult result = InboundResult.Accepted;
        lock (_gate)
        {
            _lastActivityMs = Environment.TickCount64;
            if (_state == RealtimeSessionState.Closed)
            {
                received = _inbox.Received;
                return InboundResult.Closed;
            }

            foreach (Envelope envelope in envelopes)
            {
                if (envelope.Ack is { } ack && !_outbox.Acknowledge(ack))
                {
                    result = InboundResult.AckOutOfRange;
                    break;
                }

                if (!envelope.IsNumbered)
                {
                    continue;
                }

                InboxVerdict verdict = _inbox.Accept(envelope.Sequence);
                if (verdict == InboxVerdict.Gap)
                {
                    result = InboundResult.Gap;
                    break;
                }

                if (verdict == InboxVerdict.Deliver && envelope.Type == EnvelopeType.Channel)
                {
                    // Channel requests go to the channel layer, in order, outside this lock.
                    if (_registry.Channels?.Accept(this, envelope) != true)
                    {
                        result = InboundResult.QueueFull;
                        break;
                    }
                }
                else if (verdict == InboxVerdict.Deliver)
                {
                    if (_received.Reader.Count >= _options.MaxQueuedMessages)
                    {
                        result = InboundResult.QueueFull;
                        break;
                    }

                    _received.Writer.TryWrite(new RealtimeMessage(envelope.PayloadType, envelope.Payload));
                }
            }

            received = _inbox.Received;
            if (_inbox.Received > _ackTold)
            {
                // The WebSocket transport tells the client soon (an acknowledgement is due).
                Pulse();
            }
        }

        if (result == InboundResult.QueueFull)
        {
            Close(RealtimeCloseReasons.QueueFull);
        }

        return result;
    }

    /// <summary>
    /// Waits until something is to be sent on <paramref name="lease"/> (a message it has not
    /// carried, an acknowledgement due, the close), <paramref name="cancellationToken"/> fires (the
    /// caller links it to the lease's <see cref="TransportLease.Dropped"/> and its request), or
    /// <paramref name="timeout"/> passes: true when there is something to send or the wait ended, false on the timeout.
    /// </summary>
    internal async ValueTask<bool> WaitOutboundAsync(TransportLease lease, TimeSpan timeout, bool acknowledgements, CancellationToken cancellationToken)
    {
        Task signal;
        lock (_gate)
        {
            if (lease.IsDropped || _state == RealtimeSessionState.Closed || _outbox.LastSequence > lease.SentUpTo || (acknowledgements && _inbox.Received > _ackTold))
            {
                return true;
            }

            signal = _outbound.Task;
        }

        try
        {
            await signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            // The lease was dropped or the request went away: the caller ends.
            return true;
        }
    }

    /// <summary>Whether there is a message <paramref name="lease"/> has not carried, or the session is over (the close is to be sent).</summary>
    internal bool HasOutbound(TransportLease lease)
    {
        lock (_gate)
        {
            return _state == RealtimeSessionState.Closed || _outbox.LastSequence > lease.SentUpTo;
        }
    }

    /// <summary>The <c>o</c> envelope as things stand now: what the server has received, what waits after what <paramref name="lease"/> carried.</summary>
    internal Envelope OpenNow(TransportLease lease)
    {
        lock (_gate)
        {
            return Envelope.Open(_inbox.Received, _outbox.CountAfter(lease.SentUpTo));
        }
    }

    /// <summary>
    /// Takes what <paramref name="lease"/> should send next, in order, into <paramref name="into"/>:
    /// messages it has not carried (at least one, then up to <paramref name="maxBytes"/> of
    /// payload), with the acknowledgement piggybacked when <paramref name="acknowledgements"/>
    /// (WebSocket); or an acknowledgement alone when one is due; and the close once the session is
    /// over. Returns whether the session is over (the close was added).
    /// </summary>
    internal bool TakeOutbound(TransportLease lease, List<Envelope> into, long maxBytes, bool acknowledgements)
    {
        lock (_gate)
        {
            // Piggybacked only when it says something new: an unchanged acknowledgement on every
            // message costs 6 bytes or more each (",\"a\":0"), a quarter of a small message's framing.
            long? ack = acknowledgements && _inbox.Received > _ackTold ? _inbox.Received : null;
            if (_state == RealtimeSessionState.Closed)
            {
                if (_closeReason is RealtimeCloseReasons.Closed or RealtimeCloseReasons.Shutdown)
                {
                    // What the application sent before it ended the session goes first (a "bye"
                    // then a close arrives as both), on the transport the client has now.
                    foreach (OutboxEntry entry in _outbox.After(lease.SentUpTo))
                    {
                        into.Add(ToEnvelope(entry, ack));
                        lease.SentUpTo = entry.Sequence;
                    }
                }

                into.Add(Envelope.Close(_closeReason));
                _closeTaken = true;
                return true;
            }

            long bytes = 0;
            foreach (OutboxEntry entry in _outbox.After(lease.SentUpTo))
            {
                if (into.Count > 0 && bytes + entry.Payload.Length > maxBytes)
                {
                    break;
                }

                bytes += entry.Payload.Length;
                into.Add(ToEnvelope(entry, ack));
                lease.SentUpTo = entry.Sequence;
            }

            if (acknowledgements && _inbox.Received > _ackTold)
            {
                bool told = into.Exists(e => e.PayloadType == MessageType.Text && e.Ack.HasValue);
                if (!told)
                {
                    into.Add(Envelope.Acknowledge(_inbox.Received));
                }

                _ackTold = _inbox.Received;
            }

            return false;
        }
    }

    /// <summary>
    /// Whether the session ended while no transport took its close envelope (docs/PROTOCOL.md §5:
    /// then the next poll answer carries it), and what that answer says: the highest client
    /// number received, and the reason. A session that never had a transport, expired, or ended
    /// with the server has no client to tell.
    /// </summary>
    internal bool OwesClose(out long received, out string reason, out OutboxEntry[] pending)
    {
        lock (_gate)
        {
            received = _inbox.Received;
            reason = _closeReason ?? RealtimeCloseReasons.Closed;
            bool owes = _state == RealtimeSessionState.Closed && !_closeTaken && _lastTransport is not null
                && reason is not (RealtimeCloseReasons.Expired or RealtimeCloseReasons.Shutdown);
            pending = owes && reason == RealtimeCloseReasons.Closed ? [.. _outbox.After(0)] : [];
            return owes;
        }
    }

    /// <summary>The registry's clock: drops a transport whose client fell silent, expires a session left without one (docs/PROTOCOL.md §5, §6).</summary>
    internal void Tick(long nowMs)
    {
        TransportLease? dead = null;
        bool expired = false;
        lock (_gate)
        {
            if (_state == RealtimeSessionState.Connected && _lease is { Kind: not RealtimeTransport.WebSocket } lease && nowMs - _lastActivityMs > 2 * _heartbeatMs)
            {
                // The WebSocket's own keepalive finds a dead peer; the HTTP transports are alive while requests come.
                dead = lease;
            }
            else if (_state == RealtimeSessionState.Disconnected && nowMs - _detachedAtMs > _resumeWindowMs)
            {
                expired = true;
            }
        }

        if (dead is not null)
        {
            Detach(dead);
        }

        if (expired)
        {
            Close(RealtimeCloseReasons.Expired);
        }
    }

    private void RaiseTransportChanged(RealtimeTransport? transport)
    {
        try
        {
            TransportChanged?.Invoke(this, transport);
        }
#pragma warning disable CA1031 // An application's event handler must not break the transport that raised it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _registry.Log.HandlerFailed(ex, "TransportChanged");
        }
    }

    internal static Envelope ToEnvelope(in OutboxEntry entry, long? ack) =>
        entry.Kind == EnvelopeType.Channel
            ? Envelope.Channel(entry.Sequence, entry.Payload, ack)
            : entry.Type == MessageType.Text && ack.HasValue
            ? Envelope.Message(entry.Sequence, entry.Type, entry.Payload, ack)
            : Envelope.Message(entry.Sequence, entry.Type, entry.Payload);

    /// <summary>Wakes every waiting writer; under the gate.</summary>
    private void Pulse()
    {
        _outbound.TrySetResult();
        _outbound = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
