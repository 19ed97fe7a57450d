using Duplex.Realtime.Channels;

namespace Duplex.Realtime.Client;

/// <summary>What a channel request is.</summary>
internal enum ClientChannelOp
{
    Subscribe,
    Unsubscribe,
    Publish,
    Presence,
}

/// <summary>
/// A channel request waiting for its answer. It outlives the session it was sent in: after a
/// session loss a pending publish is sent again (same key, so published once) and a pending
/// subscribe again, in the new session, before anything else (docs/PROTOCOL.md §10.2).
/// </summary>
internal sealed class ClientChannelRequest(ClientChannelOp op, long id, string channel, byte[] fields)
{
    public ClientChannelOp Op { get; } = op;

    public long Id { get; } = id;

    public string Channel { get; } = channel;

    /// <summary>The request's channel fields, as sent (and sent again after a session loss).</summary>
    public byte[] Fields { get; set; } = fields;

    /// <summary>On a subscribe: the subscription, and the cursor it was sent with.</summary>
    public RealtimeSubscription? Subscription { get; init; }

    public ChannelCursor? From { get; set; }

    /// <summary>A subscribe the client made again after a session loss (its subscription was handed out already).</summary>
    public bool Again { get; init; }

    /// <summary>Completed with the answer: the subscription, a <see cref="ChannelPublishResult"/>, the members, or null for <c>ok</c>.</summary>
    public TaskCompletionSource<object?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
