namespace Duplex.Realtime;

/// <summary>
/// Serves one session for its whole life, whatever transport carries it (and across changes of
/// transport). When it returns, the session is closed (<see cref="RealtimeCloseReasons.Closed"/>);
/// its token fires when the session ends by any other way.
/// </summary>
public delegate Task RealtimeHandler(RealtimeSession session, CancellationToken cancellationToken);
