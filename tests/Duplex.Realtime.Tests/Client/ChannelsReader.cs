using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Client;

/// <summary>A subscription's events read one at a time, each wait bounded.</summary>
internal sealed class ChannelsReader(RealtimeSubscription subscription) : IAsyncDisposable
{
    private readonly IAsyncEnumerator<ChannelEvent> _events = subscription.ReadEventsAsync().GetAsyncEnumerator();

    public RealtimeSubscription Subscription { get; } = subscription;

    public async Task<ChannelEvent> NextAsync(string what)
    {
        Assert.True(await _events.MoveNextAsync().AsTask().Within(what), $"the subscription ended before {what}");
        return _events.Current;
    }

    /// <summary>The next event that is not a join or leave.</summary>
    public async Task<ChannelEvent> NextStreamAsync(string what)
    {
        while (true)
        {
            ChannelEvent next = await NextAsync(what);
            if (next.Kind is not (ChannelEventKind.Join or ChannelEventKind.Leave))
            {
                return next;
            }
        }
    }

    public async Task ExpectPublicationsAsync(long from, long to, string prefix = "p")
    {
        for (long q = from; q <= to; q++)
        {
            ChannelEvent next = await NextStreamAsync($"publication {q}");
            Assert.Equal(ChannelEventKind.Publication, next.Kind);
            Assert.Equal(q, next.Sequence);
            Assert.Equal($"{prefix}{q}", next.Text);
        }
    }

    public ValueTask DisposeAsync() => _events.DisposeAsync();
}
