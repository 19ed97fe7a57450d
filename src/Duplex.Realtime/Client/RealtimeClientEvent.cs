namespace Duplex.Realtime;

/// <summary>What happened to a <see cref="RealtimeClient"/> (docs/PROTOCOL.md §8).</summary>
public enum RealtimeClientEventKind
{
    /// <summary>Negotiating a session (the first, or a new one after a loss).</summary>
    Connecting,

    /// <summary>The first transport of a session is up: <see cref="RealtimeClientEvent.Transport"/>.</summary>
    Connected,

    /// <summary>A transport failed before its <c>o</c>: moving from <see cref="RealtimeClientEvent.From"/> to <see cref="RealtimeClientEvent.To"/> because of <see cref="RealtimeClientEvent.Reason"/>.</summary>
    Fallback,

    /// <summary>The transport dropped (<see cref="RealtimeClientEvent.Reason"/>); the client waits its backoff and opens another.</summary>
    Reconnecting,

    /// <summary>A transport is up again and the session goes on: <see cref="RealtimeClientEvent.Transport"/>.</summary>
    Resumed,

    /// <summary>
    /// The server no longer knows the session (404 or 410): <see cref="RealtimeClientEvent.Unacknowledged"/>
    /// holds the messages it never acknowledged, which are not sent again. A new session follows
    /// when <see cref="RealtimeClientOptions.RenewLostSession"/> is on, else the client closes.
    /// </summary>
    SessionLost,

    /// <summary>The session is over: <see cref="RealtimeClientEvent.Reason"/> says why.</summary>
    Closed,
}

/// <summary>One state change of a <see cref="RealtimeClient"/>.</summary>
public sealed class RealtimeClientEvent : EventArgs
{
    internal RealtimeClientEvent(RealtimeClientEventKind kind, RealtimeClientState state)
    {
        Kind = kind;
        State = state;
    }

    /// <summary>What happened.</summary>
    public RealtimeClientEventKind Kind { get; }

    /// <summary>The client's state after it.</summary>
    public RealtimeClientState State { get; }

    /// <summary>On <see cref="RealtimeClientEventKind.Connected"/> and <see cref="RealtimeClientEventKind.Resumed"/>: the transport now up.</summary>
    public RealtimeTransport? Transport { get; init; }

    /// <summary>On <see cref="RealtimeClientEventKind.Fallback"/>: the transport that failed.</summary>
    public RealtimeTransport? From { get; init; }

    /// <summary>On <see cref="RealtimeClientEventKind.Fallback"/>: the transport tried next.</summary>
    public RealtimeTransport? To { get; init; }

    /// <summary>Why: the failure on a fallback or reconnect, the reason on a close (docs/PROTOCOL.md §5) or a loss.</summary>
    public string? Reason { get; init; }

    /// <summary>On <see cref="RealtimeClientEventKind.SessionLost"/>: the messages sent and never acknowledged, in order.</summary>
    public IReadOnlyList<RealtimeMessage> Unacknowledged { get; init; } = [];

    /// <summary>The kind's name as logs and <c>duplex session --json</c> show it: <c>connecting</c>, <c>connected</c>, <c>fallback</c>, <c>reconnecting</c>, <c>resumed</c>, <c>session-lost</c>, <c>closed</c>.</summary>
    public string Name => Kind switch
    {
        RealtimeClientEventKind.Connecting => "connecting",
        RealtimeClientEventKind.Connected => "connected",
        RealtimeClientEventKind.Fallback => "fallback",
        RealtimeClientEventKind.Reconnecting => "reconnecting",
        RealtimeClientEventKind.Resumed => "resumed",
        RealtimeClientEventKind.SessionLost => "session-lost",
        _ => "closed",
    };

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        RealtimeClientEventKind.Connected or RealtimeClientEventKind.Resumed => $"{Name} ({RealtimeTransports.Name(Transport!.Value)})",
        RealtimeClientEventKind.Fallback => $"{Name} {RealtimeTransports.Name(From!.Value)} -> {RealtimeTransports.Name(To!.Value)}: {Reason}",
        RealtimeClientEventKind.SessionLost => $"{Name} ({Reason}; {Unacknowledged.Count} never acknowledged)",
        _ => Reason is null ? Name : $"{Name} ({Reason})",
    };
}
