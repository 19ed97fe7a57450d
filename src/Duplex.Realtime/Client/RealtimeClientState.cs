namespace Duplex.Realtime;

/// <summary>Where a <see cref="RealtimeClient"/> stands (docs/PROTOCOL.md §8).</summary>
public enum RealtimeClientState
{
    /// <summary>Created; <see cref="RealtimeClient.ConnectAsync"/> not called yet.</summary>
    Idle,

    /// <summary>Negotiating a session or opening its first transport.</summary>
    Connecting,

    /// <summary>A transport is up (its <c>o</c> envelope received).</summary>
    Connected,

    /// <summary>The transport dropped; waiting the backoff or opening another one. Messages sent now are queued.</summary>
    Reconnecting,

    /// <summary>The session is over (closed by either side, lost, or the client disposed).</summary>
    Closed,
}
