using System.Collections.Concurrent;

namespace Duplex.Realtime.Channels;

/// <summary>
/// One channel as this server sees it: its listener on the backplane and this server's
/// subscriptions to it. A publication's envelope fields are encoded once here and shared by every
/// subscriber (docs/DESIGN: a broadcast is built once).
/// </summary>
internal sealed class LocalChannel(string name) : IChannelListener
{
    private readonly ConcurrentDictionary<ChannelSubscription, byte> _subscriptions = new();

    public string Name { get; } = name;

    /// <summary>Completes once the backplane delivers to this listener; set by the first subscriber.</summary>
    public Task? Attached { get; set; }

    /// <summary>Subscriptions counted in (under the hub's lock).</summary>
    public int References { get; set; }

    public int Count => _subscriptions.Count;

    public void Add(ChannelSubscription subscription) => _subscriptions.TryAdd(subscription, 0);

    public void Remove(ChannelSubscription subscription) => _subscriptions.TryRemove(subscription, out _);

    public void OnPublication(string channel, string epoch, ChannelPublication publication)
    {
        if (_subscriptions.IsEmpty)
        {
            return;
        }

        byte[] fields = ChannelWire.Publication(channel, epoch, publication);
        foreach (ChannelSubscription subscription in _subscriptions.Keys)
        {
            subscription.Deliver(epoch, publication.Sequence, fields);
        }
    }

    public void OnPresence(string channel, ChannelMember member, bool joined)
    {
        byte[]? fields = null;
        foreach (ChannelSubscription subscription in _subscriptions.Keys)
        {
            if (!string.Equals(subscription.Session.PresenceId, member.Id, StringComparison.Ordinal))
            {
                fields ??= ChannelWire.Joined(channel, member, joined);
                subscription.Notify(fields);
            }
        }
    }
}
