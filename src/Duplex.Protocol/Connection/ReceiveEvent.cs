namespace Duplex.Protocol.Connection;

/// <summary>What <see cref="WebSocketReceiver.Receive"/> stopped for.</summary>
public enum ReceiveEvent
{
    /// <summary>All input was consumed; any message data it held was written to the output. Feed more bytes.</summary>
    NeedMoreData,

    /// <summary>The output span is full in the middle of a data frame; call again with more room and the rest of the input.</summary>
    OutputFull,

    /// <summary>The final frame of a data message ended; its last bytes (if any) were written to the output.</summary>
    MessageEnd,

    /// <summary>A ping arrived; <see cref="WebSocketReceiver.ControlPayload"/> holds its payload, to be echoed in a pong.</summary>
    Ping,

    /// <summary>A pong arrived; <see cref="WebSocketReceiver.ControlPayload"/> holds its payload.</summary>
    Pong,

    /// <summary>A valid close frame arrived; see <see cref="WebSocketReceiver.CloseCode"/> and <see cref="WebSocketReceiver.CloseReason"/>.</summary>
    Close,

    /// <summary>The peer broke the protocol; fail the connection with <see cref="WebSocketReceiver.ErrorStatus"/>.</summary>
    Error,
}
