using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Duplex.Cli.Faults;

namespace Duplex.Cli.Compare.Run;

/// <summary>
/// The whole of <c>duplex compare</c>: its own servers (or the one given), every approach one after
/// the other through a counting relay, then the survival matrix (every approach through every fault,
/// all at once: each cell has its own proxy and session), gathered into one <see cref="CompareReport"/>.
/// </summary>
internal sealed class CompareRunner(CompareSettings settings, IProgress<string> progress)
{
    /// <summary>The path of the compare workload on <c>duplex serve</c>.</summary>
    public const string WorkloadPath = "/compare";

    public async Task<CompareReport> RunAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset startedAt = DateTimeOffset.UtcNow;
        long started = Stopwatch.GetTimestamp();
        var notes = new List<string>();
        ServerProcess? builtIn = null;
        ServerProcess? aspNetCore = null;
        string? builtInError = null;
        string? aspNetCoreError = null;
        try
        {
            if (settings.Target is null)
            {
                progress.Report("starting duplex serve and duplex serve --aspnetcore on loopback");
                Task<ServerProcess> first = ServerProcess.StartAsync(aspNetCore: false, settings.Heartbeat, cancellationToken);
                Task<ServerProcess> second = ServerProcess.StartAsync(aspNetCore: true, settings.Heartbeat, cancellationToken);
                (builtIn, builtInError) = await Started(first).ConfigureAwait(false);
                (aspNetCore, aspNetCoreError) = await Started(second).ConfigureAwait(false);
                progress.Report("warming the servers up (code loaded and compiled once, not charged to the first approach)");
                await Task.WhenAll(WarmUpAsync(builtIn, http2: false, cancellationToken), WarmUpAsync(aspNetCore, http2: true, cancellationToken)).ConfigureAwait(false);
            }

            long? clockOffset = null;
            string clockUsed = "same";
            bool sameClock = settings.Clock switch
            {
                CompareClock.Same => true,
                CompareClock.Estimate => false,
                _ => settings.Target is null || SameMachine(Endpoint(null)),
            };
            if (settings.Target is not null || (!sameClock && builtIn is not null))
            {
                progress.Report(sameClock
                    ? "asking the server its heartbeat"
                    : "asking the server its heartbeat and estimating its clock (WebSocket, else long polling: both directions equally quick)");
                ServerProbe probe = await ProbeAsync(Endpoint(settings.Target is null ? builtIn : null), estimateClock: !sameClock, cancellationToken).ConfigureAwait(false);
                if (settings.Target is not null && probe.Heartbeat is { } heartbeat)
                {
                    // A given server's own heartbeat sets the idle window and the faults' timings, not --heartbeat.
                    settings = settings with { Heartbeat = heartbeat };
                }

                if (!sameClock)
                {
                    clockOffset = probe.ClockOffset;
                    clockUsed = probe.Over is null ? "pinged per client" : "estimated over " + probe.Over;
                    if (clockOffset is null)
                    {
                        notes.Add("the server's clock could not be estimated on WebSocket or long polling: each client pinged on its own transport, which biases short polling's latencies by up to half a poll interval");
                    }
                }
            }

            var approaches = new List<ApproachResult>();
            foreach (string id in settings.Approaches)
            {
                CompareApproach approach = CompareApproach.Find(id) ?? throw new ArgumentException($"unknown approach {id}");
                ServerProcess? server = approach.Http2 ? aspNetCore : builtIn;
                string? error = approach.Http2 ? aspNetCoreError : builtInError;
                ApproachResult result;
                if (settings.Target is null && server is null)
                {
                    result = new ApproachResult { Id = approach.Id, Name = approach.Name(settings.PollInterval), HttpVersion = approach.HttpVersion, Server = approach.Server, Ran = false, Error = error };
                }
                else
                {
                    Uri endpoint = Endpoint(server);
                    result = await new ApproachRunner(approach, settings, endpoint, progress) { Server = server, SameClock = sameClock, ClockOffset = clockOffset }.RunAsync(cancellationToken).ConfigureAwait(false);
                }

                approaches.Add(result);
                progress.Report(result.Ran ? $"{approach.Id}: done" : $"{approach.Id}: did not run: {result.Error}");
            }

            IReadOnlyList<SurvivalResult> survival = [];
            if (settings.Survival)
            {
                // An approach that could not run at all (its server lacks it) is not tried through the faults either.
                var ran = approaches.Where(a => a.Ran).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
                survival = await SurviveAsync(builtIn, aspNetCore, ran, cancellationToken).ConfigureAwait(false);
            }

            notes.AddRange(Notes(approaches, survival));
            return new CompareReport
            {
                DuplexVersion = typeof(CompareRunner).Assembly.GetName().Version?.ToString(3) ?? "0",
                StartedAt = startedAt,
                WallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
                Settings = new CompareSettingsReport
                {
                    Target = settings.Target?.ToString() ?? "loopback",
                    Clients = settings.Clients,
                    DurationSeconds = settings.DurationSeconds,
                    MessageBytes = settings.MessageBytes,
                    TickerRate = settings.TickerRate,
                    ChatRate = settings.ChatRate,
                    BurstCount = settings.BurstCount,
                    PollIntervalMs = settings.PollInterval.TotalMilliseconds,
                    HeartbeatMs = settings.Heartbeat.TotalMilliseconds,
                    CommandLine = settings.CommandLine,
                    Clock = clockUsed,
                    ClockOffsetMicroseconds = clockOffset,
                },
                Machine = Machine(),
                Approaches = approaches,
                Survival = survival,
                Notes = notes,
            };
        }
        finally
        {
            if (builtIn is not null)
            {
                await builtIn.DisposeAsync().ConfigureAwait(false);
            }

            if (aspNetCore is not null)
            {
                await aspNetCore.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether <paramref name="endpoint"/> is on this machine (loopback), so its server reads the same monotonic clock.</summary>
    private static bool SameMachine(Uri endpoint) =>
        endpoint.IsLoopback || (IPAddress.TryParse(endpoint.DnsSafeHost, out IPAddress? address) && IPAddress.IsLoopback(address));

    /// <summary>One session on every transport the server has (through no relay), its results thrown away.</summary>
    private async Task WarmUpAsync(ServerProcess? server, bool http2, CancellationToken cancellationToken)
    {
        if (server is null)
        {
            return;
        }

        var quick = settings with { Clients = 1, DurationSeconds = 0.25, BurstCount = 10, Survival = false };
        foreach (CompareApproach approach in CompareApproach.All.Where(a => a.Http2 == http2 && a.Transport is not null))
        {
            try
            {
                await new ApproachRunner(approach, quick, Endpoint(server), new Progress<string>()) { SameClock = true, Warmup = true }.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException)
            {
                // A warm-up that fails is seen again, and reported, in the run itself.
            }
        }
    }

    /// <summary>
    /// The server's clock minus this machine's, from pings over WebSocket (or long polling, where a
    /// pong goes out on the poll held open): a transport whose two directions are equally quick, so
    /// the midpoint of a round trip is when the server answered. Over short polling it is not: a
    /// pong waits for the next poll. The same session reads the heartbeat the server negotiates.
    /// Nothing is known when neither transport opens.
    /// </summary>
    private async Task<ServerProbe> ProbeAsync(Uri endpoint, bool estimateClock, CancellationToken cancellationToken)
    {
        foreach (string id in (string[])["websocket", "long-polling"])
        {
            CompareApproach approach = CompareApproach.Find(id)!;
            var probe = new WorkloadProbe();
            var client = new WorkloadClient(0, "cmp-probe-" + Guid.NewGuid().ToString("N")[..8], endpoint, approach.ClientOptions(settings.PollInterval, TimeSpan.FromSeconds(5)), probe);
            await using (client.ConfigureAwait(false))
            {
                try
                {
                    await client.ConnectAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                    long? offset = null;
                    if (estimateClock)
                    {
                        await client.SyncClockAsync(10, cancellationToken).ConfigureAwait(false);
                        offset = client.OffsetMicroseconds;
                    }

                    TimeSpan? heartbeat = client.Client.Heartbeat;
                    await client.CloseAsync(cancellationToken).ConfigureAwait(false);
                    return new ServerProbe(heartbeat, offset, estimateClock ? id : null);
                }
                catch (Exception ex) when (RunFailure.IsReported(ex))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        return new ServerProbe(null, null, null);
    }

    /// <summary>What a probe session learnt of the server: its heartbeat, and its clock's offset and over which transport (when asked).</summary>
    private sealed record ServerProbe(TimeSpan? Heartbeat, long? ClockOffset, string? Over);

    private static async Task<(ServerProcess? Server, string? Error)> Started(Task<ServerProcess> starting)
    {
        try
        {
            return (await starting.ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            return (null, "its server did not start: " + ex.Message);
        }
    }

    private Uri Endpoint(ServerProcess? server)
    {
        if (server is not null)
        {
            return new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{server.EndPoint.Port}{WorkloadPath}"));
        }

        Uri target = settings.Target!;
        return target.AbsolutePath.TrimEnd('/').Length == 0 ? new Uri(target, WorkloadPath) : target;
    }

    private async Task<IReadOnlyList<SurvivalResult>> SurviveAsync(ServerProcess? builtIn, ServerProcess? aspNetCore, HashSet<string> ran, CancellationToken cancellationToken)
    {
        // A given server is looked up once; our own are where they listen.
        IPEndPoint? target = settings.Target is { } given
            ? new IPEndPoint((await Dns.GetHostAddressesAsync(given.DnsSafeHost, cancellationToken).ConfigureAwait(false))[0], given.Port)
            : null;
        string targetPath = settings.Target is null ? WorkloadPath : Endpoint(null).AbsolutePath;
        var cells = new List<Task<SurvivalResult>>();
        foreach (FaultMode mode in SurvivalRunner.Faults)
        {
            foreach (string id in settings.Approaches.Where(ran.Contains))
            {
                CompareApproach approach = CompareApproach.Find(id)!;
                ServerProcess? server = approach.Http2 ? aspNetCore : builtIn;
                IPEndPoint? upstream = server?.EndPoint ?? target;
                if (upstream is not null)
                {
                    cells.Add(new SurvivalRunner(mode, approach, settings, upstream, server is null ? targetPath : WorkloadPath).RunAsync(cancellationToken));
                }
            }
        }

        progress.Report($"survival: {cells.Count} sessions through {SurvivalRunner.Faults.Count} faults at once");
        return await Task.WhenAll(cells).ConfigureAwait(false);
    }

    private static IEnumerable<string> Notes(IReadOnlyList<ApproachResult> approaches, IReadOnlyList<SurvivalResult> survival)
    {
        foreach (ApproachResult a in approaches)
        {
            if (!a.Ran)
            {
                yield return $"{a.Id} did not run: {a.Error}";
            }
            else if (!a.Integrity.Clean || a.Integrity.Delivered != a.Integrity.Expected)
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"{a.Id}: {a.Integrity.Lost} lost, {a.Integrity.Duplicated} duplicated, {a.Integrity.Reordered} reordered of {a.Integrity.Expected} — a session must lose, repeat and reorder nothing");
            }
        }

        foreach (SurvivalResult s in survival.Where(s => !s.Integrity.Clean))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{s.Approach} through {s.Fault}: {s.Integrity.Lost} lost, {s.Integrity.Duplicated} duplicated, {s.Integrity.Reordered} reordered");
        }

        double? load = LoadAverage();
        if (load is { } l && l > Environment.ProcessorCount)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"the machine was busy (load average {l:0.0} on {Environment.ProcessorCount} cores): latencies and CPU times are higher than on a quiet machine");
        }
    }

    private static MachineReport Machine() => new(RuntimeInformation.OSDescription, Environment.ProcessorCount, RuntimeInformation.FrameworkDescription, LoadAverage());

    private static double? LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
