using System.Net;

namespace Duplex;

/// <summary>Where a <see cref="DuplexServer"/> listens and the limits it enforces; defaults are safe.</summary>
public sealed class DuplexServerOptions
{
    /// <summary>The address to listen on. Default 127.0.0.1: nothing is exposed unless asked for.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The port; 0 lets the OS pick one (see <see cref="DuplexServer.LocalEndPoint"/>). Default 8080.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>How long a new connection has to send a complete request head. Default 10 s, so idle sockets cannot pile up.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

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
        WebSocket.Validate();
    }
}
