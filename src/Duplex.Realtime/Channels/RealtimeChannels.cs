using System.Diagnostics.Metrics;
using System.Text;
using Duplex.Realtime.Protocol;
using Duplex.Realtime.Server;

namespace Duplex.Realtime.Channels;

/// <summary>
/// An endpoint's channels (docs/PROTOCOL.md §10): publish/subscribe inside the sessions, with
/// per-channel numbers, history, resume and presence. Sessions use them through <c>ch</c>
/// envelopes; server code publishes and reads presence here (for example a price source
/// publishing from a background service).
/// </summary>
public sealed class RealtimeChannels : IAsyncDisposable
{
    private readonly Dictionary<string, LocalChannel> _local = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly RealtimeChannelOptions _options;
    private readonly RealtimeOptions _sessionOptions;
    private readonly IChannelBackplane _backplane;
    private readonly bool _ownsBackplane;
    private readonly RealtimeLog _log;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _slow;
    private readonly Counter<long> _published;

    internal RealtimeChannels(RealtimeOptions sessionOptions, RealtimeLog log, Meter meter)
    {
        _sessionOptions = sessionOptions;
        _options = sessionOptions.Channels ?? new RealtimeChannelOptions();
        _options.Validate();
        _ownsBackplane = _options.Backplane is null;
        _backplane = _options.Backplane ?? new InMemoryChannelBackplane(_options.LimitsFor);
        _log = log;
        _refusals = meter.CreateCounter<long>("duplex.realtime.channels.refused", description: "Channel requests refused, tagged with the error");
        _slow = meter.CreateCounter<long>("duplex.realtime.channels.slow_subscribers", description: "Times a subscriber fell behind, tagged with the policy applied");
        _published = meter.CreateCounter<long>("duplex.realtime.channels.published", description: "Publications numbered (retries of a key not counted)");
    }

    /// <summary>Where the channels live.</summary>
    public IChannelBackplane Backplane => _backplane;

    /// <summary>Raised (on the publishing thread: keep it short) when a subscriber falls behind and its channel's policy is applied.</summary>
    public event EventHandler<SlowSubscriberEventArgs>? SlowSubscriber;

    /// <summary>Publishes from server code: numbered, kept in history, delivered to every subscriber.</summary>
    /// <param name="channel">A valid channel name (<see cref="ChannelName"/>).</param>
    /// <param name="type">Text or binary.</param>
    /// <param name="data">The payload (copied).</param>
    /// <param name="idempotencyKey">A key making a retry publish once, or null.</param>
    /// <param name="cancellationToken">Cancels the wait on the backplane.</param>
    /// <exception cref="ArgumentException">An invalid name or key, a payload over the message limit, text that is not UTF-8.</exception>
    public ValueTask<ChannelPublishResult> PublishAsync(string channel, MessageType type, ReadOnlyMemory<byte> data, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        if (!ChannelName.IsValid(channel))
        {
            throw new ArgumentException($"'{channel}' is not a channel name (1 to {ChannelName.MaxLength} of A-Z a-z 0-9 _ - . : @ /, not starting with : or /).", nameof(channel));
        }

        if (type is not (MessageType.Text or MessageType.Binary))
        {
            throw new ArgumentException("A publication is text or binary.", nameof(type));
        }

        if (data.Length > _sessionOptions.MaxMessageBytes)
        {
            throw new ArgumentException($"A publication is at most {_sessionOptions.MaxMessageBytes} bytes (RealtimeOptions.MaxMessageBytes).", nameof(data));
        }

        if (type == MessageType.Text && !System.Text.Unicode.Utf8.IsValid(data.Span))
        {
            throw new ArgumentException("Text must be valid UTF-8.", nameof(data));
        }

        if (idempotencyKey is not null && !IdempotencyKeys.IsValid(idempotencyKey))
        {
            throw new ArgumentException("An idempotency key is 1 to 64 printable ASCII characters.", nameof(idempotencyKey));
        }

        return PublishCoreAsync(channel, new ChannelPublishRequest(type, data.ToArray(), null, idempotencyKey), cancellationToken);
    }

    /// <summary>Publishes a text from server code (see <see cref="PublishAsync"/>).</summary>
    public ValueTask<ChannelPublishResult> PublishTextAsync(string channel, string text, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return PublishAsync(channel, MessageType.Text, Encoding.UTF8.GetBytes(text), idempotencyKey, cancellationToken);
    }

    /// <summary>Who is in <paramref name="channel"/> now.</summary>
    public ValueTask<IReadOnlyList<ChannelMember>> GetMembersAsync(string channel, CancellationToken cancellationToken = default) =>
        _backplane.GetMembersAsync(channel, cancellationToken);

    /// <summary>The channels <paramref name="session"/> is subscribed to now.</summary>
    public IReadOnlyList<string> SubscriptionsOf(RealtimeSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.ChannelState is not SessionChannels state)
        {
            return [];
        }

        lock (state)
        {
            return state.Subscriptions.Keys.Order(StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Releases the backplane when the endpoint made it.</summary>
    public ValueTask DisposeAsync() => _ownsBackplane ? _backplane.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>A channel envelope from <paramref name="session"/>'s client, in order (under the session's lock: never blocks). False past the queue bound.</summary>
    internal bool Accept(RealtimeSession session, Envelope envelope)
    {
        SessionChannels state = StateOf(session);
        if (!state.TryQueue(envelope, _sessionOptions.MaxQueuedMessages))
        {
            return false;
        }

        if (state.Worker is null)
        {
            state.Worker = Task.Run(() => RunAsync(session, state));
        }

        return true;
    }

    /// <summary>The session ended: its subscriptions end and it leaves every channel's presence.</summary>
    internal void OnSessionEnded(RealtimeSession session)
    {
        if (session.ChannelState is not SessionChannels state)
        {
            return;
        }

        state.Complete();
        _ = Task.Run(async () =>
        {
            ChannelSubscription[] subscriptions;
            lock (state)
            {
                subscriptions = [.. state.Subscriptions.Values];
                state.Subscriptions.Clear();
            }

            foreach (ChannelSubscription subscription in subscriptions)
            {
                await EndAsync(subscription).ConfigureAwait(false);
            }
        });
    }

    private static SessionChannels StateOf(RealtimeSession session)
    {
        if (session.ChannelState is SessionChannels state)
        {
            return state;
        }

        var created = new SessionChannels();
        session.ChannelState = created;
        return created;
    }

    private async ValueTask<ChannelPublishResult> PublishCoreAsync(string channel, ChannelPublishRequest request, CancellationToken cancellationToken)
    {
        ChannelPublishResult result = await _backplane.PublishAsync(channel, request, cancellationToken).ConfigureAwait(false);
        if (!result.Repeated)
        {
            _published.Add(1);
        }

        return result;
    }

    /// <summary>Handles one session's channel requests one at a time, in the order the client numbered them.</summary>
    private async Task RunAsync(RealtimeSession session, SessionChannels state)
    {
        try
        {
            while (await state.Requests.WaitToReadAsync().ConfigureAwait(false))
            {
                while (state.Requests.TryRead(out Envelope envelope))
                {
                    state.Taken();
                    ChannelRequest? request = ChannelRequest.TryRead(envelope.Payload, _sessionOptions.MaxMessageBytes, out string? error);
                    if (request is null)
                    {
                        _log.ChannelProtocolError(error ?? "malformed");
                        session.Close(RealtimeCloseReasons.ProtocolError);
                        return;
                    }

                    await HandleAsync(session, state, request).ConfigureAwait(false);
                }
            }
        }
#pragma warning disable CA1031 // One session's failure must not take the endpoint down; it is logged and that session ends.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.HandlerFailed(ex, "channels");
            session.Close(RealtimeCloseReasons.ProtocolError);
        }
    }

    private async ValueTask HandleAsync(RealtimeSession session, SessionChannels state, ChannelRequest request)
    {
        if (request.Refusal is { } refusal)
        {
            Refuse(session, request, refusal, refusal == "too-large" ? $"a publication is at most {_sessionOptions.MaxMessageBytes} bytes" : "this server does not know that op");
            return;
        }

        if (!ChannelName.IsValid(request.Channel))
        {
            Refuse(session, request, "invalid-channel", $"a channel name is 1 to {ChannelName.MaxLength} of A-Z a-z 0-9 _ - . : @ /, not starting with : or /");
            return;
        }

        try
        {
            switch (request.Kind)
            {
                case ChannelRequestKind.Subscribe:
                    await SubscribeAsync(session, state, request).ConfigureAwait(false);
                    break;
                case ChannelRequestKind.Unsubscribe:
                    await UnsubscribeAsync(session, state, request).ConfigureAwait(false);
                    break;
                case ChannelRequestKind.Publish:
                    await PublishFromClientAsync(session, request).ConfigureAwait(false);
                    break;
                default:
                    IReadOnlyList<ChannelMember> members = await _backplane.GetMembersAsync(request.Channel).ConfigureAwait(false);
                    session.TrySendChannel(ChannelWire.Presence(request.RequestId, request.Channel, members));
                    break;
            }
        }
        catch (ChannelLimitException limit)
        {
            Refuse(session, request, "too-many-channels", limit.Message);
        }
    }

    private async ValueTask SubscribeAsync(RealtimeSession session, SessionChannels state, ChannelRequest request)
    {
        if (!await AllowedAsync(session, request.Channel, ChannelAccess.Subscribe).ConfigureAwait(false))
        {
            Refuse(session, request, "forbidden", "the application does not allow this session to subscribe here");
            return;
        }

        ChannelSubscription? previous;
        lock (state)
        {
            state.Subscriptions.TryGetValue(request.Channel, out previous);
            if (previous is null && state.Subscriptions.Count >= _options.MaxSubscriptionsPerSession)
            {
                Refuse(session, request, "too-many-subscriptions", $"a session subscribes to at most {_options.MaxSubscriptionsPerSession} channels");
                return;
            }
        }

        if (previous is not null)
        {
            // Subscribing again (a client resuming from a cursor of its own) replaces the subscription.
            await EndAsync(previous, leave: false).ConfigureAwait(false);
        }

        var subscription = new ChannelSubscription(session, request.Channel, _options.LimitsFor(request.Channel), _log, OnSlow);
        lock (state)
        {
            state.Subscriptions[request.Channel] = subscription;
        }

        await AttachAsync(subscription).ConfigureAwait(false);
        await _backplane.JoinAsync(request.Channel, new ChannelMember(session.PresenceId, request.Info)).ConfigureAwait(false);
        SubscribePlan plan = await _backplane.PlanAsync(request.Channel, request.From, request.Latest).ConfigureAwait(false);
        IReadOnlyList<ChannelMember> members = await _backplane.GetMembersAsync(request.Channel).ConfigureAwait(false);
        subscription.Start(request.RequestId, plan, members);
    }

    private async ValueTask UnsubscribeAsync(RealtimeSession session, SessionChannels state, ChannelRequest request)
    {
        ChannelSubscription? subscription;
        lock (state)
        {
            if (state.Subscriptions.Remove(request.Channel, out subscription) is false)
            {
                subscription = null;
            }
        }

        if (subscription is null)
        {
            Refuse(session, request, "not-subscribed", "this session is not subscribed to the channel");
            return;
        }

        await EndAsync(subscription).ConfigureAwait(false);
        session.TrySendChannel(ChannelWire.Ok(request.RequestId, request.Channel));
    }

    private async ValueTask PublishFromClientAsync(RealtimeSession session, ChannelRequest request)
    {
        if (!IdempotencyKeys.IsValid(request.Key))
        {
            Refuse(session, request, "invalid-key", "an idempotency key is 1 to 64 printable ASCII characters");
            return;
        }

        if (!await AllowedAsync(session, request.Channel, ChannelAccess.Publish).ConfigureAwait(false))
        {
            Refuse(session, request, "forbidden", "the application does not allow this session to publish here");
            return;
        }

        if (request.PayloadType == MessageType.Text && !System.Text.Unicode.Utf8.IsValid(request.Payload.Span))
        {
            Refuse(session, request, "invalid-payload", "text must be valid UTF-8");
            return;
        }

        // Keys are the channel's, not the session's: a client that lost its session publishes
        // again from a new one with the same key and is still published once (PROTOCOL §10).
        ChannelPublishResult result = await PublishCoreAsync(request.Channel, new ChannelPublishRequest(request.PayloadType, request.Payload, session.PresenceId, request.Key), CancellationToken.None).ConfigureAwait(false);
        session.TrySendChannel(ChannelWire.Acknowledged(request.RequestId, request.Channel, result.Epoch, result.Sequence));
    }

    private async ValueTask<bool> AllowedAsync(RealtimeSession session, string channel, ChannelAccess access)
    {
        if (_options.Authorize is not { } authorize)
        {
            return true;
        }

        try
        {
            return await authorize(new ChannelAccessContext(session, channel, access)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failing hook refuses (and is logged): it never lets a request through.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.HandlerFailed(ex, "channel authorization");
            return false;
        }
    }

    private async ValueTask AttachAsync(ChannelSubscription subscription)
    {
        LocalChannel local;
        lock (_gate)
        {
            if (!_local.TryGetValue(subscription.Channel, out local!))
            {
                local = new LocalChannel(subscription.Channel);
                _local.Add(subscription.Channel, local);
                local.Attached = _backplane.AttachAsync(subscription.Channel, local).AsTask();
            }

            local.References++;
            local.Add(subscription);
        }

        await local.Attached!.ConfigureAwait(false);
    }

    /// <summary>Ends a subscription: no more deliveries, out of this server's fan-out, and (unless replaced) out of presence.</summary>
    private async ValueTask EndAsync(ChannelSubscription subscription, bool leave = true)
    {
        if (!subscription.End())
        {
            return;
        }

        LocalChannel? detach = null;
        lock (_gate)
        {
            if (_local.TryGetValue(subscription.Channel, out LocalChannel? local))
            {
                local.Remove(subscription);
                if (--local.References == 0)
                {
                    _local.Remove(subscription.Channel);
                    detach = local;
                }
            }
        }

        if (detach is not null)
        {
            await _backplane.DetachAsync(subscription.Channel, detach).ConfigureAwait(false);
        }

        if (leave)
        {
            await _backplane.LeaveAsync(subscription.Channel, subscription.Session.PresenceId).ConfigureAwait(false);
        }
    }

    /// <summary>Called under the subscription's and the channel's locks: counts, logs, raises the event, and for Disconnect ends the subscription later, off those locks.</summary>
    private void OnSlow(ChannelSubscription subscription, int pending)
    {
        SlowSubscriberPolicy policy = subscription.Limits.SlowSubscriberPolicy;
        _slow.Add(1, new KeyValuePair<string, object?>("policy", policy == SlowSubscriberPolicy.Disconnect ? "disconnect" : "skip"));
        _log.SlowSubscriber(subscription.Channel, policy.ToString(), pending);
        try
        {
            SlowSubscriber?.Invoke(this, new SlowSubscriberEventArgs(subscription.Session, subscription.Channel, policy, pending));
        }
#pragma warning disable CA1031 // An application's event handler must not break the fan-out.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.HandlerFailed(ex, "SlowSubscriber");
        }

        if (policy == SlowSubscriberPolicy.Disconnect)
        {
            ThreadPool.UnsafeQueueUserWorkItem(
                static s => _ = s.Hub.DisconnectSlowAsync(s.Subscription),
                (Hub: this, Subscription: subscription),
                preferLocal: false);
        }
    }

    private async Task DisconnectSlowAsync(ChannelSubscription subscription)
    {
        if (subscription.Session.ChannelState is SessionChannels state)
        {
            lock (state)
            {
                if (state.Subscriptions.TryGetValue(subscription.Channel, out ChannelSubscription? current) && ReferenceEquals(current, subscription))
                {
                    state.Subscriptions.Remove(subscription.Channel);
                }
            }
        }

        await EndAsync(subscription).ConfigureAwait(false);
        subscription.Session.TrySendChannel(ChannelWire.Unsubscribed(subscription.Channel, "slow-consumer"));
    }

    private void Refuse(RealtimeSession session, ChannelRequest request, string error, string message)
    {
        _refusals.Add(1, new KeyValuePair<string, object?>("error", error));
        _log.ChannelRefused(error, ChannelName.IsValid(request.Channel) ? request.Channel : "(invalid name)", message);
        session.TrySendChannel(ChannelWire.Refused(request.RequestId, request.Channel, error, message));
    }
}

/// <summary>A subscriber fell behind and its channel's policy was applied.</summary>
public sealed class SlowSubscriberEventArgs(RealtimeSession session, string channel, SlowSubscriberPolicy policy, int pending) : EventArgs
{
    /// <summary>The subscriber's session.</summary>
    public RealtimeSession Session { get; } = session;

    /// <summary>The channel.</summary>
    public string Channel { get; } = channel;

    /// <summary>The policy applied.</summary>
    public SlowSubscriberPolicy Policy { get; } = policy;

    /// <summary>How many messages the session had unacknowledged.</summary>
    public int Pending { get; } = pending;
}
