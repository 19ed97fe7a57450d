namespace Duplex.Realtime;

/// <summary>Where a session stands on the server.</summary>
public enum RealtimeSessionState
{
    /// <summary>A transport carries it now.</summary>
    Connected,

    /// <summary>No transport: the client is expected back within the resume window; messages sent meanwhile are kept.</summary>
    Disconnected,

    /// <summary>Over (closed by either side, expired, or ended by a policy); see <see cref="RealtimeSession.CloseReason"/>.</summary>
    Closed,
}
