using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Duplex.Realtime;
using Microsoft.AspNetCore.Http.Connections;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// <c>duplex bench sessions</c>: N clients of one library, pinned to one transport, through a
/// <see cref="CountingRelay"/> to its server, in two windows, each after a warm-up of its own:
/// <b>down</b>, the server pushes every client a stamped message R times a second (the clients
/// send nothing), and each client records each message's age; <b>up</b>, every client sends R
/// stamped messages a second (the server pushes nothing), and the server's handler records each
/// age on arrival. Each window counts what crossed the relay (bytes both ways, connections, HTTP
/// requests), so each direction's cost is its own, acknowledgements and polls included.
/// </summary>
internal sealed class SessionBench : BenchRunBase
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(5);

    private readonly SessionSettings _settings;
    private readonly BenchCommon _common;
    private readonly List<IBenchClient> _clients = [];
    private readonly LatencyRecorder _downLatency;

    private SessionBench(SessionSettings settings, BenchCommon common)
    {
        _settings = settings;
        _common = common;
        _downLatency = new LatencyRecorder(settings.Clients);
    }

    /// <summary>The transport's name as the report gives it (Duplex's wire names).</summary>
    public static string TransportName(RealtimeTransport transport) => RealtimeTransports.Name(transport);

    /// <summary>SignalR's transport for one of Duplex's; null for short polling, which SignalR does not have.</summary>
    public static HttpTransportType? SignalRTransport(RealtimeTransport transport) => transport switch
    {
        RealtimeTransport.WebSocket => HttpTransportType.WebSockets,
        RealtimeTransport.ServerSentEvents => HttpTransportType.ServerSentEvents,
        RealtimeTransport.LongPolling => HttpTransportType.LongPolling,
        _ => null,
    };

    public static Task<int> RunAsync(SessionSettings settings, BenchCommon common, CliContext context, CancellationToken cancellationToken) =>
        new SessionBench(settings, common).RunAsync(context, cancellationToken);

    private async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var progress = new ProgressLine(context, _common.Quiet);
        var table = new BenchTable();
        DuplexBenchServer? local = null;
        Uri control;
        if (_settings.Url is null)
        {
            local = await DuplexBenchServer.StartAsync(IPAddress.Loopback, 0, null, null, cancellationToken).ConfigureAwait(false);
            control = new Uri($"http://127.0.0.1:{local.EndPoint.Port}/");
        }
        else
        {
            control = _settings.Url;
        }

        IPEndPoint upstream = await ResolveAsync(control, cancellationToken).ConfigureAwait(false);
        using var http = new HttpClient { BaseAddress = control, Timeout = _common.Timeout + _settings.Duration + _settings.Warmup };
        await using CountingRelay relay = CountingRelay.Start(upstream);
        var cpu = new CpuMeter(_common.ServerPid);
        var report = new JsonObject();
        try
        {
            progress.Update($"sessions: connecting {_settings.Clients} {_settings.Server} clients on {TransportName(_settings.Transport)}");
            RelayCounts before = relay.Snapshot();
            long connectStart = BenchClock.Now;
            await ConnectAllAsync(relay.EndPoint, cancellationToken).ConfigureAwait(false);
            double connectSeconds = BenchClock.ToSeconds(BenchClock.Now - connectStart);
            RelayCounts connect = relay.Snapshot().Since(before);
            int seen = await WaitForClientsAsync(http, _clients.Count, cancellationToken).ConfigureAwait(false);
            if (seen != _clients.Count)
            {
                Error($"the server sees {seen} clients of {_clients.Count} connected");
            }

            cpu.Start();
            progress.Update($"sessions: server → client, {_settings.Rate} msg/s per client");
            SessionPhase down = await DownAsync(http, relay, cancellationToken).ConfigureAwait(false);
            progress.Update($"sessions: client → server, {_settings.Rate} msg/s per client");
            SessionPhase up = await UpAsync(http, relay, cancellationToken).ConfigureAwait(false);
            (JsonObject generator, JsonObject? server) = cpu.Stop();
            progress.Done();

            long sendFailures = _clients.Sum(c => c.SendFailures);
            if (sendFailures > 0)
            {
                Error($"{sendFailures} client sends failed");
            }

            if (down.Lost + up.Lost + down.Duplicates + up.Duplicates + down.Gaps + up.Gaps + down.Unreadable + up.Unreadable > 0)
            {
                Error($"delivery: down lost {down.Lost}, duplicates {down.Duplicates}, gaps {down.Gaps}; up lost {up.Lost}, duplicates {up.Duplicates}, gaps {up.Gaps}");
            }

            table.Add("server / transport", $"{(_settings.Server == BenchServerKind.Duplex ? "duplex" : "signalr")} / {TransportName(_settings.Transport)}{(local is null ? string.Empty : " (in-process server)")}");
            table.Add("clients", $"{_clients.Count} connected of {_settings.Clients} in {connectSeconds:0.00} s");
            int n = Math.Max(1, _clients.Count);
            table.Add("connect cost per client", $"{connect.BytesUp / (double)n:0} B up, {connect.BytesDown / (double)n:0} B down, {connect.Requests / (double)n:0.0} requests, {connect.Connections / (double)n:0.0} connections");
            table.Add("workload", $"{_settings.Rate} msg/s per client each way in turn, {_settings.Size} B text, {_settings.Duration.TotalSeconds:0.#} s measured after {_settings.Warmup.TotalSeconds:0.#} s warm-up");
            down.AddRows(table);
            up.AddRows(table);
            CpuMeter.AddRows(table, generator, server);
            JsonObject errors = ErrorsJson(table);

            report["benchmark"] = "sessions";
            report["server"] = _settings.Server == BenchServerKind.Duplex ? "duplex" : "signalr";
            report["transport"] = TransportName(_settings.Transport);
            report["clients"] = _settings.Clients;
            report["clientsConnected"] = _clients.Count;
            report["inProcessServer"] = local is not null;
            report["settings"] = new JsonObject
            {
                ["ratePerClient"] = _settings.Rate,
                ["size"] = _settings.Size,
                ["durationSeconds"] = _settings.Duration.TotalSeconds,
                ["warmupSeconds"] = _settings.Warmup.TotalSeconds,
                ["pollIntervalMs"] = _settings.PollInterval?.TotalMilliseconds,
            };
            report["connect"] = new JsonObject
            {
                ["seconds"] = Math.Round(connectSeconds, 3),
                ["bytesUpPerClient"] = Math.Round(connect.BytesUp / (double)n, 1),
                ["bytesDownPerClient"] = Math.Round(connect.BytesDown / (double)n, 1),
                ["requestsPerClient"] = Math.Round(connect.Requests / (double)n, 2),
                ["connectionsPerClient"] = Math.Round(connect.Connections / (double)n, 2),
            };
            report["down"] = down.ToJson();
            report["up"] = up.ToJson();
            report["framingBytesPerSmallMessageDown"] = Math.Round(down.OverheadBytesPerMessage, 2);
            report["generator"] = generator;
            report["serverCpu"] = server;
            report["errors"] = errors;
        }
        finally
        {
            await CloseAllAsync().ConfigureAwait(false);
            if (local is not null)
            {
                await local.DisposeAsync().ConfigureAwait(false);
            }
        }

        string title = $"duplex bench sessions: {report["server"]} {report["transport"]}, {_settings.Clients} clients";
        await BenchOutput.WriteAsync(context, _common, report, table, title).ConfigureAwait(false);
        return Errors + ConnectFailures == 0 ? 0 : 1;
    }

    private async Task ConnectAllAsync(IPEndPoint relay, CancellationToken cancellationToken)
    {
        string path = _settings.Server == BenchServerKind.Duplex ? DuplexBenchServer.BasePath : SignalRBenchClient.HubPath;
        var endpoint = new Uri($"http://127.0.0.1:{relay.Port}{path}");
        var clients = new IBenchClient?[_settings.Clients];
        using var gate = new SemaphoreSlim(_settings.Parallel);
        await Task.WhenAll(Enumerable.Range(0, _settings.Clients).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            IBenchClient client = Create(endpoint, i);
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(_common.Timeout);
                await client.ConnectAsync(deadline.Token).ConfigureAwait(false);
                clients[i] = client;
            }
#pragma warning disable CA1031 // Any failure of one client's connect is reported, and the run goes on with the others.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Keep($"client {i}: {ex.GetType().Name}: {ex.Message}");
                CountConnectFailure();
                await client.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        _clients.AddRange(clients.OfType<IBenchClient>());
    }

    private IBenchClient Create(Uri endpoint, int index)
    {
        var check = new DownstreamCheck(_downLatency, index);
        return _settings.Server == BenchServerKind.Duplex
            ? new DuplexBenchClient(endpoint, _settings.Transport, _settings.PollInterval, check)
            : new SignalRBenchClient(endpoint, SignalRTransport(_settings.Transport)!.Value, check);
    }

    private async Task<SessionPhase> DownAsync(HttpClient http, CountingRelay relay, CancellationToken cancellationToken)
    {
        if (_settings.Warmup > TimeSpan.Zero)
        {
            long warm = await PushAsync(http, _settings.Warmup, cancellationToken).ConfigureAwait(false);
            await DrainDownAsync(warm, "warm-up", cancellationToken).ConfigureAwait(false);
        }

        foreach (IBenchClient client in _clients)
        {
            client.Received.ResetCounts();
            client.Received.Recording = true;
        }

        RelayCounts start = relay.Snapshot();
        long t0 = BenchClock.Now;
        long sent = await PushAsync(http, _settings.Duration, cancellationToken).ConfigureAwait(false);
        await DrainDownAsync(sent, "measured", cancellationToken).ConfigureAwait(false);
        double seconds = BenchClock.ToSeconds(BenchClock.Now - t0);
        RelayCounts wire = relay.Snapshot().Since(start);
        foreach (IBenchClient client in _clients)
        {
            client.Received.Recording = false;
        }

        return new SessionPhase(
            "down", sent,
            _clients.Sum(c => c.Received.Received), _clients.Sum(c => c.Received.Duplicates), _clients.Sum(c => c.Received.Gaps), _clients.Sum(c => c.Received.Unreadable),
            seconds, _downLatency.Summarize(), wire, Math.Max(_settings.Size, SessionStamp.MinSize));
    }

    private async Task<SessionPhase> UpAsync(HttpClient http, CountingRelay relay, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPushTarget> targets = [.. _clients];
        int size = Math.Max(_settings.Size, SessionStamp.MinSize);
        if (_settings.Warmup > TimeSpan.Zero)
        {
            await PostAsync(http, "bench/reset", cancellationToken).ConfigureAwait(false);
            long warm = await PushLoop.RunAsync(() => targets, _settings.Rate, _settings.Warmup, size, cancellationToken).ConfigureAwait(false);
            await DrainUpAsync(http, warm, "warm-up", cancellationToken).ConfigureAwait(false);
        }

        await PostAsync(http, "bench/reset", cancellationToken).ConfigureAwait(false);
        RelayCounts start = relay.Snapshot();
        long t0 = BenchClock.Now;
        long sent = await PushLoop.RunAsync(() => targets, _settings.Rate, _settings.Duration, size, cancellationToken).ConfigureAwait(false);
        await DrainUpAsync(http, sent, "measured", cancellationToken).ConfigureAwait(false);
        double seconds = BenchClock.ToSeconds(BenchClock.Now - t0);
        RelayCounts wire = relay.Snapshot().Since(start);
        JsonElement arrivals = await GetJsonAsync(http, "bench/arrivals?ages=1", cancellationToken).ConfigureAwait(false);
        var latency = new LatencyRecorder(1);
        foreach (JsonElement age in arrivals.GetProperty("agesMicroseconds").EnumerateArray())
        {
            latency.RecordTicks(0, BenchClock.FromSeconds(age.GetInt64() / 1e6));
        }

        return new SessionPhase(
            "up", sent,
            arrivals.GetProperty("received").GetInt64(), arrivals.GetProperty("duplicates").GetInt64(), arrivals.GetProperty("gaps").GetInt64(), arrivals.GetProperty("unreadable").GetInt64(),
            seconds, latency.Summarize(), wire, size);
    }

    private async Task<long> PushAsync(HttpClient http, TimeSpan duration, CancellationToken cancellationToken)
    {
        string query = string.Create(CultureInfo.InvariantCulture, $"bench/push?rate={_settings.Rate}&seconds={duration.TotalSeconds}&size={Math.Max(_settings.Size, SessionStamp.MinSize)}");
        JsonElement answer = await PostAsync(http, query, cancellationToken).ConfigureAwait(false);
        return answer.GetProperty("sent").GetInt64();
    }

    /// <summary>Waits until the clients have received <paramref name="sent"/> messages since their counts were reset, up to the timeout.</summary>
    private async Task DrainDownAsync(long sent, string window, CancellationToken cancellationToken)
    {
        long deadline = BenchClock.Now + BenchClock.FromSeconds(_common.Timeout.TotalSeconds);
        long received;
        while ((received = _clients.Sum(c => c.Received.Received - c.Received.Duplicates)) < sent)
        {
            if (BenchClock.Now > deadline)
            {
                Error($"{window} server → client: {sent - received} of {sent} messages not delivered within {_common.Timeout.TotalSeconds:0.#} s");
                return;
            }

            await Task.Delay(DrainPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the server has received <paramref name="sent"/> messages since its last reset, up to the timeout.</summary>
    private async Task DrainUpAsync(HttpClient http, long sent, string window, CancellationToken cancellationToken)
    {
        long deadline = BenchClock.Now + BenchClock.FromSeconds(_common.Timeout.TotalSeconds);
        while (true)
        {
            JsonElement arrivals = await GetJsonAsync(http, "bench/arrivals", cancellationToken).ConfigureAwait(false);
            long received = arrivals.GetProperty("received").GetInt64() - arrivals.GetProperty("duplicates").GetInt64();
            if (received >= sent)
            {
                return;
            }

            if (BenchClock.Now > deadline)
            {
                Error($"{window} client → server: {sent - received} of {sent} messages not delivered within {_common.Timeout.TotalSeconds:0.#} s");
                return;
            }

            await Task.Delay(DrainPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> WaitForClientsAsync(HttpClient http, int expected, CancellationToken cancellationToken)
    {
        long deadline = BenchClock.Now + BenchClock.FromSeconds(_common.Timeout.TotalSeconds);
        while (true)
        {
            int seen = (await GetJsonAsync(http, "bench/clients", cancellationToken).ConfigureAwait(false)).GetProperty("clients").GetInt32();
            if (seen >= expected || BenchClock.Now > deadline)
            {
                return seen;
            }

            await Task.Delay(DrainPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CloseAllAsync()
    {
        using var deadline = new CancellationTokenSource(_common.Timeout);
        await Task.WhenAll(_clients.Select(c => c.CloseAsync(deadline.Token))).ConfigureAwait(false);
        foreach (IBenchClient client in _clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent([]);
        using HttpResponseMessage response = await http.PostAsync(new Uri(path, UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        using JsonDocument document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private static async Task<IPEndPoint> ResolveAsync(Uri url, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(url.Host.Trim('[', ']'), out IPAddress? address))
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(url.Host, cancellationToken).ConfigureAwait(false);
            address = addresses.First();
        }

        return new IPEndPoint(address, url.Port);
    }
}
