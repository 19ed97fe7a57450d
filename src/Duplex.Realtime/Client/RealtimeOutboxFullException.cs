namespace Duplex.Realtime;

/// <summary>
/// A send while no transport is up and the client already holds as many unacknowledged messages
/// (or payload bytes) as it may (<see cref="RealtimeClientOptions.MaxOfflineMessages"/>, the
/// server's limits): the message is not queued.
/// </summary>
public sealed class RealtimeOutboxFullException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public RealtimeOutboxFullException()
        : base("The session's outbox is full: too many messages wait for an acknowledgement while no transport is up.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RealtimeOutboxFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public RealtimeOutboxFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
