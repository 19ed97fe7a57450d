using Duplex.Realtime;
using Microsoft.Extensions.Logging;

namespace Duplex.Cli.Compare.Server;

/// <summary>
/// The server side of <c>duplex compare</c>'s workload (docs/PROTOCOL.md §12), a
/// <see cref="RealtimeHandler"/> for the /compare endpoint of <c>duplex serve</c>: run groups
/// joined by hello, chat fanned out to the group, a ticker per client at intended times, bursts,
/// ping/pong for the clock offset. A message it cannot take is answered with an error, logged,
/// and the session goes on.
/// </summary>
internal sealed class CompareWorkload(ILogger logger)
{
    /// <summary>The groups of every session this workload serves.</summary>
    public RunGroups Groups { get; } = new();

    /// <summary>Whether <c>memory</c> requests are answered (each collects the whole heap: only on a server compare starts for itself).</summary>
    public bool AnswersMemory { get; init; }

    /// <summary>Serves one session until it ends.</summary>
    public async Task ServeAsync(RealtimeSession session, CancellationToken cancellationToken)
    {
        var client = new ClientState(session);
        try
        {
            await foreach (RealtimeMessage message in session.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
            {
                long arrival = CompareClock.NowMicroseconds;
                if (message.Type != MessageType.Text)
                {
                    await RefuseAsync(session, "workload messages are text (JSON)", null, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                CompareRequest? request = CompareRequestReader.Read(message.Data, out string? kind, out string? error);
                if (request is null)
                {
                    await RefuseAsync(session, error!, kind, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (await HandleAsync(client, request, arrival, cancellationToken).ConfigureAwait(false) is { } refusal)
                {
                    await RefuseAsync(session, refusal, kind, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (RealtimeSessionClosedException)
        {
            // The session ended (or crossed its queue's bound) while something was being sent to it.
        }
        finally
        {
            await client.StopTickerAsync().ConfigureAwait(false);
            if (client.Group is { } group)
            {
                Groups.Leave(group, client.Member!);
            }
        }
    }

    /// <summary>Does what <paramref name="request"/> asks; returns why it cannot, or null.</summary>
    private async ValueTask<string?> HandleAsync(ClientState client, CompareRequest request, long arrival, CancellationToken cancellationToken)
    {
        RealtimeSession session = client.Session;
        switch (request)
        {
            case HelloRequest hello:
                if (client.Group is { } joined)
                {
                    return $"this session is in run '{joined.Run}' already";
                }

                client.Member = new CompareMember(session, hello.Client);
                (client.Group, int members) = Groups.Join(hello.Run, client.Member);
                await session.SendAsync(MessageType.Text, CompareMessages.Hello(hello.Run, hello.Client, members), cancellationToken).ConfigureAwait(false);
                return null;

            case PingRequest ping:
                await session.SendAsync(MessageType.Text, CompareMessages.Pong(ping.ClientTime, CompareClock.NowMicroseconds), cancellationToken).ConfigureAwait(false);
                return null;

            case ChatRequest chat:
                if (client.Group is not { } group)
                {
                    return "chat needs a hello first (the run group it goes to)";
                }

                await FanOutAsync(group, CompareMessages.Chat(client.Member!.Client, chat, arrival, CompareClock.NowMicroseconds)).ConfigureAwait(false);
                return null;

            case TickerRequest ticker:
                return client.StartTicker(ticker, cancellationToken) ? null : "a ticker is running for this client (stop it first)";

            case BurstRequest burst:
                for (long n = 0; n < burst.Count; n++)
                {
                    await session.SendAsync(MessageType.Text, CompareMessages.Numbered("burst", n, CompareClock.NowMicroseconds, burst.Size), cancellationToken).ConfigureAwait(false);
                }

                await session.SendAsync(MessageType.Text, CompareMessages.Done("burst", burst.Count), cancellationToken).ConfigureAwait(false);
                return null;

            case StopRequest:
                await client.StopTickerAsync().ConfigureAwait(false);
                return null;

            case MemoryRequest:
                if (!AnswersMemory)
                {
                    return "memory requests are not answered here (duplex serve --compare-memory)";
                }

                await session.SendAsync(MessageType.Text, CompareMessages.Memory(LiveHeap()), cancellationToken).ConfigureAwait(false);
                return null;

            default:
                return "not a workload request";
        }
    }

    /// <summary>The managed heap that is live: collected fully twice, finalizers run between, so that what is left is held by someone.</summary>
    private static long LiveHeap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }

    /// <summary>Sends one chat message to every member of the group; a member whose session ended (or is full) is skipped.</summary>
    private static async ValueTask FanOutAsync(RunGroup group, byte[] message)
    {
        foreach (CompareMember member in group.Members)
        {
            try
            {
                // Never waits (RealtimeSession.SendAsync queues), so one slow member does not delay the others.
                await member.Session.SendAsync(MessageType.Text, message, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RealtimeSessionClosedException)
            {
                // That member's session is over; its handler takes it out of the group.
            }
        }
    }

    private async ValueTask RefuseAsync(RealtimeSession session, string reason, string? kind, CancellationToken cancellationToken)
    {
        CliLog.CompareMessageRefused(logger, kind ?? "(none)", reason);
        await session.SendAsync(MessageType.Text, CompareMessages.Error(reason, kind), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One session's part of the workload: its group and its ticker.</summary>
    private sealed class ClientState(RealtimeSession session)
    {
        private readonly Lock _gate = new();
        private CancellationTokenSource? _tickerStop;
        private Task _ticker = Task.CompletedTask;

        public RealtimeSession Session { get; } = session;

        public RunGroup? Group { get; set; }

        public CompareMember? Member { get; set; }

        /// <summary>Starts the ticker; false when one is running.</summary>
        public bool StartTicker(TickerRequest request, CancellationToken sessionEnded)
        {
            lock (_gate)
            {
                if (!_ticker.IsCompleted)
                {
                    return false;
                }

                _tickerStop?.Dispose();
                _tickerStop = CancellationTokenSource.CreateLinkedTokenSource(sessionEnded);
                _ticker = RunTickerAsync(Session, request, _tickerStop.Token);
                return true;
            }
        }

        /// <summary>Stops the ticker, if one runs, and waits until it has said done.</summary>
        public async Task StopTickerAsync()
        {
            Task ticker;
            lock (_gate)
            {
                _tickerStop?.Cancel();
                ticker = _ticker;
            }

            await ticker.ConfigureAwait(false);
        }

        /// <summary>
        /// Sends the ticks at their intended times, then done (with the count sent, and
        /// <c>stopped</c> when a stop or the session's end cut it short).
        /// </summary>
        private static async Task RunTickerAsync(RealtimeSession session, TickerRequest request, CancellationToken stop)
        {
            await Task.Yield();
            var pacer = new TickerPacer(request.Rate);
            long sent = 0;
            try
            {
                for (; sent < request.Count; sent++)
                {
                    await pacer.WaitForAsync(sent, stop).ConfigureAwait(false);
                    await session.SendAsync(MessageType.Text, CompareMessages.Numbered("tick", sent, CompareClock.NowMicroseconds, request.Size), CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped: done says how many went.
            }
            catch (RealtimeSessionClosedException)
            {
                return;
            }

            try
            {
                await session.SendAsync(MessageType.Text, CompareMessages.Done("ticker", sent, stopped: sent < request.Count), CancellationToken.None).ConfigureAwait(false);
            }
            catch (RealtimeSessionClosedException)
            {
                // The session ended with the ticker.
            }
        }
    }
}
