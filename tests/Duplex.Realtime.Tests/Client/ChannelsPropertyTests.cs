using CsCheck;
using Duplex.Cli.Faults;
using Duplex.Realtime.Channels;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Client;

/// <summary>
/// Issue 12's property: whatever the interleaving of publications (server code and another
/// client), connection resets and reconnects (on a random transport), a subscriber's received
/// numbers and announced missing ranges are exactly 1..latest, in order, each once.
/// </summary>
public sealed class ChannelsPropertyTests
{
    private enum Step
    {
        ServerPublishes,
        ClientPublishes,
        Reset,
    }

    [Fact]
    public async Task Random_publications_and_resets_never_skip_duplicate_or_reorder_unannounced()
    {
        await using ClientFixture fixture = await ClientFixture.StartAsync(ClientFixture.FastOptions(), FaultMode.PassThrough);
        int sample = 0;
        Gen<(Step Step, int Count)> step = Gen.Select(Gen.Enum<Step>(), Gen.Int[1, 6]);
        await Gen.Select(Gen.Int[0, RealtimeTransports.All.Count - 1], Gen.Int[0, RealtimeTransports.All.Count - 1], step.Array[1, 12]).SampleAsync(
            async (subscriberTransport, publisherTransport, steps) =>
            {
                string channel = $"property-{Interlocked.Increment(ref sample)}";
                await using var subscriber = new RealtimeClient(fixture.Endpoint, ClientFixture.ClientOptions(RealtimeTransports.All[subscriberTransport]));
                await using var publisher = new RealtimeClient(fixture.Endpoint, ClientFixture.ClientOptions(RealtimeTransports.All[publisherTransport]));
                await subscriber.ConnectAsync().Within("connect the subscriber");
                await publisher.ConnectAsync().Within("connect the publisher");
                RealtimeSubscription subscription = await subscriber.SubscribeAsync(channel).Within("subscribe");

                long latest = 0;
                foreach ((Step kind, int count) in steps)
                {
                    for (int i = 0; i < count && kind != Step.Reset; i++)
                    {
                        ChannelPublishResult result = kind == Step.ServerPublishes
                            ? await fixture.Server.Endpoint.Channels.PublishTextAsync(channel, "s").AsTask().Within("a server publish")
                            : await publisher.PublishTextAsync(channel, "c").Within("a client publish");
                        latest = Math.Max(latest, result.Sequence);
                    }

                    if (kind == Step.Reset)
                    {
                        fixture.Proxy!.ResetAll();
                    }
                }

                // What the subscriber got, until everything up to latest is received or announced missing.
                var seen = new List<long>();
                long covered = 0;
                await using IAsyncEnumerator<ChannelEvent> events = subscription.ReadEventsAsync().GetAsyncEnumerator();
                while (covered < latest || seen.Count == 0)
                {
                    Assert.True(await events.MoveNextAsync().AsTask().Within($"{channel}: events up to {latest} (covered {covered})"));
                    ChannelEvent next = events.Current;
                    (long First, long Last)? missing = next.Kind is ChannelEventKind.Subscribed or ChannelEventKind.Gap ? next.Missing : null;
                    if (next.Kind == ChannelEventKind.Subscribed)
                    {
                        Assert.Equal(SubscribeResult.New, next.Result);
                        seen.Add(0);
                        continue;
                    }

                    if (next.Kind == ChannelEventKind.Publication)
                    {
                        Assert.Equal(covered + 1, next.Sequence);
                        seen.Add(next.Sequence);
                        covered = next.Sequence;
                    }
                    else if (missing is { } range)
                    {
                        Assert.Equal(covered + 1, range.First);
                        covered = range.Last;
                    }
                }

                Assert.Equal(latest, covered);
                Assert.Equal(latest, subscription.LastSequence);
            },
            iter: 12,
            threads: 1);
    }
}
