using Duplex.Realtime.Sessions;

namespace Duplex.Realtime.Tests.Sessions;

/// <summary>docs/PROTOCOL.md §4: messages numbered from 1, kept until acknowledged, bounded.</summary>
public class SessionOutboxTests
{
    private static long Add(SessionOutbox outbox, string text)
    {
        Assert.True(outbox.TryAdd(MessageType.Text, System.Text.Encoding.UTF8.GetBytes(text), out long sequence));
        return sequence;
    }

    [Fact]
    public void Messages_are_numbered_1_2_3_in_order()
    {
        var outbox = new SessionOutbox(10, 1000);

        Assert.Equal([1L, 2L, 3L], new[] { Add(outbox, "a"), Add(outbox, "b"), Add(outbox, "c") });
        Assert.Equal(3, outbox.LastSequence);
        Assert.Equal(3, outbox.Count);
        Assert.Equal(3, outbox.Bytes);
    }

    [Fact]
    public void An_acknowledgement_drops_what_it_covers_and_keeps_the_rest_in_order()
    {
        var outbox = new SessionOutbox(10, 1000);
        Add(outbox, "a");
        Add(outbox, "bb");
        Add(outbox, "ccc");

        Assert.True(outbox.Acknowledge(2));

        Assert.Equal([3L], outbox.After(0).Select(e => e.Sequence));
        Assert.Equal(3, outbox.Bytes);
        Assert.Equal(2, outbox.Acknowledged);
        Assert.Equal(1, outbox.CountAfter(0));
    }

    [Fact]
    public void An_older_acknowledgement_changes_nothing()
    {
        var outbox = new SessionOutbox(10, 1000);
        Add(outbox, "a");
        Add(outbox, "b");
        outbox.Acknowledge(2);

        Assert.True(outbox.Acknowledge(1));
        Assert.Equal(2, outbox.Acknowledged);
        Assert.Equal(0, outbox.Count);
    }

    [Fact]
    public void Acknowledging_a_message_never_sent_is_refused()
    {
        var outbox = new SessionOutbox(10, 1000);
        Add(outbox, "a");

        Assert.False(outbox.Acknowledge(2));
        Assert.False(outbox.Acknowledge(-1));
        Assert.Equal(1, outbox.Count);
    }

    [Fact]
    public void After_a_resume_only_what_the_other_side_lacks_is_sent_again()
    {
        var outbox = new SessionOutbox(10, 1000);
        for (int i = 0; i < 5; i++)
        {
            Add(outbox, "m");
        }

        outbox.Acknowledge(1);

        Assert.Equal([4L, 5L], outbox.After(3).Select(e => e.Sequence));
        Assert.Equal(2, outbox.CountAfter(3));
    }

    [Fact]
    public void The_count_bound_refuses_the_message_that_would_cross_it()
    {
        var outbox = new SessionOutbox(2, 1000);
        Add(outbox, "a");
        Add(outbox, "b");

        Assert.False(outbox.TryAdd(MessageType.Text, "c"u8.ToArray(), out long refused));
        Assert.Equal(0, refused);
        Assert.Equal(2, outbox.LastSequence);

        outbox.Acknowledge(1);
        Assert.Equal(3, Add(outbox, "c"));
    }

    [Fact]
    public void The_byte_bound_refuses_the_message_that_would_cross_it()
    {
        var outbox = new SessionOutbox(100, 5);
        Add(outbox, "abc");

        Assert.False(outbox.TryAdd(MessageType.Binary, new byte[3], out _));
        Assert.True(outbox.TryAdd(MessageType.Binary, new byte[2], out _));
    }
}
