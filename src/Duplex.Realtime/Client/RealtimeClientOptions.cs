using Microsoft.Extensions.Logging;

namespace Duplex.Realtime;

/// <summary>How a <see cref="RealtimeClient"/> opens and keeps its session (docs/PROTOCOL.md §8).</summary>
public sealed class RealtimeClientOptions
{
    /// <summary>The transports to try, in order. Null (default): the server's list, in its order; one: pinned to it.</summary>
    public IReadOnlyList<RealtimeTransport>? Transports { get; init; }

    /// <summary>How long a new transport may take to deliver its <c>o</c> envelope before the next one is tried. Default 5 s.</summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first reconnect's backoff bound (a random wait up to it: full jitter), doubling on each failed attempt. Default 0.5 s.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The largest backoff bound. Default 10 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The short-polling interval. Null (default): the server's <c>pollIntervalMs</c>.</summary>
    public TimeSpan? PollInterval { get; init; }

    /// <summary>
    /// The most messages kept unacknowledged (queued while offline, or sent and not yet
    /// acknowledged). Null (default): the server's <c>maxQueuedMessages</c>; never more than it.
    /// When the outbox is full, a send waits for acknowledgements while a transport is up and
    /// throws <see cref="RealtimeOutboxFullException"/> while none is.
    /// </summary>
    public int? MaxOfflineMessages { get; init; }

    /// <summary>The most received messages held for <see cref="RealtimeClient.ReceiveAsync"/> before the client stops reading its transport. Default 1,000.</summary>
    public int MaxUnreadMessages { get; init; } = 1000;

    /// <summary>The most events a subscription holds unread (<see cref="RealtimeSubscription.ReadEventsAsync"/>) before the client stops reading its transport. Default 1,000.</summary>
    public int MaxUnreadChannelEvents { get; init; } = 1000;

    /// <summary>After the server answers 404 or 410 for the session: negotiate a new one (true, default) or close.</summary>
    public bool RenewLostSession { get; init; } = true;

    /// <summary>How long <see cref="RealtimeClient.CloseAsync"/> waits for the last acknowledgements. Default 5 s.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The Origin field sent on every request, or none (default).</summary>
    public string? Origin { get; init; }

    /// <summary>Extra header fields sent on every request (cookies, authorization).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>An HTTP forward proxy (http://host:port) for every request; WebSocket tunnels through it with CONNECT. Null: none (the WebSocket client may still use HTTPS_PROXY / HTTP_PROXY as its options say).</summary>
    public Uri? Proxy { get; init; }

    /// <summary>
    /// The HTTP version of every request: <see cref="System.Net.HttpVersion.Version11"/> (default),
    /// or <see cref="System.Net.HttpVersion.Version20"/>: negotiate, event streams, polls, sends and
    /// closes go as HTTP/2 and nothing else (h2c with prior knowledge for http://, ALPN h2 for
    /// https://), and the WebSocket transport is an extended CONNECT (RFC 8441) on the same HTTP/2
    /// connection, so one TCP connection carries the whole session. A server without HTTP/2 then
    /// fails negotiate; there is no fallback to HTTP/1.1.
    /// </summary>
    public Version HttpVersion { get; init; } = System.Net.HttpVersion.Version11;

    /// <summary>
    /// The handler every HTTP request goes through (over HTTP/2 the WebSocket's extended CONNECT
    /// too), for sharing: many clients given the same <see cref="System.Net.Http.SocketsHttpHandler"/>
    /// share its connections, so over HTTP/2 many sessions multiplex on one TCP connection. The
    /// client does not dispose it. Its own settings then decide proxies, TLS and connect timeouts
    /// (<see cref="Proxy"/> and <see cref="WebSocketClientOptions.RemoteCertificateValidation"/> do not
    /// apply to it), and <see cref="RealtimeClient.Statistics"/> cannot see its sockets: see there.
    /// A server allows a bounded number of streams per HTTP/2 connection (often 100; a session on
    /// an event stream or a WebSocket holds one, a long poll one while it waits): set
    /// <see cref="System.Net.Http.SocketsHttpHandler.EnableMultipleHttp2Connections"/> for more sessions.
    /// Null (default): a handler of the client's own, disposed with it.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>
    /// Options of the WebSocket transport's client (TLS validation, limits); its Origin, Headers and Proxy are taken from these options,
    /// its HTTP version from <see cref="HttpVersion"/>. Its RemoteCertificateValidation applies to the client's own HTTP handler too.
    /// </summary>
    public WebSocketClientOptions? WebSocket { get; init; }

    /// <summary>Where the client logs (transport changes, failures); null: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>For tests: wraps the HTTP handler (to lose answers on purpose).</summary>
    internal Func<HttpMessageHandler, HttpMessageHandler>? WrapHttpHandler { get; init; }

    internal void Validate()
    {
        static void Require(bool holds, string option, string rule)
        {
            if (!holds)
            {
                throw new ArgumentException($"RealtimeClientOptions.{option} {rule}.", option);
            }
        }

        Require(Transports is null || (Transports.Count > 0 && Transports.Distinct().Count() == Transports.Count), nameof(Transports), "must be null or name at least one transport, each once");
        Require(OpenTimeout > TimeSpan.Zero, nameof(OpenTimeout), "must be positive");
        Require(ReconnectDelay > TimeSpan.Zero, nameof(ReconnectDelay), "must be positive");
        Require(MaxReconnectDelay >= ReconnectDelay, nameof(MaxReconnectDelay), "must be at least ReconnectDelay");
        Require(PollInterval is null || PollInterval > TimeSpan.Zero, nameof(PollInterval), "must be null or positive");
        Require(MaxOfflineMessages is null or > 0, nameof(MaxOfflineMessages), "must be null or at least 1");
        Require(MaxUnreadMessages > 0, nameof(MaxUnreadMessages), "must be at least 1");
        Require(MaxUnreadChannelEvents > 0, nameof(MaxUnreadChannelEvents), "must be at least 1");
        Require(CloseTimeout >= TimeSpan.Zero, nameof(CloseTimeout), "must not be negative");
        Require(Headers is not null, nameof(Headers), "must be set");
        Require(HttpVersion == System.Net.HttpVersion.Version11 || HttpVersion == System.Net.HttpVersion.Version20, nameof(HttpVersion), "must be 1.1 or 2.0");
        Require(WebSocket?.HttpInvoker is null, "WebSocket.HttpInvoker", "must be null: the client sends the WebSocket's CONNECT through its own HTTP handler (set HttpHandler to share one)");
    }
}
