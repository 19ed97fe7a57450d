namespace Duplex;

/// <summary>The states of a WebSocket connection after its opening handshake (RFC 6455 §4-§7).</summary>
public enum WebSocketConnectionState
{
    /// <summary>Data flows both ways.</summary>
    Open,

    /// <summary>This end sent a close frame and sends no more data; it still reads until the peer's close.</summary>
    CloseSent,

    /// <summary>The peer sent a close frame; this end answers with its own and then sends nothing.</summary>
    CloseReceived,

    /// <summary>Both close frames were exchanged, or the connection failed or was aborted.</summary>
    Closed,
}
