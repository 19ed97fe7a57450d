namespace Duplex.Realtime.Server;

/// <summary>
/// One transport connection's hold on a session (a WebSocket, an event stream, a poll): how far
/// it has carried the session's messages, and a token that fires when it is dropped (replaced by
/// a newer one, found dead, or the session ended).
/// </summary>
internal sealed class TransportLease
{
    private readonly CancellationTokenSource _dropped = new();
    private int _isDropped;

    public TransportLease(RealtimeTransport kind, long acknowledged)
    {
        Kind = kind;
        SentUpTo = acknowledged;
    }

    public RealtimeTransport Kind { get; }

    /// <summary>The number of the last message written on this connection; under the session's gate.</summary>
    public long SentUpTo { get; set; }

    public CancellationToken Dropped => _dropped.Token;

    public bool IsDropped => Volatile.Read(ref _isDropped) != 0;

    public void Drop()
    {
        if (Interlocked.Exchange(ref _isDropped, 1) == 0)
        {
            _dropped.Cancel();
        }
    }
}

/// <summary>What <see cref="RealtimeSession.Attach"/> says.</summary>
internal enum AttachResult
{
    Attached,
    Closed,
    AckOutOfRange,
}

/// <summary>What <see cref="RealtimeSession.Receive"/> says of envelopes from the client.</summary>
internal enum InboundResult
{
    Accepted,
    Gap,
    AckOutOfRange,
    QueueFull,
    Closed,
}
