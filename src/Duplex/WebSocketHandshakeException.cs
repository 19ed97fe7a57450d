namespace Duplex;

/// <summary>The opening handshake failed: the server (or a proxy) answered something other than a valid 101 (or over HTTP/2, a valid 200).</summary>
public sealed class WebSocketHandshakeException : IOException
{
    /// <summary>Creates the exception.</summary>
    public WebSocketHandshakeException(string message, int statusCode = 0, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
    }

    /// <summary>Creates the exception.</summary>
    public WebSocketHandshakeException()
        : this("The WebSocket handshake failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public WebSocketHandshakeException(string message)
        : this(message, 0)
    {
    }

    /// <summary>Creates the exception.</summary>
    public WebSocketHandshakeException(string message, Exception inner)
        : this(message, 0, inner)
    {
    }

    /// <summary>The HTTP status the server answered with (0 when none arrived).</summary>
    public int StatusCode { get; }
}
