using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Duplex.AspNetCore;

/// <summary>How Duplex runs inside an ASP.NET Core app (set with <see cref="DuplexServiceCollectionExtensions.AddDuplex"/>).</summary>
public sealed class DuplexHostOptions
{
    /// <summary>
    /// Limits and timers of every WebSocket an endpoint accepts, unless its own
    /// <see cref="WebSocketEndpointOptions.WebSocket"/> says otherwise; permessage-deflate (RFC 7692)
    /// is offered when <see cref="WebSocketConnectionOptions.Compression"/> is set.
    /// </summary>
    public WebSocketConnectionOptions WebSocket { get; set; } = WebSocketConnectionOptions.Default;

    /// <summary>Where connections and sessions log; null takes the app's <see cref="ILoggerFactory"/>.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Where the counters go (see <see cref="DuplexMetrics"/>); null takes the app's <see cref="IMeterFactory"/>.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>How long a stopping app gives its WebSockets and sessions to close (1001, <c>shutdown</c>) before dropping them. Default 5 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
