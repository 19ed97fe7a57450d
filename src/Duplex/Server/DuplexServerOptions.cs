using System.Net;

namespace Duplex;

/// <summary>Where a <see cref="DuplexServer"/> listens and the limits it enforces; defaults are safe.</summary>
public sealed class DuplexServerOptions
{
    /// <summary>The address to listen on. Default 127.0.0.1: nothing is exposed unless asked for.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The port; 0 lets the OS pick one (see <see cref="DuplexServer.LocalEndPoint"/>). Default 8080.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>
    /// How long a client has to send a complete request head, from the connection's start (for
    /// its first request) or from the first byte of a later one; past it the connection is
    /// dropped. Default 10 s, so idle or slow sockets cannot pile up before they say what they want.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an HTTP connection may sit idle between a response and the next request before
    /// the server closes it. Default 2 min: long enough for browsers and HTTP clients to reuse
    /// their connections, cheap because an idle connection holds no buffers.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a request body may take to arrive, from the handler's first read to its end; past
    /// it the request is answered 408 and the connection closed. Default 30 s: generous for the
    /// default body limit on a slow link, short enough that a trickling client cannot hold a handler.
    /// </summary>
    public TimeSpan RequestBodyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The largest request body accepted, in bytes; a larger Content-Length is answered 413 before
    /// the body is read, and a chunked body is refused with 413 at the chunk that passes it.
    /// Default 1 MiB (as nginx's): posted messages and forms fit, and no client can make the server read without bound.
    /// </summary>
    public long MaxRequestBodySize { get; init; } = 1 << 20;

    /// <summary>
    /// How much of a request body the server reads and drops, when a handler answered without
    /// reading it, to keep the connection for the next request; a longer remainder closes the
    /// connection instead. Default 64 KiB: cheaper to read than a new connection, too little to tie up the server.
    /// </summary>
    public long MaxDrainedRequestBodySize { get; init; } = 64 << 10;

    /// <summary>
    /// How many response body bytes are held before the response head goes out: a response that
    /// completes within it is sent with a Content-Length, a longer one is sent chunked. Default
    /// 16 KiB: every page of the demo fits, and the buffer exists only while a response is written.
    /// </summary>
    public int ResponseBufferSize { get; init; } = 16 << 10;

    /// <summary>Cross-origin resource sharing for browsers on other origins; null (the default) sends no CORS headers, so browsers allow same-origin requests only.</summary>
    public CrossOriginOptions? Cors { get; init; }

    /// <summary>Connections held at once; more are answered 503 and closed. Default 100,000: far above one process's usual load, far below exhausting memory.</summary>
    public int MaxConnections { get; init; } = 100_000;

    /// <summary>Limits on request heads (line length, header count, head size).</summary>
    public HttpLimits HttpLimits { get; init; } = HttpLimits.Default;

    /// <summary>Limits and timers of WebSocket connections.</summary>
    public WebSocketConnectionOptions WebSocket { get; init; } = WebSocketConnectionOptions.Default;

    /// <summary>How long shutdown waits for connections to finish their closing handshakes before dropping them. Default 5 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A certificate (with its private key) to serve TLS with: the server then speaks https and
    /// wss only. Null (the default) serves plain http and ws.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ServerCertificate { get; init; }

    /// <summary>The listen backlog. Default 512: enough for bursts of new connections.</summary>
    public int Backlog { get; init; } = 512;

    /// <summary>
    /// Where the server logs (category "Duplex.Server"): refusals, protocol errors, timeouts,
    /// handler failures. Null logs nowhere; a logger factory given to the constructor wins.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Where the server's counters go (see <see cref="DuplexMetrics"/>); null for the process's own "Duplex" meter.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; init; }

    /// <summary>How sockets wait to be read or written. Default <see cref="SocketEngine.Auto"/>.</summary>
    public SocketEngine SocketEngine { get; init; } = SocketEngine.Auto;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        OptionRules.Require(Address is not null, nameof(DuplexServerOptions), nameof(Address), "must be set", Address);
        OptionRules.Require(Port is >= 0 and <= 65535, nameof(DuplexServerOptions), nameof(Port), "must be 0 (any free port) to 65535", Port);
        OptionRules.RequirePositive(HandshakeTimeout, nameof(DuplexServerOptions), nameof(HandshakeTimeout));
        OptionRules.Require(MaxConnections > 0, nameof(DuplexServerOptions), nameof(MaxConnections), "must be at least 1", MaxConnections);
        OptionRules.Require(ShutdownTimeout >= TimeSpan.Zero, nameof(DuplexServerOptions), nameof(ShutdownTimeout), "must not be negative", ShutdownTimeout);
        OptionRules.Require(Backlog > 0, nameof(DuplexServerOptions), nameof(Backlog), "must be at least 1", Backlog);
        OptionRules.Require(HttpLimits is not null, nameof(DuplexServerOptions), nameof(HttpLimits), "must be set", HttpLimits);
        OptionRules.Require(WebSocket is not null, nameof(DuplexServerOptions), nameof(WebSocket), "must be set", WebSocket);
        OptionRules.RequirePositive(KeepAliveTimeout, nameof(DuplexServerOptions), nameof(KeepAliveTimeout));
        OptionRules.RequirePositive(RequestBodyTimeout, nameof(DuplexServerOptions), nameof(RequestBodyTimeout));
        OptionRules.Require(MaxRequestBodySize >= 0, nameof(DuplexServerOptions), nameof(MaxRequestBodySize), "must not be negative", MaxRequestBodySize);
        OptionRules.Require(MaxDrainedRequestBodySize >= 0, nameof(DuplexServerOptions), nameof(MaxDrainedRequestBodySize), "must not be negative", MaxDrainedRequestBodySize);
        OptionRules.Require(ResponseBufferSize > 0, nameof(DuplexServerOptions), nameof(ResponseBufferSize), "must be at least 1", ResponseBufferSize);
        WebSocket.Validate();
        Cors?.Validate();
    }
}
