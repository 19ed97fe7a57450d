namespace Duplex.Realtime.Client;

/// <summary>The server answered 404 or 410 for the session (docs/PROTOCOL.md §5): it is over.</summary>
internal sealed class SessionLostException : Exception
{
    public SessionLostException(string reason, string? closeReason = null)
        : base($"The session is lost ({reason}).")
    {
        Reason = reason;
        CloseReason = closeReason;
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

    /// <summary><c>unknown-session</c> or <c>session-expired</c>.</summary>
    public string Reason { get; }

    /// <summary>The reason a 410 gave for the session's end, when the server knew it.</summary>
    public string? CloseReason { get; }

    /// <summary>
    /// Whether the server ended the session itself (a 410 whose reason is one a <c>c</c> carries:
    /// closed, queue-full, protocol-error, shutdown): its <c>c</c> was missed (a short poll comes
    /// after the close, or the transport was down then), and the client takes the 410 as that <c>c</c>.
    /// </summary>
    public bool ServerClosed => CloseReason is RealtimeCloseReasons.Closed or RealtimeCloseReasons.QueueFull or RealtimeCloseReasons.ProtocolError or RealtimeCloseReasons.Shutdown;
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

    /// <summary>
    /// Whether the failure was no answer at all (the connection reset or closed, a WebSocket
    /// handshake without a status) rather than an answer (a status, a first event that is not
    /// <c>o</c>) or a deadline passing (a gateway that holds responses). A transport that failed
    /// so before another opened is tried again at the next reconnect (docs/PROTOCOL.md §8).
    /// </summary>
    public bool Transient { get; init; }
}
