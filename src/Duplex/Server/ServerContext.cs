using Duplex.Diagnostics;

namespace Duplex.Server;

/// <summary>What every connection of one server shares: its options, logs and counters, routes, CORS policy and the lifetimes of its connections.</summary>
internal sealed class ServerContext
{
    public ServerContext(DuplexServerOptions options, DuplexDiagnostics diagnostics)
    {
        Options = options;
        Diagnostics = diagnostics;
        Cors = options.Cors is { } cors ? new CorsPolicy(cors) : null;
        Lifetimes = new ConnectionLifetimes(this);
        HeadTimeoutMs = (long)options.HandshakeTimeout.TotalMilliseconds;
        KeepAliveTimeoutMs = (long)options.KeepAliveTimeout.TotalMilliseconds;
        BodyTimeoutMs = (long)options.RequestBodyTimeout.TotalMilliseconds;

        // The shared timer ticks at a quarter of the shortest deadline, so none is late by more than that.
        TimerResolution = TimeSpan.FromMilliseconds(Math.Min(HeadTimeoutMs, Math.Min(KeepAliveTimeoutMs, BodyTimeoutMs)) / 4.0);
    }

    public DuplexServerOptions Options { get; }

    public DuplexDiagnostics Diagnostics { get; }

    public Router Router { get; } = new();

    public CorsPolicy? Cors { get; }

    public ConnectionLifetimes Lifetimes { get; }

    public bool IsHttps => Options.ServerCertificate is not null;

    public long HeadTimeoutMs { get; }

    public long KeepAliveTimeoutMs { get; }

    public long BodyTimeoutMs { get; }

    public TimeSpan TimerResolution { get; }
}
