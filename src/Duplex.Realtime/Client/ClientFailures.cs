namespace Duplex.Realtime.Client;

/// <summary>The server answered 404 or 410 for the session (docs/PROTOCOL.md §5): it is over.</summary>
internal sealed class SessionLostException : Exception
{
    public SessionLostException(string reason)
        : base($"The session is lost ({reason}).")
    {
        Reason = reason;
    }

    public SessionLostException()
        : this("unknown-session")
    {
    }

    public SessionLostException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = "unknown-session";
    }

    /// <summary><c>unknown-session</c>, <c>session-expired</c>, or the reason the server gave.</summary>
    public string Reason { get; }
}

/// <summary>A transport failed to open or dropped; the reason is for the application's events and the log.</summary>
internal sealed class TransportFailedException : IOException
{
    public TransportFailedException(string reason)
        : base(reason)
    {
    }

    public TransportFailedException(string reason, Exception innerException)
        : base(reason, innerException)
    {
    }

    public TransportFailedException()
    {
    }
}
