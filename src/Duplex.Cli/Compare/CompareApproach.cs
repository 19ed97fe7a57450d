using Duplex.Realtime;

namespace Duplex.Cli.Compare;

/// <summary>One row of the table: a transport pinned (or every transport, for auto), an HTTP version, a server.</summary>
/// <param name="Id">polling, long-polling, sse, sse-h2, websocket, websocket-h2, auto.</param>
/// <param name="Transport">The pinned transport; null for auto.</param>
/// <param name="Http2">Over HTTP/2 (h2c with prior knowledge), through the ASP.NET Core host.</param>
internal sealed record CompareApproach(string Id, RealtimeTransport? Transport, bool Http2)
{
    public static readonly IReadOnlyList<CompareApproach> All =
    [
        new("polling", RealtimeTransport.Polling, Http2: false),
        new("long-polling", RealtimeTransport.LongPolling, Http2: false),
        new("sse", RealtimeTransport.ServerSentEvents, Http2: false),
        new("sse-h2", RealtimeTransport.ServerSentEvents, Http2: true),
        new("websocket", RealtimeTransport.WebSocket, Http2: false),
        new("websocket-h2", RealtimeTransport.WebSocket, Http2: true),
        new("auto", null, Http2: false),
    ];

    public static readonly IReadOnlyList<string> AllIds = [.. All.Select(a => a.Id)];

    public string HttpVersion => Http2 ? "2" : "1.1";

    /// <summary>The server it runs on when compare starts its own.</summary>
    public string Server => Http2 ? "aspnetcore" : "built-in";

    public static CompareApproach? Find(string id) => All.FirstOrDefault(a => string.Equals(a.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>What a person reads in the table.</summary>
    public string Name(TimeSpan pollInterval) => Id switch
    {
        "polling" => $"Short polling (every {pollInterval.TotalMilliseconds:0} ms)",
        "long-polling" => "Long polling",
        "sse" => "SSE + POST",
        "sse-h2" => "SSE + POST over HTTP/2",
        "websocket" => "WebSocket",
        "websocket-h2" => "WebSocket over HTTP/2 (RFC 8441)",
        "auto" => "Automatic (every transport, fallback)",
        _ => Id,
    };

    public RealtimeClientOptions ClientOptions(TimeSpan pollInterval, TimeSpan openTimeout) => new()
    {
        Transports = Transport is { } pinned ? [pinned] : null,
        PollInterval = pollInterval,
        HttpVersion = Http2 ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11,
        OpenTimeout = openTimeout,
        ReconnectDelay = TimeSpan.FromMilliseconds(200),
        MaxReconnectDelay = TimeSpan.FromSeconds(1),
    };
}
