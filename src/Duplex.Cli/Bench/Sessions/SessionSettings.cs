using Duplex.Realtime;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>Which server library a session bench measures.</summary>
internal enum BenchServerKind
{
    /// <summary>Duplex's realtime endpoint (<see cref="DuplexBenchServer"/>), with the Duplex <c>RealtimeClient</c>.</summary>
    Duplex,

    /// <summary>ASP.NET Core SignalR (bench/SignalRAnchor), with SignalR's .NET client.</summary>
    SignalR,
}

/// <summary>
/// The settings of <c>duplex bench sessions</c>. <see cref="Url"/> null: a Duplex server is
/// started in this process on 127.0.0.1 (a quick look, or a test; the script runs it apart).
/// </summary>
internal sealed record SessionSettings(
    BenchServerKind Server,
    RealtimeTransport Transport,
    int Clients,
    double Rate,
    int Size,
    TimeSpan Duration,
    TimeSpan Warmup,
    Uri? Url,
    TimeSpan? PollInterval,
    int Parallel);
