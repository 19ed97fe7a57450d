using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Channels;

/// <summary>One session's channel state: its subscriptions, and its channel requests waiting to be handled in order.</summary>
internal sealed class SessionChannels
{
    private readonly System.Threading.Channels.Channel<Envelope> _requests =
        System.Threading.Channels.Channel.CreateUnbounded<Envelope>(new() { SingleReader = true });

    private int _queued;

    public Dictionary<string, ChannelSubscription> Subscriptions { get; } = new(StringComparer.Ordinal);

    public Task? Worker { get; set; }

    public System.Threading.Channels.ChannelReader<Envelope> Requests => _requests.Reader;

    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Queues a request; false past <paramref name="bound"/> waiting.</summary>
    public bool TryQueue(Envelope envelope, int bound)
    {
        if (Interlocked.Increment(ref _queued) > bound)
        {
            Interlocked.Decrement(ref _queued);
            return false;
        }

        return _requests.Writer.TryWrite(envelope);
    }

    public void Taken() => Interlocked.Decrement(ref _queued);

    public void Complete() => _requests.Writer.TryComplete();
}
