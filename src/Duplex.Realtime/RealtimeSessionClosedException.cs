namespace Duplex.Realtime;

/// <summary>A send on a session that is over.</summary>
public sealed class RealtimeSessionClosedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public RealtimeSessionClosedException()
        : this(null)
    {
    }

    /// <summary>Creates the exception for a session closed for <paramref name="reason"/>.</summary>
    public RealtimeSessionClosedException(string? reason)
        : base(reason is null ? "The session is closed." : $"The session is closed ({reason}).")
    {
        Reason = reason;
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public RealtimeSessionClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the session closed (docs/PROTOCOL.md §5), when known.</summary>
    public string? Reason { get; }
}
