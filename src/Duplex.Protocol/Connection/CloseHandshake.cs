namespace Duplex.Protocol.Connection;

/// <summary>
/// The closing handshake of RFC 6455 §5.5.1 and §7 as a table of transitions. Each method
/// returns the new state; the I/O layer acts on it (echo a close, close TCP).
/// </summary>
/// <remarks>
/// <code>
/// Open          --send close-->    CloseSent
/// Open          --receive close--> CloseReceived   (answer with a close frame)
/// CloseReceived --send close-->    Closed          (the echo; a server then closes TCP)
/// CloseSent     --receive close--> Closed          (a server then closes TCP; a client waits for it)
/// any           --fail/abort-->    Closed
/// </code>
/// </remarks>
public sealed class CloseHandshake
{
    private int _state = (int)WebSocketConnectionState.Open;

    /// <summary>The current state.</summary>
    public WebSocketConnectionState State => (WebSocketConnectionState)Volatile.Read(ref _state);

    /// <summary>Whether data frames may still be sent (only while <see cref="WebSocketConnectionState.Open"/>).</summary>
    public bool CanSendData => State == WebSocketConnectionState.Open;

    /// <summary>
    /// Records that this end is about to send a close frame. Returns false when a close was
    /// already sent (or the connection is closed): an endpoint sends at most one close frame.
    /// </summary>
    public bool TrySendClose() =>
        TryMove(WebSocketConnectionState.Open, WebSocketConnectionState.CloseSent) || TryMove(WebSocketConnectionState.CloseReceived, WebSocketConnectionState.Closed);

    /// <summary>
    /// Records a close frame from the peer. Returns true when this end must answer with a close
    /// frame of its own (it had not sent one yet).
    /// </summary>
    public bool ReceiveClose()
    {
        if (TryMove(WebSocketConnectionState.Open, WebSocketConnectionState.CloseReceived))
        {
            return true;
        }

        TryMove(WebSocketConnectionState.CloseSent, WebSocketConnectionState.Closed);
        return false;
    }

    /// <summary>The connection failed or was aborted: nothing more is sent or received.</summary>
    public void Abort() => Volatile.Write(ref _state, (int)WebSocketConnectionState.Closed);

    // One compare-and-swap per transition: no lock object per connection.
    private bool TryMove(WebSocketConnectionState from, WebSocketConnectionState to) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;
}
