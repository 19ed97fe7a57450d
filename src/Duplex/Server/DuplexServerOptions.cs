using System.Net;
using Duplex.Protocol.Http;

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
    public WebSocketOptions WebSocket { get; init; } = WebSocketOptions.Default;

    /// <summary>How long shutdown waits for connections to finish their closing handshakes before dropping them. Default 5 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A certificate (with its private key) to serve TLS with: the server then speaks https and
    /// wss only. Null (the default) serves plain http and ws.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ServerCertificate { get; init; }

    /// <summary>The listen backlog. Default 512: enough for bursts of new connections.</summary>
    public int Backlog { get; init; } = 512;
}
