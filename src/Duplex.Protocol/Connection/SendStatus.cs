namespace Duplex.Protocol.Connection;

/// <summary>What <see cref="WebSocketProtocol"/> answers to a request to send a data frame.</summary>
public enum SendStatus
{
    /// <summary>The frame was written (or may be written).</summary>
    Done,

    /// <summary>
    /// This end sent or received a close frame, or the connection failed: no data frame may
    /// follow (RFC 6455 §5.5.1).
    /// </summary>
    Closing,

    /// <summary>A fragmented message is being sent: a whole message may not start inside it (RFC 6455 §5.4).</summary>
    FragmentedMessageOpen,
}
