using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Duplex.Realtime.Channels;

namespace Duplex.Realtime;

/// <summary>
/// A subscription of a <see cref="RealtimeClient"/> to a channel: its cursor (the last publication
/// received) and its events in order. It survives reconnects (the session keeps it) and session
/// losses (the client subscribes again from the cursor, docs/PROTOCOL.md §10.2); a publication at or
/// before the cursor is dropped, so none comes twice. Unread events are bounded
/// (<see cref="RealtimeClientOptions.MaxUnreadChannelEvents"/>): while the buffer is full the client
/// reads nothing more from its transport, as for messages, and the server's slow-subscriber policy applies.
/// </summary>
public sealed class RealtimeSubscription
{
    private readonly RealtimeClient _client;
    private readonly Channel<ChannelEvent> _events;

    internal RealtimeSubscription(RealtimeClient client, string channel, RealtimeSubscribeOptions options, byte[]? info, int capacity)
    {
        _client = client;
        Channel = channel;
        Options = options;
        Info = info;
        _events = System.Threading.Channels.Channel.CreateBounded<ChannelEvent>(new BoundedChannelOptions(capacity));
    }

    /// <summary>The channel.</summary>
    public string Channel { get; }

    /// <summary>The channel's epoch as last told (null until subscribed).</summary>
    public string? Epoch
    {
        get
        {
            lock (Gate)
            {
                return CursorEpoch;
            }
        }
    }

    /// <summary>The number of the last publication received (or skipped as announced) in <see cref="Epoch"/>: the cursor.</summary>
    public long LastSequence
    {
        get
        {
            lock (Gate)
            {
                return CursorSequence;
            }
        }
    }

    /// <summary>The cursor (<see cref="Epoch"/>, <see cref="LastSequence"/>), null until subscribed: what a later subscription can resume from.</summary>
    public ChannelCursor? Cursor
    {
        get
        {
            lock (Gate)
            {
                return CursorEpoch is { } epoch ? new ChannelCursor(epoch, CursorSequence) : null;
            }
        }
    }

    /// <summary>Whether the subscription is still on (not unsubscribed, ended by the server, or closed with the client).</summary>
    public bool IsActive
    {
        get
        {
            lock (Gate)
            {
                return !Ended;
            }
        }
    }

    internal RealtimeSubscribeOptions Options { get; }

    internal byte[]? Info { get; }

    internal Lock Gate { get; } = new();

    /// <summary>The order subscriptions were made in (they are made again in it).</summary>
    internal long Number { get; init; }

    internal string? CursorEpoch { get; set; }

    internal long CursorSequence { get; set; }

    internal bool Ended { get; set; }

    internal ChannelWriter<ChannelEvent> Writer => _events.Writer;

    private ChannelEvent? _finalEvent;

    /// <summary>The subscription's events in order (the first is its <see cref="ChannelEventKind.Subscribed"/>), until it ends.</summary>
    public async IAsyncEnumerable<ChannelEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _events.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_events.Reader.TryRead(out ChannelEvent? next))
            {
                yield return next;
            }
        }

        if (Interlocked.Exchange(ref _finalEvent, null) is { } end)
        {
            yield return end;
        }
    }

    /// <summary>The end event when the buffer was full as the subscription ended: given after the buffered ones.</summary>
    internal ChannelEvent? FinalEvent
    {
        get => Volatile.Read(ref _finalEvent);
        set => Volatile.Write(ref _finalEvent, value);
    }

    /// <summary>Who is in the channel now (<c>presence</c>).</summary>
    public ValueTask<IReadOnlyList<ChannelMember>> GetPresenceAsync(CancellationToken cancellationToken = default) =>
        _client.GetPresenceAsync(Channel, cancellationToken);

    /// <summary>Ends the subscription (<c>unsub</c>, answered <c>ok</c>); its events end with <see cref="ChannelEventKind.Unsubscribed"/>.</summary>
    public ValueTask UnsubscribeAsync(CancellationToken cancellationToken = default) => _client.UnsubscribeAsync(this, cancellationToken);
}
