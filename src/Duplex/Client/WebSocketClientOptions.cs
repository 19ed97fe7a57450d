using System.Net.Security;
using Microsoft.Extensions.Logging;

namespace Duplex;

/// <summary>How <see cref="WebSocketClient"/> connects; defaults are safe.</summary>
public sealed class WebSocketClientOptions
{
    /// <summary>Subprotocols to offer, in order of preference; the connection fails if the server picks another.</summary>
    public IReadOnlyList<string> SubProtocols { get; init; } = [];

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

    /// <summary>Limits on the server's response head.</summary>
    public HttpLimits HttpLimits { get; init; } = HttpLimits.Default;

    /// <summary>Limits and timers of the connection once open.</summary>
    public WebSocketConnectionOptions WebSocket { get; init; } = WebSocketConnectionOptions.Default;

    /// <summary>Where the connection logs protocol errors and timeouts (category "Duplex.Client"); null for nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Where the client's counters go (see <see cref="DuplexMetrics"/>); null for the process's own "Duplex" meter.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; init; }

    /// <summary>How the socket waits to be read or written. Default <see cref="SocketEngine.Auto"/>.</summary>
    public SocketEngine SocketEngine { get; init; } = SocketEngine.Auto;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        OptionRules.RequirePositive(ConnectTimeout, nameof(WebSocketClientOptions), nameof(ConnectTimeout));
        OptionRules.Require(HttpLimits is not null, nameof(WebSocketClientOptions), nameof(HttpLimits), "must be set", HttpLimits);
        OptionRules.Require(WebSocket is not null, nameof(WebSocketClientOptions), nameof(WebSocket), "must be set", WebSocket);
        WebSocket.Validate();
    }
}
