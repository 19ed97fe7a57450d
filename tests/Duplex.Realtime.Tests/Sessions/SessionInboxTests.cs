using Duplex.Realtime.Sessions;

namespace Duplex.Realtime.Tests.Sessions;

/// <summary>docs/PROTOCOL.md §4: each number delivered once, in order; retries recognised; gaps refused.</summary>
public class SessionInboxTests
{
    [Fact]
    public void The_next_number_is_delivered_and_acknowledged()
    {
        var inbox = new SessionInbox();

        Assert.Equal(InboxVerdict.Deliver, inbox.Accept(1));
        Assert.Equal(InboxVerdict.Deliver, inbox.Accept(2));
        Assert.Equal(2, inbox.Received);
    }

    [Fact]
    public void A_retried_number_is_a_duplicate()
    {
        var inbox = new SessionInbox();
        inbox.Accept(1);
        inbox.Accept(2);

        Assert.Equal(InboxVerdict.Duplicate, inbox.Accept(1));
        Assert.Equal(InboxVerdict.Duplicate, inbox.Accept(2));
        Assert.Equal(2, inbox.Received);
    }

    [Fact]
    public void A_skipped_number_is_a_gap_and_moves_nothing()
    {
        var inbox = new SessionInbox();
        inbox.Accept(1);

        Assert.Equal(InboxVerdict.Gap, inbox.Accept(3));
        Assert.Equal(1, inbox.Received);
        Assert.Equal(InboxVerdict.Deliver, inbox.Accept(2));
    }
}
