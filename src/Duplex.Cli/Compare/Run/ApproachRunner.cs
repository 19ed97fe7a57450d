using System.Diagnostics;
using System.Globalization;
using Duplex.Cli.Compare.Measure;
using Duplex.Cli.Compare.Wire;
using Duplex.Realtime;

namespace Duplex.Cli.Compare.Run;

/// <summary>
/// Runs every workload of one approach with N clients through a <see cref="WireRelay"/> and turns
/// what the relay, the clients and the server process saw into an <see cref="ApproachResult"/>:
/// connect, a warm-up, the ticker (server → client), the chat (both ways: full-duplex is observed
/// here), a burst, an idle window.
/// </summary>
internal sealed class ApproachRunner(CompareApproach approach, CompareSettings settings, Uri endpoint, IProgress<string> progress)
{
    /// <summary>Twice the longest a client holds an acknowledgement with nothing to ride on (a quarter heartbeat, at most 250 ms).</summary>
    private static readonly TimeSpan AcknowledgementsSettle = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a client may take to open its session.</summary>
    private static readonly TimeSpan ConnectBound = TimeSpan.FromSeconds(15);

    private readonly List<WorkloadClient> _clients = [];
    private readonly List<WorkloadResult> _workloads = [];
    private readonly WorkloadProbe _probe = new();
    private readonly string _run = "cmp-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Whether the server reads this machine's monotonic clock (it runs here: one clock for every
    /// process), so that no offset is estimated. An estimate by ping is biased on a transport
    /// whose two directions differ in delay (a pong waits for the next short poll).
    /// </summary>
    public bool SameClock { get; init; }

    /// <summary>
    /// The server's clock minus this machine's, estimated once for the run on a transport whose
    /// two directions have the same delay; null to estimate it by ping on each client's own transport.
    /// </summary>
    public long? ClockOffset { get; init; }

    /// <summary>A warm-up of the server: no idle window, and nobody reads the result.</summary>
    public bool Warmup { get; init; }

    /// <summary>The server process, when compare started it (its CPU time and memory are read); null for a given URL.</summary>
    public ServerProcess? Server { get; init; }

    public async Task<ApproachResult> RunAsync(CancellationToken cancellationToken)
    {
        System.Net.IPAddress[] addresses = await System.Net.Dns.GetHostAddressesAsync(endpoint.DnsSafeHost, cancellationToken).ConfigureAwait(false);
        await using WireRelay relay = WireRelay.Start(new System.Net.IPEndPoint(addresses[0], endpoint.Port));
        var relayed = new UriBuilder(endpoint) { Host = "127.0.0.1", Port = relay.EndPoint.Port }.Uri;
        try
        {
            return await MeasureAsync(relay, relayed, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RunFailure.IsReported(ex))
        {
            cancellationToken.ThrowIfCancellationRequested();
            return NotRan(ex is TimeoutException ? "timed out: " + ex.Message : NoHttp2(ex) ? NoHttp2Reason + ex.Message : ex.Message);
        }
        finally
        {
            await Task.WhenAll(_clients.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
    }

    /// <summary>What a row over HTTP/2 says when its server answered in HTTP/1.1 (the built-in server answers the HTTP/2 preface with 505).</summary>
    public const string NoHttp2Reason = "the server does not speak HTTP/2 over cleartext (h2c with prior knowledge), as duplex serve --aspnetcore does: ";

    /// <summary>Whether <paramref name="ex"/> is an HTTP/2 connection that the server broke by answering in another protocol.</summary>
    private bool NoHttp2(Exception ex)
    {
        for (Exception? e = ex; approach.Http2 && e is not null; e = e.InnerException)
        {
            if (e is System.Net.Http.HttpRequestException { HttpRequestError: System.Net.Http.HttpRequestError.HttpProtocolError })
            {
                return true;
            }
        }

        return false;
    }

    private ApproachResult NotRan(string error) => new()
    {
        Id = approach.Id,
        Name = approach.Name(settings.PollInterval),
        HttpVersion = approach.HttpVersion,
        Server = settings.Target is null ? approach.Server : settings.Target.ToString(),
        Ran = false,
        Error = error,
    };

    private async Task<ApproachResult> MeasureAsync(WireRelay relay, Uri relayed, CancellationToken cancellationToken)
    {
        int n = settings.Clients;
        TimeSpan window = settings.WorkloadWindow;

        // Memory: the server's live heap before and after the clients connect, asked by a session
        // of its own (straight to the server, not through the relay, so the wire counts are the clients').
        await using WorkloadClient? memory = Server is null ? null : new WorkloadClient(0, _run + "-memory", endpoint, CompareApproach.Find("websocket")!.ClientOptions(settings.PollInterval, TimeSpan.FromSeconds(5)), new WorkloadProbe());
        long? heapBefore = null;
        if (memory is not null)
        {
            await memory.ConnectAsync(ConnectBound, cancellationToken).ConfigureAwait(false);
            heapBefore = await memory.MemoryAsync(ConnectBound, cancellationToken).ConfigureAwait(false);
        }

        WireCounts start = relay.Snapshot();

        progress.Report($"{approach.Id}: connecting {n} clients");
        for (int i = 0; i < n; i++)
        {
            _clients.Add(new WorkloadClient(i, _run, relayed, approach.ClientOptions(settings.PollInterval, TimeSpan.FromSeconds(5)), _probe));
        }

        await Task.WhenAll(_clients.Select(c => c.ConnectAsync(ConnectBound, cancellationToken))).ConfigureAwait(false);
        if (!SameClock && ClockOffset is long offset)
        {
            _clients.ForEach(c => c.OffsetMicroseconds = offset);
        }
        else if (!SameClock)
        {
            await Task.WhenAll(_clients.Select(c => c.SyncClockAsync(5, cancellationToken))).ConfigureAwait(false);
        }
        long? heapConnected = memory is null ? null : await memory.MemoryAsync(ConnectBound, cancellationToken).ConfigureAwait(false);
        string? transport = _clients[0].Client.Transport is { } t ? RealtimeTransports.Name(t) : null;

        // Warm-up: every path of the workload once, not recorded.
        _probe.Phase = null;
        await Task.WhenAll(_clients.Select(c => c.TickerAsync(50, 5, settings.MessageBytes, Bound(TimeSpan.FromSeconds(1)), cancellationToken))).ConfigureAwait(false);

        TimeSpan? measuredFrom = Server?.CpuTime();
        long measuredStart = Stopwatch.GetTimestamp();

        // Ticker: server → client at a fixed rate.
        progress.Report($"{approach.Id}: ticker, {settings.TickerRate:0.#}/s to each of {n} clients for {window.TotalSeconds:0.#} s");
        int ticks = Math.Max(1, (int)Math.Round(settings.TickerRate * window.TotalSeconds));
        _probe.Phase = "ticker";
        foreach (WorkloadClient client in _clients)
        {
            _probe.Checker.Expect(client.Stream("ticker", "ticker", null), ticks);
        }

        WireCounts tickerStart = relay.Snapshot();
        long tickerBegan = Stopwatch.GetTimestamp();
        await Task.WhenAll(_clients.Select(c => c.TickerAsync(settings.TickerRate, ticks, settings.MessageBytes, Bound(window), cancellationToken))).ConfigureAwait(false);
        WireCounts ticker = relay.Snapshot().Since(tickerStart);
        _workloads.Add(Workload("ticker", tickerBegan, (long)ticks * n, (long)ticks * n, ticker));

        // Chat: every client sends now and then, everyone receives every message.
        progress.Report($"{approach.Id}: chat, {settings.ChatRate:0.#}/s from each of {n} clients for {window.TotalSeconds:0.#} s");
        int each = Math.Max(1, (int)Math.Round(settings.ChatRate * window.TotalSeconds));
        _probe.Phase = "chat";
        foreach (WorkloadClient receiver in _clients)
        {
            foreach (WorkloadClient sender in _clients)
            {
                _probe.Checker.Expect(receiver.Stream("chat", "chat", sender.Index), each);
            }

            receiver.ExpectChat((long)each * n);
        }

        WireCounts chatStart = relay.Snapshot();
        long chatBegan = Stopwatch.GetTimestamp();
        await Task.WhenAll(_clients.Select(c => ChatAsync(c, each, window, cancellationToken))).ConfigureAwait(false);
        await Task.WhenAll(_clients.Select(c => c.ChatDelivered(Bound(TimeSpan.Zero), cancellationToken))).ConfigureAwait(false);
        WireCounts chat = relay.Snapshot().Since(chatStart);
        _workloads.Add(Workload("chat", chatBegan, (long)each * n, (long)each * n * n, chat));

        // Burst: as many as the transport carries at once.
        progress.Report($"{approach.Id}: burst of {settings.BurstCount} to each client");
        _probe.Phase = "burst";
        foreach (WorkloadClient client in _clients)
        {
            _probe.Checker.Expect(client.Stream("burst", "burst", null), settings.BurstCount);
        }

        WireCounts burstStart = relay.Snapshot();
        long burstBegan = Stopwatch.GetTimestamp();
        long[] burstMicros = await Task.WhenAll(_clients.Select(c => c.BurstAsync(settings.BurstCount, settings.MessageBytes, Bound(TimeSpan.Zero), cancellationToken))).ConfigureAwait(false);
        WireCounts burst = relay.Snapshot().Since(burstStart);
        _workloads.Add(Workload("burst", burstBegan, (long)settings.BurstCount * n, (long)settings.BurstCount * n, burst));
        double burstMs = burstMicros.Max() / 1000.0;

        // Idle: heartbeats (and polls) only; at least one heartbeat interval long. It opens once the
        // acknowledgements of the burst, which a client may hold a while (docs/PROTOCOL.md §4: within a heartbeat), are out.
        TimeSpan idle = Warmup ? TimeSpan.Zero : settings.IdleWindow;
        progress.Report($"{approach.Id}: idle for {idle.TotalSeconds:0.#} s");
        _probe.Phase = null;
        if (!Warmup)
        {
            await Task.Delay(AcknowledgementsSettle, cancellationToken).ConfigureAwait(false);
        }

        WireCounts idleStart = relay.Snapshot();
        long idleBegan = Stopwatch.GetTimestamp();
        await Task.Delay(idle, cancellationToken).ConfigureAwait(false);
        WireCounts idleCounts = relay.Snapshot().Since(idleStart);
        _workloads.Add(Workload("idle", idleBegan, 0, 0, idleCounts));

        double measuredSeconds = Stopwatch.GetElapsedTime(measuredStart).TotalSeconds;
        TimeSpan? measuredTo = Server?.CpuTime();
        WireCounts whole = relay.Snapshot().Since(start);
        string? transportNow = _clients[0].Client.Transport is { } now ? RealtimeTransports.Name(now) : transport;
        await Task.WhenAll(_clients.Select(c => c.CloseAsync(cancellationToken))).ConfigureAwait(false);

        return new ApproachResult
        {
            Id = approach.Id,
            Name = approach.Name(settings.PollInterval),
            Transport = transportNow,
            HttpVersion = approach.HttpVersion,
            Server = settings.Target is null ? approach.Server : settings.Target.ToString(),
            Ran = true,
            DownLatency = _probe.Down.Summarize(),
            UpLatency = _probe.Up.Summarize(),
            FullDuplex = FullDuplex(chat, n),
            Down = Cost(ticker, (long)ticks * n),
            Up = Cost(chat, (long)each * n),
            BytesPerSend = SendCost(ticker, (long)ticks * n, chat, (long)each * n, (long)each * n * n),
            ConnectionsPerClient = (double)whole.Connections / n,
            Idle = new IdleCost(idle.TotalSeconds, (idleCounts.BytesUp + idleCounts.BytesDown) / idle.TotalSeconds / n, idleCounts.Requests / idle.TotalSeconds / n),
            Burst = new BurstResult(settings.BurstCount, burstMs, burstMs > 0 ? settings.BurstCount * n / (burstMs / 1000) : 0),
            ServerCost = Cost(heapBefore, heapConnected, measuredFrom, measuredTo, measuredSeconds, n),
            Integrity = _probe.Checker.Result(),
            Workloads = _workloads,
        };
    }

    /// <summary>A bound for a workload of <paramref name="window"/>: the window, twice over, and ten seconds for a slow machine and long polls.</summary>
    private static TimeSpan Bound(TimeSpan window) => window + window + TimeSpan.FromSeconds(10);

    private async Task ChatAsync(WorkloadClient client, int count, TimeSpan window, CancellationToken cancellationToken)
    {
        string padding = WorkloadClient.Padding(settings.MessageBytes);

        // Senders start spread over one interval, so that the chat is not N messages at once.
        TimeSpan interval = window / count;
        long began = Stopwatch.GetTimestamp() + (long)(interval.TotalSeconds * Stopwatch.Frequency * client.Index / settings.Clients);
        for (int i = 0; i < count; i++)
        {
            long due = began + (long)(interval.TotalSeconds * Stopwatch.Frequency * i);
            TimeSpan wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            await client.SendChatAsync(i, padding, cancellationToken).ConfigureAwait(false);
        }
    }

    private static WorkloadResult Workload(string name, long began, long sent, long delivered, WireCounts counts) =>
        new(name, Stopwatch.GetElapsedTime(began).TotalSeconds, sent, delivered, counts.BytesUp, counts.BytesDown, counts.Requests, counts.Connections);

    private static WireCost Cost(WireCounts counts, long messages) => messages == 0
        ? WireCost.None
        : new WireCost(messages, (double)counts.BytesDown / messages, (double)counts.BytesUp / messages, (double)counts.Requests / messages);

    /// <summary>
    /// Bytes up per message sent, receiving's upward cost taken out: the ticker window says what
    /// going up costs per delivered message (polls, acknowledgements); the chat window's deliveries
    /// cost that too, and what is left went up to carry the sends.
    /// </summary>
    internal static double SendCost(WireCounts ticker, long tickerDelivered, WireCounts chat, long sent, long chatDelivered)
    {
        if (sent == 0)
        {
            return 0;
        }

        double receivingUp = tickerDelivered == 0 ? 0 : (double)ticker.BytesUp / tickerDelivered;
        return Math.Max(0, chat.BytesUp - (receivingUp * chatDelivered)) / sent;
    }

    /// <summary>Observed, not declared: most of the client's upstream transfers went out under a response in flight on the same connection.</summary>
    private static FullDuplexResult FullDuplex(WireCounts chat, int clients)
    {
        bool observed = chat.UpstreamTransfers > 0 && chat.OverlappingTransfers * 2 >= chat.UpstreamTransfers;
        string evidence = string.Create(
            CultureInfo.InvariantCulture,
            $"{chat.OverlappingTransfers:N0} of {chat.UpstreamTransfers:N0} upstream transfers went out on a connection with a server response in flight; {chat.ConnectionsUsed:N0} connections carried upstream transfers for {clients} clients");
        return new FullDuplexResult(observed, chat.UpstreamTransfers, chat.OverlappingTransfers, chat.ConnectionsUsed, evidence);
    }

    /// <summary>CPU from the process's times over the measured workloads; memory from its live heap before and after the clients connected.</summary>
    private static ServerCost Cost(long? heapBefore, long? heapConnected, TimeSpan? from, TimeSpan? to, double seconds, int clients)
    {
        if (heapBefore is not long before || heapConnected is not long after || from is not { } a || to is not { } b || seconds <= 0)
        {
            return ServerCost.None;
        }

        double cpuMsPerClientSecond = (b - a).TotalMilliseconds / clients / seconds;
        double memoryPerClient = Math.Max(0, after - before) / (double)clients;
        return new ServerCost(cpuMsPerClientSecond, memoryPerClient);
    }
}
