using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Duplex.Protocol.Frames;

namespace Duplex.Cli.Bench;

/// <summary>The settings of <c>duplex bench idle</c>.</summary>
internal sealed record IdleSettings(int Connections, IReadOnlyList<IPAddress> Sources, TimeSpan Hold, int Parallel);

/// <summary>
/// <c>duplex bench idle</c>: opens N WebSocket connections (source addresses in round robin) in
/// two halves, holds them idle, reads the server's resident memory before, between the halves
/// (once it has settled) and after, then pings every connection and counts the pongs.
/// </summary>
/// <remarks>
/// <para>
/// Two numbers come out: the total, (after − before) / N, which includes one-time costs such as
/// code JIT-compiled for the first connection and thread-pool threads; and the marginal,
/// (after − between) / connections of the second half, what each added connection costs.
/// </para>
/// <para>
/// The server needs an open-file limit above N too (<c>ulimit -n</c> in its shell): this command
/// raises only its own. Idle connections wait with zero-byte reads, so the generator holds no
/// receive buffer per connection either.
/// </para>
/// </remarks>
internal sealed class IdleBench : BenchRunBase
{
    private static readonly byte[] s_pingPayload = "duplex-bench"u8.ToArray();

    private readonly BenchTarget _target;
    private readonly IdleSettings _settings;
    private long _pongs;
    private long _closed;

    private IdleBench(BenchTarget target, IdleSettings settings)
    {
        _target = target;
        _settings = settings;
    }

    public static ReadOnlySpan<byte> PingPayload => s_pingPayload;

    public void OnPong() => Interlocked.Increment(ref _pongs);

    public void OnClosed() => Interlocked.Increment(ref _closed);

    public static Task<int> RunAsync(BenchTarget target, IdleSettings settings, BenchCommon common, CliContext context, CancellationToken cancellationToken) =>
        new IdleBench(target, settings).RunAsync(common, context, cancellationToken);

    private async Task<int> RunAsync(BenchCommon common, CliContext context, CancellationToken cancellationToken)
    {
        var table = new BenchTable();
        var progress = new ProgressLine(context, common.Quiet);
        JsonObject limit = BenchOutput.OpenFileLimit(table);
        long? rssBefore = common.ServerPid is int pid0 ? ReadRssBytes(pid0) : null;
        var cpu = new CpuMeter(common.ServerPid);
        cpu.Start();

        // Two halves: the server's memory between them (once settled) against after gives the
        // marginal cost of a connection, free of one-time costs paid by the first ones.
        int n = _settings.Connections;
        int firstHalf = (n + 1) / 2;
        var connections = new List<IdleConnection>(n);
        var loops = new List<Task>(n);
        double connectSeconds = await OpenAsync(0, firstHalf).ConfigureAwait(false);
        int connectionsAtHalf = connections.Count;
        (long? rssHalf, double settleSeconds, bool settled) = common.ServerPid is int pidHalf && n - firstHalf > 0
            ? await WaitForSettledRssAsync(pidHalf, progress, connectionsAtHalf, cancellationToken).ConfigureAwait(false)
            : (null, 0, false);
        connectSeconds += await OpenAsync(firstHalf, n - firstHalf).ConfigureAwait(false);
        int addedConnections = connections.Count - connectionsAtHalf;

        // Opens connections [first, first + count): continues the round robin of source addresses
        // where the previous call left it, and starts their receive loops.
        async Task<double> OpenAsync(int first, int count)
        {
            if (count <= 0)
            {
                return 0;
            }

            int done = 0;
            long start = BenchClock.Now;
            using var ticker = new CancellationTokenSource();
            Task progressTask = TickAsync(() => progress.Update($"idle: opened {first + Volatile.Read(ref done):N0}/{n:N0} (failed {ConnectFailures:N0})"), ticker.Token);
            BenchConnection?[] opened;
            try
            {
                opened = await ConnectManyAsync(_target, count, _settings.Parallel, Rotate(_settings.Sources, first), common.Timeout, d => Volatile.Write(ref done, d), cancellationToken, numberFrom: first).ConfigureAwait(false);
            }
            finally
            {
                await ticker.CancelAsync().ConfigureAwait(false);
                await progressTask.ConfigureAwait(false);
            }

            double seconds = BenchClock.ToSeconds(BenchClock.Now - start);
            foreach (BenchConnection? o in opened)
            {
                if (o is BenchConnection c)
                {
                    var connection = new IdleConnection(this, c);
                    connections.Add(connection);
                    loops.Add(connection.RunAsync());
                }
            }

            return seconds;
        }

        // Hold, bounded by --hold; Ctrl+C cuts it short.
        long holdEnd = BenchClock.Now + BenchClock.FromSeconds(_settings.Hold.TotalSeconds);
        try
        {
            while (BenchClock.Now < holdEnd)
            {
                progress.Update($"idle: holding {connections.Count:N0} connections, {BenchClock.ToSeconds(holdEnd - BenchClock.Now):0} s left (closed by the server: {Interlocked.Read(ref _closed):N0})");
                await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(BenchClock.ToSeconds(holdEnd - BenchClock.Now), 0.001, 1)), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }

        long? rssAfter = common.ServerPid is int pid1 ? ReadRssBytes(pid1) : null;

        // Every connection still open answers a ping.
        progress.Update($"idle: pinging {connections.Count:N0} connections");
        foreach (IdleConnection connection in connections)
        {
            connection.Ping();
        }

        long pingDeadline = BenchClock.Now + BenchClock.FromSeconds(common.Timeout.TotalSeconds);
        while (Interlocked.Read(ref _pongs) < connections.Count && BenchClock.Now < pingDeadline)
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }

        long pongs = Interlocked.Read(ref _pongs);
        (JsonObject generator, JsonObject? server) = cpu.Stop();
        Stop();
        progress.Update($"idle: closing");
        foreach (IdleConnection connection in connections)
        {
            connection.BeginClose();
        }

        await WaitAllAsync(loops, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        foreach (IdleConnection connection in connections)
        {
            connection.Dispose();
        }

        await WaitAllAsync(loops, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        progress.Done();

        long? perConnection = rssBefore is long b && rssAfter is long a && connections.Count > 0 ? (a - b) / connections.Count : null;
        long? perAddedConnection = rssHalf is long h && rssAfter is long a2 && addedConnections > 0 ? (a2 - h) / addedConnections : null;
        table.Add("target", _target.ToString());
        table.Add("sources", _settings.Sources.Count == 0 ? "chosen by the OS" : string.Join(", ", _settings.Sources));
        table.Add("connections", $"{connections.Count:N0} opened of {n:N0} ({ConnectFailures:N0} failed) in {connectSeconds:0.00} s ({connections.Count / Math.Max(connectSeconds, 1e-9):N0}/s)");
        table.Add("held", $"{_settings.Hold.TotalSeconds:0.##} s; closed by the server meanwhile: {Interlocked.Read(ref _closed):N0}");
        table.Add("still open at the end", $"{pongs:N0} answered a ping (of {connections.Count:N0})");
        if (common.ServerPid is int pid)
        {
            table.Add("server memory (VmRSS)", rssBefore is long rb && rssAfter is long ra
                ? $"{Kib(rb)} before, {Kib(ra)} after: {(perConnection is long p ? $"{p:N0} B = {p / 1024.0:0.00} KiB per connection (total, incl. one-time costs)" : "n/a")}"
                : $"unreadable (/proc/{pid}/status)");
            table.Add("server memory per added connection", rssHalf is long rh && rssAfter is long ra2 && perAddedConnection is long pa
                ? $"{Kib(rh)} at {connectionsAtHalf:N0} connections ({(settled ? $"settled in {settleSeconds:0.0} s" : $"still moving after {settleSeconds:0.0} s")}), {Kib(ra2)} at {connections.Count:N0}: {pa:N0} B = {pa / 1024.0:0.00} KiB per connection (marginal)"
                : "n/a (needs two halves, both readable)");
        }
        else
        {
            table.Add("server memory", "not measured (give --server-pid)");
        }

        table.Add("server open-file limit", "its own: raise it in the server's shell (ulimit -n) above the connection count");
        JsonObject errors = ErrorsJson(table, connections.Count - pongs);
        CpuMeter.AddRows(table, generator, server);

        var report = new JsonObject
        {
            ["command"] = "idle",
            ["target"] = _target.ToString(),
            ["settings"] = new JsonObject
            {
                ["connections"] = n,
                ["sources"] = new JsonArray([.. _settings.Sources.Select(s => (JsonNode)s.ToString())]),
                ["holdSeconds"] = _settings.Hold.TotalSeconds,
                ["parallel"] = _settings.Parallel,
            },
            ["connectionsOpened"] = connections.Count,
            ["connectionsFailed"] = ConnectFailures,
            ["connectSeconds"] = Math.Round(connectSeconds, 3),
            ["closedDuringHold"] = Interlocked.Read(ref _closed),
            ["connectionsOpenAtEnd"] = pongs,
            ["serverMemory"] = common.ServerPid is int p2
                ? new JsonObject
                {
                    ["pid"] = p2,
                    ["rssBytesBefore"] = rssBefore,
                    ["rssBytesAfter"] = rssAfter,
                    ["bytesPerConnection"] = perConnection,
                    ["rssBytesHalf"] = rssHalf,
                    ["connectionsAtHalf"] = connectionsAtHalf,
                    ["bytesPerConnectionMarginal"] = perAddedConnection,
                }
                : null,
            ["errors"] = errors,
            ["openFileLimit"] = limit,
            ["generator"] = generator,
            ["server"] = server,
        };
        string title = $"duplex bench idle {_target}: {n:N0} connections";
        await BenchOutput.WriteAsync(context, common, report, table, title).ConfigureAwait(false);
        return ConnectFailures == 0 && Errors == 0 && pongs == connections.Count ? 0 : 1;
    }

    /// <summary>
    /// Reads the server's VmRSS every 200 ms until two reads in a row differ by less than 0.5%,
    /// for at most 3 s (or until cancelled); returns the last read, the time waited and whether it settled.
    /// </summary>
    private static async Task<(long? Rss, double Seconds, bool Settled)> WaitForSettledRssAsync(int pid, ProgressLine progress, int open, CancellationToken cancellationToken)
    {
        long start = BenchClock.Now;
        long end = start + BenchClock.FromSeconds(3);
        long? previous = ReadRssBytes(pid);
        long? current = previous;
        bool settled = false;
        progress.Update($"idle: opened {open:N0}, waiting for the server's memory to settle");
        try
        {
            while (current is long && !settled && BenchClock.Now < end)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                previous = current;
                current = ReadRssBytes(pid);
                settled = current is long c && previous is long p && Math.Abs(c - p) < p * 0.005;
            }
        }
        catch (OperationCanceledException)
        {
        }

        return (current, BenchClock.ToSeconds(BenchClock.Now - start), settled);
    }

    /// <summary>The sources rotated left by <paramref name="by"/>: index i of the result is index (i + by) of the original, so round robin continues.</summary>
    private static IReadOnlyList<IPAddress> Rotate(IReadOnlyList<IPAddress> sources, int by)
    {
        if (sources.Count == 0 || by % sources.Count == 0)
        {
            return sources;
        }

        int k = by % sources.Count;
        return [.. sources.Skip(k), .. sources.Take(k)];
    }

    private static string Kib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:N1} MiB");

    /// <summary>VmRSS from /proc/PID/status, in bytes; null where it cannot be read (not Linux, no such process).</summary>
    internal static long? ReadRssBytes(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    string[] parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }

        return null;
    }

    private static async Task TickAsync(Action tick, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                tick();
                await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            tick();
        }
    }
}

/// <summary>One idle connection: waits for data with zero-byte reads, answers pings, counts pongs.</summary>
internal sealed class IdleConnection : IServerFrameHandler, IDisposable
{
    private readonly IdleBench _run;
    private readonly Socket _socket;
    private readonly byte[] _leftover;
    private readonly uint _maskKey;
    private readonly ServerFrameParser _parser = new();
    private readonly Lock _sendLock = new();
    private bool _closeReceived;

    public IdleConnection(IdleBench run, BenchConnection connection)
    {
        _run = run;
        _socket = connection.Socket;
        _leftover = connection.Leftover;
        _maskKey = connection.MaskKey;
    }

    public Task RunAsync() => Task.Run(ReceiveLoopAsync);

    private async Task ReceiveLoopAsync()
    {
        try
        {
            if (_leftover.Length > 0)
            {
                _parser.Process(_leftover, this);
            }

            while (!_closeReceived)
            {
                // Wait for data without holding a buffer, then read what is there.
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
                try
                {
                    int read = await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                    if (read == 0)
                    {
                        if (!_run.Stopping)
                        {
                            _run.OnClosed();
                        }

                        return;
                    }

                    _parser.Process(buffer.AsSpan(0, read), this);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (BenchProtocolException ex)
        {
            _run.Error(ex.Message);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!_run.Stopping)
            {
                _run.OnClosed();
            }
        }
    }

    public void Ping() => Send(Opcode.Ping, IdleBench.PingPayload);

    public void OnMessage(Opcode opcode, long length, ReadOnlySpan<byte> prefix) =>
        _run.Error($"an idle connection received a {length} B message");

    public void OnControl(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        switch (opcode)
        {
            case Opcode.Ping:
                Send(Opcode.Pong, payload);
                break;
            case Opcode.Pong when payload.SequenceEqual(IdleBench.PingPayload):
                _run.OnPong();
                break;
            case Opcode.Close:
                _closeReceived = true;
                if (!_run.Stopping)
                {
                    _run.OnClosed();
                }

                break;
        }
    }

    // A failure means the socket closed: the receive loop counts it.
    private void Send(Opcode opcode, ReadOnlySpan<byte> payload) =>
        _ = BenchSocket.TrySendFrame(_socket, _sendLock, opcode, payload, _maskKey);

    public void BeginClose() => BenchSocket.BeginClose(_socket, _maskKey, _sendLock);

    public void Dispose() => _socket.Dispose();
}
