namespace Duplex.Realtime;

/// <summary>Why a session ended: the reasons of docs/PROTOCOL.md §5, as sent in <c>c</c> envelopes.</summary>
public static class RealtimeCloseReasons
{
    /// <summary>The application (or the client) closed it.</summary>
    public const string Closed = "closed";

    /// <summary>A bound on queued messages or bytes was crossed.</summary>
    public const string QueueFull = "queue-full";

    /// <summary>The other side broke the protocol.</summary>
    public const string ProtocolError = "protocol-error";

    /// <summary>The server is stopping.</summary>
    public const string Shutdown = "shutdown";

    /// <summary>No transport came back within the resume window.</summary>
    public const string Expired = "expired";
}
