namespace Duplex.Realtime;

/// <summary>What a request to a realtime endpoint is.</summary>
public enum RealtimeRequestKind
{
    /// <summary><c>POST negotiate</c>: a new session.</summary>
    Negotiate,

    /// <summary>A transport: <c>ws</c>, <c>sse</c> or <c>poll</c>.</summary>
    Transport,

    /// <summary><c>POST send</c>: messages up.</summary>
    Send,

    /// <summary><c>POST close</c>: the client ends its session.</summary>
    Close,
}

/// <summary>What the accept hook (<see cref="RealtimeOptions.Accept"/>) sees of a request, and how it refuses one.</summary>
public sealed class RealtimeAcceptContext
{
    internal RealtimeAcceptContext(HttpExchange exchange, RealtimeRequestKind kind, RealtimeSession? session, IDictionary<string, object?> items)
    {
        Exchange = exchange;
        Kind = kind;
        Session = session;
        Items = items;
    }

    /// <summary>The request: method, path, query, headers (cookies, Authorization, Origin), the client's address.</summary>
    public HttpExchange Exchange { get; }

    /// <summary>What the request is.</summary>
    public RealtimeRequestKind Kind { get; }

    /// <summary>The session the request is for; null on negotiate.</summary>
    public RealtimeSession? Session { get; }

    /// <summary>The user the host authenticated for this request (<see cref="HttpExchange.User"/>); null on the built-in server.</summary>
    public System.Security.Claims.ClaimsPrincipal? User => Exchange.User;

    /// <summary>
    /// The session's items: what the hook puts here on negotiate (who the user is, say) the
    /// session carries as <see cref="RealtimeSession.Items"/> for its whole life.
    /// </summary>
    public IDictionary<string, object?> Items { get; }

    /// <summary>The status a refusal answers with: 403 unless set (401 asks for credentials).</summary>
    public int RefusalStatus { get; set; } = 403;
}
