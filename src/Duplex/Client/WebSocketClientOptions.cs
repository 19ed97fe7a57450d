using System.Net.Security;
using Microsoft.Extensions.Logging;

namespace Duplex;

/// <summary>How <see cref="WebSocketClient"/> connects; defaults are safe.</summary>
public sealed class WebSocketClientOptions
{
    /// <summary>Subprotocols to offer, in order of preference; the connection fails if the server picks another.</summary>
    public IReadOnlyList<string> SubProtocols { get; init; } = [];

    /// <summary>
    /// The HTTP version of the opening handshake: <see cref="System.Net.HttpVersion.Version11"/>
    /// (default) for the Upgrade of RFC 6455 on a TCP connection of its own, or
    /// <see cref="System.Net.HttpVersion.Version20"/> for an extended CONNECT (RFC 8441): the
    /// WebSocket is one stream of an HTTP/2 connection, which other WebSockets and requests may
    /// share (see <see cref="HttpInvoker"/>). Over HTTP/2, ws:// speaks h2c with prior knowledge
    /// and wss:// negotiates h2 with ALPN; a server that does not speak HTTP/2 or does not enable
    /// extended CONNECT fails the handshake (there is no fallback to HTTP/1.1).
    /// </summary>
    public Version HttpVersion { get; init; } = System.Net.HttpVersion.Version11;

    /// <summary>
    /// Over HTTP/2 only: the HTTP client (a <see cref="System.Net.Http.HttpClient"/>, or an
    /// invoker over a <see cref="System.Net.Http.SocketsHttpHandler"/>) that sends the extended
    /// CONNECT, so that many WebSockets share its HTTP/2 connection; the caller keeps and disposes
    /// it. Its handler then decides TLS, proxies and timeouts: <see cref="RemoteCertificateValidation"/>,
    /// <see cref="Proxy"/>, <see cref="UseEnvironmentProxy"/> and <see cref="SocketEngine"/> do not apply.
    /// A server allows a bounded number of streams per connection (often 100); set
    /// <see cref="System.Net.Http.SocketsHttpHandler.EnableMultipleHttp2Connections"/> for more.
    /// Null (default): each WebSocket has an HTTP/2 connection of its own, disposed with it.
    /// </summary>
    public System.Net.Http.HttpMessageInvoker? HttpInvoker { get; init; }

    /// <summary>Extra request headers (for example Authorization or Cookie).</summary>
    public IList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The Origin header to send, or null for none (browsers always send one; other clients need not).</summary>
    public string? Origin { get; init; }

    /// <summary>An HTTP proxy to tunnel through with CONNECT (http://[user:password@]host:port); null to use the environment.</summary>
    public Uri? Proxy { get; init; }

    /// <summary>
    /// Whether to honour HTTPS_PROXY (wss), HTTP_PROXY (ws), ALL_PROXY and NO_PROXY (and their lowercase forms) when
    /// <see cref="Proxy"/> is null. Default true, as curl and most HTTP clients do.
    /// </summary>
    public bool UseEnvironmentProxy { get; init; } = true;

    /// <summary>
    /// Decides whether to trust the server's TLS certificate. Null applies normal validation
    /// (a trusted chain whose name matches the host).
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; init; }

    /// <summary>How long the TCP connect, proxy tunnel, TLS and the opening handshake may take together. Default 30 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Limits on the server's response head (over HTTP/2, its total size bounds the response's header fields).</summary>
    public HttpLimits HttpLimits { get; init; } = HttpLimits.Default;

    /// <summary>Limits and timers of the connection once open.</summary>
    public WebSocketConnectionOptions WebSocket { get; init; } = WebSocketConnectionOptions.Default;

    /// <summary>Where the connection logs protocol errors and timeouts (category "Duplex.Client"); null for nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Where the client's counters go (see <see cref="DuplexMetrics"/>); null for the process's own "Duplex" meter.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; init; }

    /// <summary>How the socket waits to be read or written. Default <see cref="SocketEngine.Auto"/>. Over HTTP/2 the HTTP client reads and writes the socket.</summary>
    public SocketEngine SocketEngine { get; init; } = SocketEngine.Auto;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        OptionRules.Require(
            HttpVersion == System.Net.HttpVersion.Version11 || HttpVersion == System.Net.HttpVersion.Version20,
            nameof(WebSocketClientOptions), nameof(HttpVersion), "must be 1.1 or 2.0", HttpVersion);
        OptionRules.Require(
            HttpInvoker is null || HttpVersion == System.Net.HttpVersion.Version20,
            nameof(WebSocketClientOptions), nameof(HttpInvoker), "is used over HTTP/2 only: set HttpVersion to 2.0", HttpVersion);
        OptionRules.RequirePositive(ConnectTimeout, nameof(WebSocketClientOptions), nameof(ConnectTimeout));
        OptionRules.Require(HttpLimits is not null, nameof(WebSocketClientOptions), nameof(HttpLimits), "must be set", HttpLimits);
        OptionRules.Require(WebSocket is not null, nameof(WebSocketClientOptions), nameof(WebSocket), "must be set", WebSocket);
        WebSocket.Validate();
    }
}
