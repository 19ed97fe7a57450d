namespace Duplex.Realtime.Channels;

/// <summary>
/// Where channels live: their numbering, history, idempotency keys and presence, shared by
/// every server that uses the same backplane. The in-memory one (<see cref="InMemoryChannelBackplane"/>)
/// is the default and serves one process; a backplane for several servers (Redis, say)
/// implements the same contract. Each server attaches a listener to the channels its sessions
/// use and fans publications out to them itself.
/// </summary>
/// <remarks>
/// A backplane may lose or repeat deliveries (a broker restart, a reconnect): the server keeps,
/// per subscriber, the last number it gave and reports a jump as a <c>gap</c> and drops a
/// repeat, so a lossy backplane shows up as an announced gap, never as a silent one.
/// </remarks>
public interface IChannelBackplane : IAsyncDisposable
{
    /// <summary>
    /// Numbers and keeps a publication and delivers it to every listener of the channel, or,
    /// when <see cref="ChannelPublishRequest.IdempotencyKey"/> was seen within the window,
    /// returns the number it got then without publishing again.
    /// </summary>
    ValueTask<ChannelPublishResult> PublishAsync(string channel, ChannelPublishRequest request, CancellationToken cancellationToken = default);

    /// <summary>Plans a subscription from <paramref name="from"/> (see <see cref="ChannelHistory.Plan"/>).</summary>
    ValueTask<SubscribePlan> PlanAsync(string channel, ChannelCursor? from, int? latest, CancellationToken cancellationToken = default);

    /// <summary>Starts delivering the channel's publications and presence changes to <paramref name="listener"/>.</summary>
    ValueTask AttachAsync(string channel, IChannelListener listener, CancellationToken cancellationToken = default);

    /// <summary>Stops delivering to <paramref name="listener"/>.</summary>
    ValueTask DetachAsync(string channel, IChannelListener listener, CancellationToken cancellationToken = default);

    /// <summary>Adds (or updates) a member; true when it was not one (its join is delivered to the listeners).</summary>
    ValueTask<bool> JoinAsync(string channel, ChannelMember member, CancellationToken cancellationToken = default);

    /// <summary>Removes a member; true when it was one (its leave is delivered to the listeners).</summary>
    ValueTask<bool> LeaveAsync(string channel, string memberId, CancellationToken cancellationToken = default);

    /// <summary>The channel's members now.</summary>
    ValueTask<IReadOnlyList<ChannelMember>> GetMembersAsync(string channel, CancellationToken cancellationToken = default);
}

/// <summary>Receives one channel's publications and presence changes from a backplane, in the order it numbered them.</summary>
public interface IChannelListener
{
    /// <summary>A publication of <paramref name="channel"/> in <paramref name="epoch"/>.</summary>
    void OnPublication(string channel, string epoch, ChannelPublication publication);

    /// <summary>A member joined (<paramref name="joined"/>) or left.</summary>
    void OnPresence(string channel, ChannelMember member, bool joined);
}

/// <summary>A publication to be numbered.</summary>
/// <param name="Type">Text or binary.</param>
/// <param name="Payload">The bytes (the backplane keeps them as they are: the caller does not reuse them).</param>
/// <param name="Publisher">The publisher's presence id, or null for server code.</param>
/// <param name="IdempotencyKey">The publisher's key, or null (server code publishing once).</param>
public sealed record ChannelPublishRequest(MessageType Type, ReadOnlyMemory<byte> Payload, string? Publisher, string? IdempotencyKey);

/// <summary>What a publish got: its number in the channel's epoch, and whether it was a repeat of a key already published.</summary>
/// <param name="Epoch">The channel's epoch.</param>
/// <param name="Sequence">The publication's number.</param>
/// <param name="Repeated">True when the key was seen before: nothing new was published.</param>
public readonly record struct ChannelPublishResult(string Epoch, long Sequence, bool Repeated);
