using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Duplex.Realtime;
using Microsoft.Extensions.Logging;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// The Duplex side of <c>duplex bench sessions</c>: a <see cref="DuplexServer"/> with sessions
/// at <c>/rt</c> over every transport, whose handler records every message a client sends
/// (<see cref="ArrivalLog"/>) and whose clients are pushed to on request (<see cref="BenchControl"/>).
/// Run in-process by the bench when no server is given, or alone by <c>duplex bench session-server</c>.
/// </summary>
internal sealed class DuplexBenchServer : IAsyncDisposable
{
    /// <summary>Where sessions are served.</summary>
    public const string BasePath = "/rt";

    private readonly DuplexServer _server;
    private readonly ConcurrentDictionary<RealtimeSession, SessionTarget> _sessions = new();
    private readonly ArrivalLog _arrivals = new();

    private DuplexBenchServer(DuplexServer server) => _server = server;

    /// <summary>Where the server listens.</summary>
    public IPEndPoint EndPoint => _server.LocalEndPoint;

    /// <summary>Starts a server on <paramref name="address"/>:<paramref name="port"/> (0: a free port).</summary>
    public static async Task<DuplexBenchServer> StartAsync(IPAddress address, int port, ILoggerFactory? loggerFactory, RealtimeOptions? options, CancellationToken cancellationToken)
    {
        var server = new DuplexServer(new DuplexServerOptions { Address = address, Port = port }, loggerFactory);
        var bench = new DuplexBenchServer(server);
        server.MapRealtime(BasePath, bench.ServeAsync, options);
        server.MapGet("/bench/clients", (exchange, ct) => RespondJsonAsync(exchange, BenchControl.Clients(bench._sessions.Count), ct));
        server.MapPost("/bench/push", bench.PushAsync);
        server.MapPost("/bench/reset", (exchange, ct) =>
        {
            bench._arrivals.Reset();
            return RespondJsonAsync(exchange, "{}", ct);
        });
        server.MapGet("/bench/arrivals", (exchange, ct) => RespondJsonAsync(exchange, bench._arrivals.ToJson(BenchControl.WantsAges(exchange.Query)).ToJsonString(), ct));
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return bench;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static ValueTask RespondJsonAsync(HttpExchange exchange, string json, CancellationToken cancellationToken) =>
        exchange.RespondAsync(200, "application/json", Encoding.UTF8.GetBytes(json), cancellationToken);

    private async Task ServeAsync(RealtimeSession session, CancellationToken cancellationToken)
    {
        _sessions[session] = new SessionTarget(session);
        try
        {
            await foreach (RealtimeMessage message in session.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
            {
                _arrivals.Record(session.Id, message.Data.Span);
            }
        }
        catch (OperationCanceledException)
        {
            // The session ended.
        }
        finally
        {
            _sessions.TryRemove(session, out _);
        }
    }

    private async ValueTask PushAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        if (BenchControl.ParsePush(exchange.Query) is not { } push)
        {
            await exchange.RespondTextAsync(400, "push needs rate>0, seconds>0 and size>=16", cancellationToken).ConfigureAwait(false);
            return;
        }

        long sent = await PushLoop.RunAsync(() => [.. _sessions.Values], push.Rate, push.Duration, push.Size, cancellationToken).ConfigureAwait(false);
        await RespondJsonAsync(exchange, BenchControl.Sent(sent), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One session as a push target: its own numbering; a send to a session that just ended is dropped.</summary>
    private sealed class SessionTarget(RealtimeSession session) : IPushTarget
    {
        private long _sequence;

        public long NextSequence() => ++_sequence;

        public ValueTask SendAsync(string text, CancellationToken cancellationToken)
        {
            try
            {
                return session.SendTextAsync(text, cancellationToken);
            }
            catch (RealtimeSessionClosedException)
            {
                return ValueTask.CompletedTask;
            }
        }
    }
}
