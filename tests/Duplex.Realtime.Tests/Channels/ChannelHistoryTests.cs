using System.Text;
using CsCheck;
using Duplex.Realtime.Channels;

namespace Duplex.Realtime.Tests.Channels;

public sealed class ChannelHistoryTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    private static ChannelPublication Publish(ChannelHistory history, string text, DateTimeOffset at) =>
        history.Append(MessageType.Text, Encoding.UTF8.GetBytes(text), publisher: null, at);

    [Fact]
    public void Publications_are_numbered_one_two_three_within_the_epoch()
    {
        var history = new ChannelHistory("e1", maxCount: 10, TimeSpan.FromMinutes(1));
        Assert.Equal([1L, 2L, 3L], new[] { "a", "b", "c" }.Select(t => Publish(history, t, s_start).Sequence));
        Assert.Equal(3, history.Latest);
        Assert.Equal(1, history.Oldest);
    }

    [Fact]
    public void A_new_subscriber_gets_the_latest_it_asks_for_and_nothing_without_asking()
    {
        var history = new ChannelHistory("e1", 10, TimeSpan.FromMinutes(1));
        for (int i = 0; i < 5; i++)
        {
            Publish(history, $"m{i}", s_start);
        }

        SubscribePlan none = history.Plan(null, null, s_start);
        Assert.Equal(SubscribeResult.New, none.Result);
        Assert.Empty(none.Replay);
        Assert.Equal(5, none.Latest);

        SubscribePlan two = history.Plan(null, 2, s_start);
        Assert.Equal([4L, 5L], two.Replay.Select(p => p.Sequence));
    }

    [Fact]
    public void A_cursor_still_in_history_resumes_with_exactly_what_followed_it()
    {
        var history = new ChannelHistory("e1", 10, TimeSpan.FromMinutes(1));
        for (int i = 0; i < 6; i++)
        {
            Publish(history, $"m{i}", s_start);
        }

        SubscribePlan plan = history.Plan(new ChannelCursor("e1", 3), null, s_start);
        Assert.Equal(SubscribeResult.Resumed, plan.Result);
        Assert.Equal([4L, 5L, 6L], plan.Replay.Select(p => p.Sequence));

        SubscribePlan upToDate = history.Plan(new ChannelCursor("e1", 6), null, s_start);
        Assert.Equal(SubscribeResult.Resumed, upToDate.Result);
        Assert.Empty(upToDate.Replay);
    }

    [Fact]
    public void History_bounded_by_count_reports_the_range_it_no_longer_holds()
    {
        var history = new ChannelHistory("e1", maxCount: 3, TimeSpan.FromMinutes(1));
        for (int i = 0; i < 10; i++)
        {
            Publish(history, $"m{i}", s_start);
        }

        Assert.Equal(3, history.Count);
        SubscribePlan plan = history.Plan(new ChannelCursor("e1", 2), null, s_start);
        Assert.Equal(SubscribeResult.Gap, plan.Result);
        Assert.Equal((3L, 7L), (plan.MissingFirst, plan.MissingLast));
        Assert.Equal([8L, 9L, 10L], plan.Replay.Select(p => p.Sequence));
    }

    [Fact]
    public void History_bounded_by_age_drops_old_publications_and_says_so()
    {
        var history = new ChannelHistory("e1", maxCount: 100, TimeSpan.FromSeconds(30));
        Publish(history, "old", s_start);
        Publish(history, "older-but-fresh", s_start.AddSeconds(20));
        Publish(history, "new", s_start.AddSeconds(40));

        SubscribePlan plan = history.Plan(new ChannelCursor("e1", 0), null, s_start.AddSeconds(45));
        Assert.Equal(SubscribeResult.Gap, plan.Result);
        Assert.Equal((1L, 1L), (plan.MissingFirst, plan.MissingLast));
        Assert.Equal([2L, 3L], plan.Replay.Select(p => p.Sequence));

        SubscribePlan later = history.Plan(new ChannelCursor("e1", 1), null, s_start.AddMinutes(5));
        Assert.Equal(SubscribeResult.Gap, later.Result);
        Assert.Equal((2L, 3L), (later.MissingFirst, later.MissingLast));
        Assert.Empty(later.Replay);
    }

    [Fact]
    public void A_cursor_of_another_epoch_is_a_reset_with_the_new_streams_history()
    {
        var history = new ChannelHistory("e2", 10, TimeSpan.FromMinutes(1));
        Publish(history, "a", s_start);
        Publish(history, "b", s_start);

        SubscribePlan plan = history.Plan(new ChannelCursor("e1", 40), null, s_start);
        Assert.Equal(SubscribeResult.Reset, plan.Result);
        Assert.Equal("e2", plan.Epoch);
        Assert.Equal([1L, 2L], plan.Replay.Select(p => p.Sequence));

        SubscribePlan limited = history.Plan(new ChannelCursor("e1", 40), 1, s_start);
        Assert.Equal([2L], limited.Replay.Select(p => p.Sequence));
    }

    [Fact]
    public void A_cursor_past_the_end_of_this_epoch_is_not_taken_for_a_position_in_it()
    {
        var history = new ChannelHistory("e1", 10, TimeSpan.FromMinutes(1));
        Publish(history, "a", s_start);
        Assert.Equal(SubscribeResult.Reset, history.Plan(new ChannelCursor("e1", 5), null, s_start).Result);
    }

    [Fact]
    public void No_history_at_all_still_numbers_and_reports_every_missed_publication_as_a_gap()
    {
        var history = new ChannelHistory("e1", maxCount: 0, TimeSpan.FromMinutes(1));
        Publish(history, "a", s_start);
        Publish(history, "b", s_start);
        SubscribePlan plan = history.Plan(new ChannelCursor("e1", 0), null, s_start);
        Assert.Equal(SubscribeResult.Gap, plan.Result);
        Assert.Equal((1L, 2L), (plan.MissingFirst, plan.MissingLast));
    }

    /// <summary>
    /// Random interleavings of publications, time passing, and a subscriber dropping and coming
    /// back: what it receives plus what it is told is missing is exactly 1…latest, once each, in
    /// order — nothing is skipped without being announced, nothing comes twice or out of order.
    /// </summary>
    [Fact]
    public void Resume_never_loses_duplicates_or_reorders_anything_it_does_not_announce()
    {
        Gen<(int Kind, int Amount)> step = Gen.Select(Gen.Int[0, 3], Gen.Int[1, 12]);
        Gen.Select(Gen.Int[0, 20], Gen.Int[1, 120], step.Array[1, 80]).Sample((maxCount, maxAgeSeconds, steps) =>
        {
            var history = new ChannelHistory("e1", maxCount, TimeSpan.FromSeconds(maxAgeSeconds));
            DateTimeOffset now = s_start;
            bool connected = true;
            long cursor = 0;
            var seen = new List<long>();
            var announced = new List<long>();

            void Receive(long sequence)
            {
                Assert.Equal(cursor + 1, sequence);
                seen.Add(sequence);
                cursor = sequence;
            }

            void Reconnect()
            {
                SubscribePlan plan = history.Plan(new ChannelCursor("e1", cursor), null, now);
                Assert.NotEqual(SubscribeResult.Reset, plan.Result);
                if (plan.Result == SubscribeResult.Gap)
                {
                    Assert.Equal(cursor + 1, plan.MissingFirst);
                    for (long s = plan.MissingFirst; s <= plan.MissingLast; s++)
                    {
                        announced.Add(s);
                    }

                    cursor = plan.MissingLast;
                }

                foreach (ChannelPublication p in plan.Replay)
                {
                    Receive(p.Sequence);
                }

                connected = true;
            }

            foreach ((int kind, int amount) in steps)
            {
                switch (kind)
                {
                    case 0 or 1:
                        for (int i = 0; i < amount; i++)
                        {
                            ChannelPublication p = Publish(history, "x", now);
                            if (connected)
                            {
                                Receive(p.Sequence);
                            }
                        }

                        break;
                    case 2:
                        now = now.AddSeconds(amount * 3);
                        break;
                    default:
                        if (connected)
                        {
                            connected = false;
                        }
                        else
                        {
                            Reconnect();
                        }

                        break;
                }
            }

            if (!connected)
            {
                Reconnect();
            }

            Assert.Equal(Enumerable.Range(1, (int)history.Latest).Select(i => (long)i), seen.Concat(announced).Order());
            Assert.Equal(seen.Count, seen.Distinct().Count());
        });
    }
}
