namespace Duplex;

/// <summary>A send was attempted after the connection began closing or was closed.</summary>
public sealed class WebSocketClosedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public WebSocketClosedException()
        : base("The WebSocket connection is closing or closed; no more messages can be sent.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public WebSocketClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public WebSocketClosedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
