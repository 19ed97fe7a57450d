namespace Duplex.Realtime;

/// <summary>How a realtime endpoint serves sessions; the defaults are safe for the open internet.</summary>
public sealed class RealtimeOptions
{
    /// <summary>The transports offered, in the order clients should try them. Default all four, WebSocket first.</summary>
    public IReadOnlyList<RealtimeTransport> Transports { get; init; } = RealtimeTransports.All;

    /// <summary>
    /// The heartbeat interval (docs/PROTOCOL.md §6): a dead transport is noticed within twice
    /// this by both sides. Default 15 s: well below the 60 s idle timeout of common proxies and NAT boxes.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a session waits for its client to come back after its transport dropped. Default 2 minutes.</summary>
    public TimeSpan ResumeWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a long poll is held when nothing is waiting. Default 15 s: at most the heartbeat interval, below the 30 s many gateways allow a request.</summary>
    public TimeSpan PollHold { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The short-polling interval suggested to clients. Default 2 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The largest message either way, in payload bytes. Default 1 MiB.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>The largest <c>send</c> body (413 above it). Default 1 MiB plus room for the envelope and base64.</summary>
    public int MaxSendBytes { get; init; } = 1024 * 1024 * 3 / 2;

    /// <summary>
    /// Unacknowledged messages kept per session in each direction (to the client until it
    /// acknowledges them; from it until the application reads them). Past it the session closes
    /// with <see cref="RealtimeCloseReasons.QueueFull"/>. Default 1,000.
    /// </summary>
    public int MaxQueuedMessages { get; init; } = 1000;

    /// <summary>Payload bytes kept per session toward the client; past it the session closes with <see cref="RealtimeCloseReasons.QueueFull"/>. Default 4 MiB.</summary>
    public long MaxQueuedBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Sessions held at once; a negotiate past it gets 503. Default 100,000.</summary>
    public int MaxSessions { get; init; } = 100_000;

    /// <summary>How long the id of a session that ended is remembered (refused with 410 rather than 404). Default 10 minutes.</summary>
    public TimeSpan EndedSessionMemory { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How many ended ids are remembered at most (the oldest are forgotten first). Default 100,000.</summary>
    public int MaxEndedSessionsRemembered { get; init; } = 100_000;

    /// <summary>
    /// The browser origins (scheme://host[:port]) allowed besides the endpoint's own. A request
    /// with an Origin field that is neither is refused with 403 (docs/PROTOCOL.md §7): negotiate
    /// and the WebSocket upgrade are not protected by CORS. Requests without Origin (not from a
    /// browser page) are allowed. Default none: same origin only.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>
    /// Decides whether a request may proceed: it sees every negotiate, transport, send and close
    /// request (headers, cookies, origin, the session once there is one) and may refuse it with
    /// a status. Null accepts every request the protocol accepts.
    /// </summary>
    public Func<RealtimeAcceptContext, ValueTask<bool>>? Accept { get; init; }

    /// <summary>Limits and timers of the WebSocket transport's connections; keepalive pings follow <see cref="HeartbeatInterval"/>.</summary>
    public WebSocketConnectionOptions? WebSocket { get; init; }

    /// <summary>How the endpoint's channels behave (docs/PROTOCOL.md §10); null: the defaults, in memory.</summary>
    public Channels.RealtimeChannelOptions? Channels { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        static void Require(bool holds, string option, string rule, object? value)
        {
            if (!holds)
            {
                throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"RealtimeOptions.{option} {rule} (it is {value ?? "null"})."), option);
            }
        }

        Require(Transports is { Count: > 0 } && Transports.Distinct().Count() == Transports.Count, nameof(Transports), "must name at least one transport, each once", Transports is null ? null : string.Join(",", Transports));
        Require(HeartbeatInterval > TimeSpan.Zero, nameof(HeartbeatInterval), "must be a positive time", HeartbeatInterval);
        Require(ResumeWindow > TimeSpan.Zero, nameof(ResumeWindow), "must be a positive time", ResumeWindow);
        Require(PollHold > TimeSpan.Zero && PollHold <= HeartbeatInterval, nameof(PollHold), "must be positive and at most the heartbeat interval (a held poll is the heartbeat)", PollHold);
        Require(PollInterval > TimeSpan.Zero && PollInterval < HeartbeatInterval * 2, nameof(PollInterval), "must be positive and below twice the heartbeat interval", PollInterval);
        Require(MaxMessageBytes > 0, nameof(MaxMessageBytes), "must be at least 1", MaxMessageBytes);
        Require(MaxSendBytes > 0, nameof(MaxSendBytes), "must be at least 1", MaxSendBytes);
        Require(MaxQueuedMessages > 0, nameof(MaxQueuedMessages), "must be at least 1", MaxQueuedMessages);
        Require(MaxQueuedBytes >= MaxMessageBytes, nameof(MaxQueuedBytes), "must hold at least one message of MaxMessageBytes", MaxQueuedBytes);
        Require(MaxSessions > 0, nameof(MaxSessions), "must be at least 1", MaxSessions);
        Require(EndedSessionMemory >= TimeSpan.Zero, nameof(EndedSessionMemory), "must not be negative", EndedSessionMemory);
        Require(MaxEndedSessionsRemembered >= 0, nameof(MaxEndedSessionsRemembered), "must not be negative", MaxEndedSessionsRemembered);
        Require(AllowedOrigins is not null, nameof(AllowedOrigins), "must be set", null);
    }
}
