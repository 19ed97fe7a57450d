namespace Duplex.Realtime.Channels;

/// <summary>
/// Channels in this process's memory: the default backplane. Each channel's epoch is new with
/// the process, so a restarted server's channels are told apart from the ones before
/// (subscribers resuming get <c>reset</c>). Listeners are called under the channel's lock, in
/// the order of numbering; they must not block.
/// </summary>
public sealed class InMemoryChannelBackplane : IChannelBackplane
{
    private readonly Dictionary<string, ChannelState> _channels = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Func<string, ChannelLimits> _limits;
    private readonly TimeProvider _clock;
    private readonly int _maxChannels;
    private readonly TimeSpan _keyWindow;

    /// <summary>Creates an empty backplane.</summary>
    /// <param name="limits">The limits of a channel, by its name (default <see cref="ChannelLimits.Default"/>).</param>
    /// <param name="maxChannels">The most channels kept at once (default 100,000): past it, a new channel is refused.</param>
    /// <param name="idempotencyWindow">How long an idempotency key is remembered (default 10 minutes).</param>
    /// <param name="clock">The clock of the history's age limit (default the system's).</param>
    public InMemoryChannelBackplane(Func<string, ChannelLimits>? limits = null, int maxChannels = 100_000, TimeSpan? idempotencyWindow = null, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChannels);
        _limits = limits ?? (_ => ChannelLimits.Default);
        _maxChannels = maxChannels;
        _keyWindow = idempotencyWindow ?? TimeSpan.FromMinutes(10);
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Channels kept now.</summary>
    public int ChannelCount
    {
        get
        {
            lock (_gate)
            {
                return _channels.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<ChannelPublishResult> PublishAsync(string channel, ChannelPublishRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ChannelState state = Get(channel);
        DateTimeOffset now = _clock.GetUtcNow();
        lock (state.Gate)
        {
            if (request.IdempotencyKey is { } key && state.Keys.TryGet(key, now, out long earlier))
            {
                return ValueTask.FromResult(new ChannelPublishResult(state.History.Epoch, earlier, Repeated: true));
            }

            ChannelPublication publication = state.History.Append(request.Type, request.Payload, request.Publisher, now);
            if (request.IdempotencyKey is { } newKey)
            {
                state.Keys.Remember(newKey, publication.Sequence, now);
            }

            foreach (IChannelListener listener in state.Listeners)
            {
                listener.OnPublication(channel, state.History.Epoch, publication);
            }

            return ValueTask.FromResult(new ChannelPublishResult(state.History.Epoch, publication.Sequence, Repeated: false));
        }
    }

    /// <inheritdoc />
    public ValueTask<SubscribePlan> PlanAsync(string channel, ChannelCursor? from, int? latest, CancellationToken cancellationToken = default)
    {
        ChannelState state = Get(channel);
        lock (state.Gate)
        {
            return ValueTask.FromResult(state.History.Plan(from, latest, _clock.GetUtcNow()));
        }
    }

    /// <inheritdoc />
    public ValueTask AttachAsync(string channel, IChannelListener listener, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ChannelState state = Get(channel);
        lock (state.Gate)
        {
            if (!state.Listeners.Contains(listener))
            {
                state.Listeners.Add(listener);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DetachAsync(string channel, IChannelListener listener, CancellationToken cancellationToken = default)
    {
        ChannelState? state = Find(channel);
        if (state is not null)
        {
            lock (state.Gate)
            {
                state.Listeners.Remove(listener);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> JoinAsync(string channel, ChannelMember member, CancellationToken cancellationToken = default)
    {
        ChannelState state = Get(channel);
        lock (state.Gate)
        {
            bool joined = state.Presence.Join(member.Id, member.Info);
            if (joined)
            {
                foreach (IChannelListener listener in state.Listeners)
                {
                    listener.OnPresence(channel, member, joined: true);
                }
            }

            return ValueTask.FromResult(joined);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> LeaveAsync(string channel, string memberId, CancellationToken cancellationToken = default)
    {
        ChannelState? state = Find(channel);
        if (state is null)
        {
            return ValueTask.FromResult(false);
        }

        lock (state.Gate)
        {
            bool left = state.Presence.Leave(memberId);
            if (left)
            {
                foreach (IChannelListener listener in state.Listeners)
                {
                    listener.OnPresence(channel, new ChannelMember(memberId, null), joined: false);
                }
            }

            return ValueTask.FromResult(left);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ChannelMember>> GetMembersAsync(string channel, CancellationToken cancellationToken = default)
    {
        ChannelState? state = Find(channel);
        if (state is null)
        {
            return ValueTask.FromResult<IReadOnlyList<ChannelMember>>([]);
        }

        lock (state.Gate)
        {
            return ValueTask.FromResult(state.Presence.Members());
        }
    }

    /// <summary>Nothing to release: the channels go with the process.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private ChannelState? Find(string channel)
    {
        lock (_gate)
        {
            return _channels.GetValueOrDefault(channel);
        }
    }

    private ChannelState Get(string channel)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        lock (_gate)
        {
            if (_channels.TryGetValue(channel, out ChannelState? state))
            {
                return state;
            }

            if (_channels.Count >= _maxChannels)
            {
                throw new ChannelLimitException($"this server keeps at most {_maxChannels} channels");
            }

            ChannelLimits limits = _limits(channel);
            state = new ChannelState(new ChannelHistory(ChannelEpoch.New(), limits.HistoryCount, limits.HistoryAge), new IdempotencyKeys(10_000, _keyWindow));
            _channels.Add(channel, state);
            return state;
        }
    }

    private sealed class ChannelState(ChannelHistory history, IdempotencyKeys keys)
    {
        public Lock Gate { get; } = new();

        public ChannelHistory History { get; } = history;

        public IdempotencyKeys Keys { get; } = keys;

        public ChannelPresence Presence { get; } = new();

        public List<IChannelListener> Listeners { get; } = [];
    }
}

/// <summary>A backplane's bound was reached (too many channels): the request is refused, nothing else is harmed.</summary>
public sealed class ChannelLimitException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChannelLimitException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ChannelLimitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ChannelLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
