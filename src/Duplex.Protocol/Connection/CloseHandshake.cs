namespace Duplex.Protocol.Connection;

/// <summary>
/// The closing handshake of RFC 6455 §5.5.1 and §7 as a table of transitions, each one
/// compare-and-swap, so that the send side and the receive side may move it from different
/// threads. <see cref="WebSocketProtocol"/> holds one and acts on its answers (echo a close,
/// send no more data). A mutable struct: keep it in a field and call it there, never copy it.
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
public struct CloseHandshake
{
    // Open is 0, so a new value is open.
    private int _state;

    /// <summary>The current state.</summary>
    public readonly WebSocketConnectionState State => (WebSocketConnectionState)Volatile.Read(in _state);

    /// <summary>Whether data frames may still be sent (only while <see cref="WebSocketConnectionState.Open"/>).</summary>
    public readonly bool CanSendData => State == WebSocketConnectionState.Open;

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

    // One compare-and-swap per transition: no lock.
    private bool TryMove(WebSocketConnectionState from, WebSocketConnectionState to) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;
}
