using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Duplex;

/// <summary>
/// What <see cref="WebSocketConnection.CreateFromStream"/> needs to know of a connection whose
/// opening handshake was done elsewhere (by a host such as Kestrel, or by the caller).
/// </summary>
public sealed class WebSocketStreamOptions
{
    /// <summary>Whether this end is the server (it receives masked frames and sends unmasked ones, RFC 6455 §5.1); false for a client.</summary>
    public required bool IsServer { get; init; }

    /// <summary>The subprotocol the handshake agreed on, or null.</summary>
    public string? SubProtocol { get; init; }

    /// <summary>
    /// The Sec-WebSocket-Extensions value of the handshake's response (what the server
    /// accepted), or null for none. A permessage-deflate agreement in it turns compression on
    /// with its parameters, with the zlib settings of <see cref="WebSocketConnectionOptions.Compression"/>
    /// (or the defaults when that is null).
    /// </summary>
    public string? Extensions { get; init; }

    /// <summary>Limits and timers of the connection.</summary>
    public WebSocketConnectionOptions Connection { get; init; } = WebSocketConnectionOptions.Default;

    /// <summary>Bytes already read from the stream past the handshake (the peer's first frames), or empty.</summary>
    public ReadOnlyMemory<byte> BufferedInput { get; init; }

    /// <summary>The peer's address, for logs.</summary>
    public EndPoint? RemoteEndPoint { get; init; }

    /// <summary>The upgrade request, kept as <see cref="WebSocketConnection.Request"/> for the handler (server side); null keeps nothing.</summary>
    public HttpRequestHead? Request { get; init; }

    /// <summary>The user the host authenticated for the upgrade request, kept as <see cref="WebSocketConnection.User"/>; null when there is none.</summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; init; }

    /// <summary>
    /// Ends the sending half of the transport under the stream (a TCP FIN, an HTTP/2 END_STREAM):
    /// a server calls it after the closing handshake, since "the underlying TCP connection, in
    /// most normal cases, SHOULD be closed first by the server" (RFC 6455 §7.1.1), then reads to
    /// the peer's end. Null when the stream offers no such thing: the server then waits for the
    /// peer to close, bounded by <see cref="WebSocketConnectionOptions.CloseTimeout"/>.
    /// </summary>
    public Func<ValueTask>? CloseOutput { get; init; }

    /// <summary>Where the connection logs protocol errors and timeouts; null for nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Where the connection's counters go (see <see cref="DuplexMetrics"/>); null for the process's own "Duplex" meter.</summary>
    public IMeterFactory? MeterFactory { get; init; }
}
