using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Duplex.Realtime.Channels;
using Duplex.Realtime.Client;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime;

/// <summary>
/// Channels (docs/PROTOCOL.md §10): requests and publications travel as numbered <c>ch</c>
/// envelopes of the session, so reconnects lose nothing; the subscriptions, their cursors and the
/// requests not yet answered live here, outside any one session, and are sent again first when a
/// lost session is replaced (§10.2). The state is guarded by the client's lock (then a
/// subscription's own lock, never the other way round).
/// </summary>
public sealed partial class RealtimeClient
{
    private const int MaxPresenceInfoBytes = 1024;

    /// <summary>The random start of every idempotency key of this client (96 bits), so keys are unique across clients (§10).</summary>
    private readonly string _publisherId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12));
    private readonly Dictionary<string, RealtimeSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, ClientChannelRequest> _requests = [];
    private long _lastRequest;
    private long _lastKey;
    private long _lastSubscription;

    /// <summary>
    /// Subscribes to <paramref name="channel"/> and completes when the server answers
    /// <c>subscribed</c>; the subscription's first event says what follows (new, resumed, gap,
    /// reset). Throws <see cref="RealtimeChannelRefusedException"/> on a refusal (an invalid name,
    /// the server's authorization hook, too many subscriptions), <see cref="InvalidOperationException"/>
    /// when already subscribed to the channel, <see cref="RealtimeSessionClosedException"/> once closed.
    /// Sent while offline, it is queued like a message.
    /// </summary>
    public async ValueTask<RealtimeSubscription> SubscribeAsync(string channel, RealtimeSubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        CheckChannel(channel);
        options ??= new RealtimeSubscribeOptions();
        if (options.History is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.History, "History is a count of publications, 0 or more.");
        }

        if (options.From is { } from && (from.Epoch is null || from.Sequence < 0 || from.Sequence > Envelope.MaxNumber))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "From is an epoch and a publication number (0 to 2^53 - 1).");
        }

        byte[]? info = PresenceInfoBytes(options);
        ClientChannelRequest request = (await EnqueueChannelAsync(
            (r, _) =>
            {
                if (_subscriptions.ContainsKey(channel))
                {
                    throw new InvalidOperationException($"Already subscribed to '{channel}': unsubscribe first.");
                }

                var subscription = new RealtimeSubscription(this, channel, options, info, Options.MaxUnreadChannelEvents) { Number = ++_lastSubscription };
                return new ClientChannelRequest(ClientChannelOp.Subscribe, r, channel, ClientChannelWire.Subscribe(r, channel, options.From, options.History, info))
                {
                    Subscription = subscription,
                    From = options.From,
                };
            },
            cancellationToken).ConfigureAwait(false))!;
        try
        {
            return (RealtimeSubscription)(await request.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (OperationCanceledException)
        {
            // The caller gave up: the subscription is forgotten (what the server sends for it is dropped).
            lock (_gate)
            {
                _requests.Remove(request.Id);
                if (_subscriptions.GetValueOrDefault(channel) == request.Subscription)
                {
                    _subscriptions.Remove(channel);
                }
            }

            throw;
        }
    }

    /// <summary>
    /// Publishes to <paramref name="channel"/> (no subscription needed) and completes when the
    /// server answers <c>ack</c>, with the number it got. Each publication carries an idempotency key
    /// (this client's random id and a counter): when the session is lost before the answer, it is
    /// sent again in the new session with the same key and published once. Queued while offline
    /// like a message. <see cref="ChannelPublishResult.Repeated"/> is always false here (the wire does not tell).
    /// </summary>
    public async ValueTask<ChannelPublishResult> PublishAsync(string channel, MessageType type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        CheckChannel(channel);
        if (type is not (MessageType.Text or MessageType.Binary))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "A publication is text or binary.");
        }

        if (type == MessageType.Text && !System.Text.Unicode.Utf8.IsValid(data.Span))
        {
            throw new ArgumentException("Text must be valid UTF-8.", nameof(data));
        }

        string key = _publisherId + "-" + Interlocked.Increment(ref _lastKey).ToString(System.Globalization.CultureInfo.InvariantCulture);
        ClientChannelRequest request = (await EnqueueChannelAsync(
            (r, session) => data.Length > session.Answer.MaxMessageBytes
                ? throw new ArgumentException($"A publication is at most {session.Answer.MaxMessageBytes} bytes (the server's limit); this one is {data.Length}.", nameof(data))
                : new ClientChannelRequest(ClientChannelOp.Publish, r, channel, ClientChannelWire.Publish(r, channel, key, type, data.Span)),
            cancellationToken).ConfigureAwait(false))!;
        return (ChannelPublishResult)(await request.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Publishes text (UTF-8); see <see cref="PublishAsync"/>.</summary>
    public ValueTask<ChannelPublishResult> PublishTextAsync(string channel, string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return PublishAsync(channel, MessageType.Text, Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    internal async ValueTask<IReadOnlyList<ChannelMember>> GetPresenceAsync(string channel, CancellationToken cancellationToken)
    {
        ClientChannelRequest request = (await EnqueueChannelAsync(
            (r, _) => new ClientChannelRequest(ClientChannelOp.Presence, r, channel, ClientChannelWire.Presence(r, channel)),
            cancellationToken).ConfigureAwait(false))!;
        return (IReadOnlyList<ChannelMember>)(await request.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false))!;
    }

    internal async ValueTask UnsubscribeAsync(RealtimeSubscription subscription, CancellationToken cancellationToken)
    {
        ClientChannelRequest? request;
        try
        {
            request = await EnqueueChannelAsync(
                (r, _) =>
                {
                    lock (subscription.Gate)
                    {
                        if (subscription.Ended || _subscriptions.GetValueOrDefault(subscription.Channel) != subscription)
                        {
                            return null;
                        }
                    }

                    return new ClientChannelRequest(ClientChannelOp.Unsubscribe, r, subscription.Channel, ClientChannelWire.Unsubscribe(r, subscription.Channel)) { Subscription = subscription };
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RealtimeSessionClosedException)
        {
            return;
        }

        if (request is not null)
        {
            await request.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Numbers a channel request in the session's outbox (the same bounds and waits as
    /// <see cref="SendAsync"/>) and keeps it until answered. <paramref name="make"/> runs under the
    /// client's lock with the request id and the session; it may refuse by throwing, or return null
    /// (nothing to send).
    /// </summary>
    private async ValueTask<ClientChannelRequest?> EnqueueChannelAsync(Func<long, ClientSession, ClientChannelRequest?> make, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (SessionToAddTo("using channels", out wait) is { } session)
                {
                    ClientChannelRequest? request = make(_lastRequest + 1, session);
                    if (request is null)
                    {
                        return null;
                    }

                    if (session.TryAdd(EnvelopeType.Channel, MessageType.Text, request.Fields))
                    {
                        _lastRequest = request.Id;
                        _requests[request.Id] = request;
                        Queued(request);
                        return request;
                    }

                    wait = RoomOrRefuse(session);
                }
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What a request changes once queued (under the client's lock).</summary>
    private void Queued(ClientChannelRequest request)
    {
        RealtimeSubscription? subscription = request.Subscription;
        if (subscription is null)
        {
            return;
        }

        if (request.Op == ClientChannelOp.Subscribe)
        {
            _subscriptions[request.Channel] = subscription;
        }
        else if (request.Op == ClientChannelOp.Unsubscribe)
        {
            // From now on its publications are dropped; its events end at the server's ok.
            _subscriptions.Remove(request.Channel);
            lock (subscription.Gate)
            {
                subscription.Ended = true;
            }
        }
    }

    /// <summary>
    /// docs/PROTOCOL.md §10.2, under the client's lock, before <paramref name="session"/> is given to
    /// anyone: every subscription again from its cursor, then the publishes and presence requests not
    /// answered (same ids and keys); an unsubscribe not answered is done (the new session has no subscriptions).
    /// </summary>
    private void RenewChannels(ClientSession session)
    {
        if (_subscriptions.Count == 0 && _requests.Count == 0)
        {
            return;
        }

        List<ClientChannelRequest> unanswered = [.. _requests.Values];
        _requests.Clear();
        foreach (ClientChannelRequest done in unanswered.Where(r => r.Op == ClientChannelOp.Unsubscribe))
        {
            End(done.Subscription!, "unsubscribed");
            done.Answer.TrySetResult(null);
        }

        foreach (RealtimeSubscription subscription in _subscriptions.Values.OrderBy(s => s.Number).ToList())
        {
            ChannelCursor? from = subscription.Cursor ?? subscription.Options.From;
            ClientChannelRequest request = unanswered.FirstOrDefault(r => r.Op == ClientChannelOp.Subscribe && r.Subscription == subscription)
                ?? new ClientChannelRequest(ClientChannelOp.Subscribe, ++_lastRequest, subscription.Channel, []) { Subscription = subscription, Again = true };
            request.From = from;
            request.Fields = ClientChannelWire.Subscribe(request.Id, subscription.Channel, from, subscription.Options.History, subscription.Info);
            if (!Requeue(session, request))
            {
                _subscriptions.Remove(subscription.Channel);
                End(subscription, "outbox-full");
            }
        }

        foreach (ClientChannelRequest request in unanswered.Where(r => r.Op is ClientChannelOp.Publish or ClientChannelOp.Presence))
        {
            Requeue(session, request);
        }
    }

    private bool Requeue(ClientSession session, ClientChannelRequest request)
    {
        if (session.TryAdd(EnvelopeType.Channel, MessageType.Text, request.Fields))
        {
            _requests[request.Id] = request;
            return true;
        }

        request.Answer.TrySetException(new RealtimeOutboxFullException("The new session's outbox is full: the channel request was not sent again."));
        return false;
    }

    /// <summary>The client is closed: every request fails, every subscription ends.</summary>
    private void CloseChannels(string reason)
    {
        List<ClientChannelRequest> requests;
        List<RealtimeSubscription> subscriptions;
        lock (_gate)
        {
            requests = [.. _requests.Values];
            subscriptions = [.. _subscriptions.Values, .. requests.Select(r => r.Subscription).OfType<RealtimeSubscription>()];
            _requests.Clear();
            _subscriptions.Clear();
        }

        foreach (ClientChannelRequest request in requests)
        {
            request.Answer.TrySetException(new RealtimeSessionClosedException(reason));
        }

        foreach (RealtimeSubscription subscription in subscriptions.Distinct())
        {
            End(subscription, reason);
        }
    }

    /// <summary>
    /// Ends a subscription's events with <see cref="ChannelEventKind.Unsubscribed"/>: in its buffer
    /// when there is room, else kept aside and given after the buffered ones, so the reason is
    /// always seen (a slow reader is exactly the one the server ends).
    /// </summary>
    private static void End(RealtimeSubscription subscription, string reason)
    {
        lock (subscription.Gate)
        {
            subscription.Ended = true;
        }

        var end = new ChannelEvent(ChannelEventKind.Unsubscribed, subscription.Channel) { Reason = reason };
        if (!subscription.Writer.TryWrite(end))
        {
            subscription.FinalEvent = end;
        }

        subscription.Writer.TryComplete();
    }

    private static void CheckChannel(string channel)
    {
        if (!ChannelName.IsValid(channel))
        {
            throw new ArgumentException($"'{channel}' is not a channel name (1 to {ChannelName.MaxLength} of A-Z a-z 0-9 _ - . : @ /, not starting with : or /).", nameof(channel));
        }
    }

    private static byte[]? PresenceInfoBytes(RealtimeSubscribeOptions options)
    {
        if (options.PresenceInfo is not null && options.PresenceInfoJson is not null)
        {
            throw new ArgumentException("Set PresenceInfo or PresenceInfoJson, not both.", nameof(options));
        }

        byte[]? info = null;
        if (options.PresenceInfoJson is { } json)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(json);
                info = Encoding.UTF8.GetBytes(document.RootElement.GetRawText());
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"PresenceInfoJson is not JSON: {ex.Message}", nameof(options), ex);
            }
        }
        else if (options.PresenceInfo is { } value)
        {
            info = JsonSerializer.SerializeToUtf8Bytes(value, value.GetType());
        }

        return info is { Length: > MaxPresenceInfoBytes }
            ? throw new ArgumentException($"Presence info is at most {MaxPresenceInfoBytes} bytes encoded; this is {info.Length}.", nameof(options))
            : info;
    }
}
