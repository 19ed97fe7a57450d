namespace Duplex.Realtime.Sessions;

/// <summary>What <see cref="SessionInbox.Accept"/> says of a numbered message.</summary>
public enum InboxVerdict
{
    /// <summary>The next number: deliver it.</summary>
    Deliver,

    /// <summary>A number already delivered (a retry): drop it silently.</summary>
    Duplicate,

    /// <summary>A number past the next one: messages are missing; a protocol error.</summary>
    Gap,
}

/// <summary>
/// The receiving side's count of a session's messages (docs/PROTOCOL.md §4): each is delivered
/// once, in order; retries are recognised by their numbers. Not thread-safe.
/// </summary>
public sealed class SessionInbox
{
    /// <summary>The highest number received in order (0: none): the acknowledgement to send.</summary>
    public long Received { get; private set; }

    /// <summary>Judges a message's number; <see cref="InboxVerdict.Deliver"/> moves <see cref="Received"/> on.</summary>
    public InboxVerdict Accept(long sequence)
    {
        if (sequence <= Received)
        {
            return InboxVerdict.Duplicate;
        }

        if (sequence != Received + 1)
        {
            return InboxVerdict.Gap;
        }

        Received = sequence;
        return InboxVerdict.Deliver;
    }
}
