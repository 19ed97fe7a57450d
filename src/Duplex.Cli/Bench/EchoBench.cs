using System.Buffers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Duplex.Protocol.Frames;

namespace Duplex.Cli.Bench;

/// <summary>The settings of <c>duplex bench echo</c>.</summary>
internal sealed record EchoSettings(int Connections, int InFlight, int Size, TimeSpan Duration, TimeSpan Warmup, bool Text, double? Rate);

/// <summary>
/// <c>duplex bench echo</c>: C connections each keep P messages outstanding (closed loop), or
/// send on a fixed schedule of R messages/s in total (open loop, latency from each message's
/// intended send time, so stalls are not hidden: no coordinated omission).
/// </summary>
internal sealed class EchoBench : BenchRunBase
{
    /// <summary>
    /// Above this many bytes in flight per connection, sends leave the receive loop (so neither
    /// side can block the other), unless one message is in flight: its echo is then read whole
    /// before the next is sent, and nothing moves the other way while that send runs.
    /// </summary>
    private const int InlineSendLimit = 64 * 1024;

    private readonly EchoSettings _settings;
    private readonly BenchTarget _target;
    private readonly LatencyRecorder _latency;
    private EchoConnection[] _connections = [];
    private volatile bool _recording;
    private long _t0;
    private double _ticksPerScheduledMessage;
    private bool _sendsFromReceiveLoop;

    private EchoBench(BenchTarget target, EchoSettings settings)
    {
        _target = target;
        _settings = settings;
        _latency = new LatencyRecorder(settings.Connections);
    }

    public bool Recording => _recording;

    public bool RateMode => _settings.Rate.HasValue;

    public LatencyRecorder Latency => _latency;

    /// <summary>Fixed-rate mode: when message <paramref name="sequence"/> of connection <paramref name="connection"/> was meant to be sent.</summary>
    public long IntendedTime(int connection, long sequence) =>
        _t0 + (long)(((sequence * _connections.Length) + connection) * _ticksPerScheduledMessage);

    public static async Task<int> RunAsync(BenchTarget target, EchoSettings settings, BenchCommon common, CliContext context, CancellationToken cancellationToken)
    {
        var run = new EchoBench(target, settings);
        return await run.RunAsync(common, context, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> RunAsync(BenchCommon common, CliContext context, CancellationToken cancellationToken)
    {
        var table = new BenchTable();
        var progress = new ProgressLine(context, common.Quiet);
        JsonObject limit = BenchOutput.OpenFileLimit(table);
        int c = _settings.Connections;
        progress.Update($"echo: connecting {c} to {_target}");
        BenchConnection?[] opened = await ConnectManyAsync(_target, c, 64, null, common.Timeout, null, cancellationToken).ConfigureAwait(false);
        var connected = opened.Where(o => o.HasValue).Select(o => o!.Value).ToArray();
        if (connected.Length == 0)
        {
            progress.Done();
            await context.Error.WriteLineAsync($"duplex bench echo: no connection to {_target} could be opened.").ConfigureAwait(false);
            JsonObject failed = Report(table, limit, 0, 0, null, null);
            await BenchOutput.WriteAsync(context, common, failed, table, $"duplex bench echo {_target}: FAILED").ConfigureAwait(false);
            return 1;
        }

        // Payload: random bytes, or printable ASCII for text messages (valid UTF-8).
        byte[] payload = new byte[_settings.Size];
        Random.Shared.NextBytes(payload);
        if (_settings.Text)
        {
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] = (byte)('a' + (payload[i] % 26));
            }
        }

        int frameSize = _target.RawTcp ? _settings.Size : BenchSocket.FrameSize(_settings.Size);
        int cap = RateMode ? Math.Max(_settings.InFlight, Math.Clamp((4 << 20) / frameSize, 1, 1024)) : _settings.InFlight;
        bool inline = !RateMode && (cap == 1 || (long)cap * frameSize <= InlineSendLimit);
        _sendsFromReceiveLoop = inline;
        _connections = new EchoConnection[connected.Length];
        for (int i = 0; i < connected.Length; i++)
        {
            _connections[i] = new EchoConnection(this, i, connected[i], _target.RawTcp, _settings.Text ? Opcode.Text : Opcode.Binary, payload, cap, inline);
        }

        _ticksPerScheduledMessage = RateMode ? System.Diagnostics.Stopwatch.Frequency / _settings.Rate!.Value : 0;
        var cpu = new CpuMeter(common.ServerPid);
        _t0 = BenchClock.Now;
        var loops = new List<Task>();
        foreach (EchoConnection connection in _connections)
        {
            loops.Add(connection.RunAsync());
        }

        Thread? pacer = null;
        if (RateMode)
        {
            pacer = new Thread(Pace) { IsBackground = true, Name = "bench pacer" };
            pacer.Start();
        }

        long warmupEnd = _t0 + BenchClock.FromSeconds(_settings.Warmup.TotalSeconds);
        long duration = BenchClock.FromSeconds(_settings.Duration.TotalSeconds);

        // The measured window is D long from when measuring actually began, however late that is.
        long end = long.MaxValue;
        long startTicks = _t0;
        bool measuring = false;
        long lastCount = 0;
        long lastTicks = _t0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                long now = BenchClock.Now;
                if (!measuring && now >= warmupEnd)
                {
                    cpu.Start();
                    startTicks = BenchClock.Now;
                    end = startTicks + duration;
                    _recording = true;
                    measuring = true;
                    now = startTicks;
                }

                if (now >= end)
                {
                    break;
                }

                long count = ReceivedTotal();
                double rate = (count - lastCount) / Math.Max(1e-9, BenchClock.ToSeconds(now - lastTicks));
                (lastCount, lastTicks) = (count, now);
                double elapsed = BenchClock.ToSeconds(now - _t0);
                double total = _settings.Warmup.TotalSeconds + _settings.Duration.TotalSeconds;
                progress.Update($"echo: {elapsed,5:0.0}/{total:0.0} s {(measuring ? "measuring" : "warming up")}  {rate,12:N0} msg/s  errors {Errors}");
                long wait = (measuring ? end : warmupEnd) - now;
                await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(BenchClock.ToSeconds(wait), 0.001, 1.0)), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: report what was measured so far.
        }

        if (!measuring)
        {
            cpu.Start();
            startTicks = BenchClock.Now;
        }

        _recording = false;
        long endTicks = BenchClock.Now;
        long messages = MeasuredTotal();
        (JsonObject generator, JsonObject? server) = cpu.Stop();
        Stop();
        pacer?.Join(TimeSpan.FromSeconds(2));
        progress.Update($"echo: stopping");
        await CloseAllAsync(loops).ConfigureAwait(false);
        progress.Done();

        double seconds = BenchClock.ToSeconds(endTicks - startTicks);
        JsonObject report = Report(table, limit, messages, seconds, generator, server);
        string title = $"duplex bench echo {_target}: {c} connections × {(RateMode ? $"rate {_settings.Rate:0.##}/s" : $"{_settings.InFlight} in flight")}, {_settings.Size} B {(_target.RawTcp ? "raw TCP" : _settings.Text ? "text" : "binary")}";
        await BenchOutput.WriteAsync(context, common, report, table, title).ConfigureAwait(false);
        return Errors == 0 && ConnectFailures == 0 && messages > 0 ? 0 : 1;
    }

    private JsonObject Report(BenchTable table, JsonObject limit, long messages, double seconds, JsonObject? generator, JsonObject? server)
    {
        double perSecond = seconds > 0 ? messages / seconds : 0;
        double megabytes = perSecond * _settings.Size / 1e6;
        LatencySummary latency = _latency.Summarize();
        table.Add("target", $"{_target} ({(_target.RawTcp ? "raw TCP echo, no framing" : "WebSocket")})");
        table.Add("connections", $"{_connections.Length} open of {_settings.Connections}");
        table.Add("mode", RateMode
            ? $"fixed rate {_settings.Rate:N0} msg/s in total; latency from each message's intended send time"
            : $"closed loop, {_settings.InFlight} in flight per connection, sent from {(_sendsFromReceiveLoop ? "the receive loop" : "a send loop")}");
        table.Add("measured", $"{seconds:0.00} s after {_settings.Warmup.TotalSeconds:0.##} s warm-up");
        table.Add("messages", $"{messages:N0} ({perSecond:N0} msg/s)");
        table.Add("payload", $"{megabytes:N2} MB/s each way ({_settings.Size} B messages)");
        latency.AddRows(table, "round trip");
        JsonObject errors = ErrorsJson(table);
        CpuMeter.AddRows(table, generator, server);
        if (generator?["allocatedBytes"] is JsonNode allocated && messages > 0)
        {
            table.Add("generator allocations", $"{(long)allocated / (double)messages:0.0} B per message (this process, while measuring)");
        }
        return new JsonObject
        {
            ["command"] = "echo",
            ["target"] = _target.ToString(),
            ["rawTcp"] = _target.RawTcp,
            ["settings"] = new JsonObject
            {
                ["connections"] = _settings.Connections,
                ["inFlight"] = _settings.InFlight,
                ["size"] = _settings.Size,
                ["text"] = _settings.Text,
                ["durationSeconds"] = _settings.Duration.TotalSeconds,
                ["warmupSeconds"] = _settings.Warmup.TotalSeconds,
                ["rate"] = _settings.Rate,
                ["sendsFromReceiveLoop"] = _sendsFromReceiveLoop,
            },
            ["connectionsOpen"] = _connections.Length,
            ["seconds"] = Math.Round(seconds, 3),
            ["messages"] = messages,
            ["messagesPerSecond"] = Math.Round(perSecond, 1),
            ["megabytesPerSecond"] = Math.Round(megabytes, 3),
            ["latencyMicroseconds"] = latency.ToJson(),
            ["errors"] = errors,
            ["openFileLimit"] = limit,
            ["generator"] = generator,
            ["server"] = server,
        };
    }

    /// <summary>Echoes received while measuring: exactly the latency samples.</summary>
    private long MeasuredTotal()
    {
        long sum = 0;
        foreach (EchoConnection connection in _connections)
        {
            sum += connection.Measured;
        }

        return sum;
    }

    private long ReceivedTotal()
    {
        long sum = 0;
        foreach (EchoConnection connection in _connections)
        {
            sum += connection.Received;
        }

        return sum;
    }

    /// <summary>The fixed-rate schedule: global message m is due at t0 + m/R and belongs to connection m mod C.</summary>
    private void Pace()
    {
        int c = _connections.Length;
        long released = 0;
        while (!Stopping)
        {
            long due = (long)((BenchClock.Now - _t0) / _ticksPerScheduledMessage) + 1;
            if (due > released)
            {
                long n = due - released;
                if (n >= c)
                {
                    long each = n / c;
                    foreach (EchoConnection connection in _connections)
                    {
                        connection.AddReleased(each);
                    }

                    released += each * c;
                }

                for (; released < due; released++)
                {
                    _connections[released % c].AddReleased(1);
                }

                if (n >= c)
                {
                    foreach (EchoConnection connection in _connections)
                    {
                        connection.Wake();
                    }
                }
                else
                {
                    for (long m = due - n; m < due; m++)
                    {
                        _connections[m % c].Wake();
                    }
                }
            }

            BenchClock.SleepUntil(_t0 + (long)(released * _ticksPerScheduledMessage));
        }
    }

    private async Task CloseAllAsync(List<Task> loops)
    {
        foreach (EchoConnection connection in _connections)
        {
            connection.Wake();
        }

        await WaitAllAsync(_connections.Select(c => c.SendLoop), TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        foreach (EchoConnection connection in _connections)
        {
            connection.BeginClose();
        }

        await WaitAllAsync(loops, TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        foreach (EchoConnection connection in _connections)
        {
            connection.Dispose();
        }

        await WaitAllAsync(loops, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
    }
}

/// <summary>One echo connection: a receive loop that parses frames without allocating, and pre-built masked frames to send.</summary>
internal sealed class EchoConnection : IServerFrameHandler, IDisposable
{
    private readonly EchoBench _run;
    private readonly int _index;
    private readonly Socket _socket;
    private readonly byte[] _leftover;
    private readonly uint _maskKey;
    private readonly bool _rawTcp;
    private readonly Opcode _opcode;
    private readonly int _size;
    private readonly byte[] _expectedPrefix;
    private readonly byte[] _frames;
    private readonly int _frameSize;
    private readonly int _framesPerSend;
    private readonly int _cap;
    private readonly bool _inline;
    private readonly long[] _sendTimes;
    private readonly ServerFrameParser _parser = new();
    private readonly AsyncSignal _signal = new();
    private long _sent;
    private long _received;
    private long _measured;
    private long _credits;
    private long _released;
    private long _rawBytes;
    private int _completedInChunk;
    private bool _closeReceived;
    private byte[]? _pendingPong;

    public EchoConnection(EchoBench run, int index, BenchConnection connection, bool rawTcp, Opcode opcode, byte[] payload, int cap, bool inline)
    {
        _run = run;
        _index = index;
        _socket = connection.Socket;
        _leftover = connection.Leftover;
        _maskKey = connection.MaskKey;
        _rawTcp = rawTcp;
        _opcode = opcode;
        _size = payload.Length;
        _expectedPrefix = payload.AsSpan(0, Math.Min(payload.Length, ServerFrameParser.PrefixSize)).ToArray();
        _cap = cap;
        _inline = inline;
        _frameSize = rawTcp ? payload.Length : BenchSocket.FrameSize(payload.Length);
        _framesPerSend = Math.Clamp((1 << 20) / _frameSize, 1, cap);
        _frames = new byte[_framesPerSend * _frameSize];
        for (int i = 0; i < _framesPerSend; i++)
        {
            Span<byte> frame = _frames.AsSpan(i * _frameSize, _frameSize);
            if (rawTcp)
            {
                payload.CopyTo(frame);
            }
            else
            {
                BenchSocket.BuildFrame(frame, opcode, payload, _maskKey);
            }
        }

        _sendTimes = new long[cap];
        SendLoop = Task.CompletedTask;
    }

    public long Received => Volatile.Read(ref _received);

    public long Measured => Volatile.Read(ref _measured);

    public Task SendLoop { get; private set; }

    public void AddReleased(long count) => Interlocked.Add(ref _released, count);

    public void Wake() => _signal.Set();

    public Task RunAsync()
    {
        if (!_inline)
        {
            SendLoop = Task.Run(SendLoopAsync);
        }

        if (!_run.RateMode)
        {
            if (_inline)
            {
                Interlocked.Add(ref _credits, _cap);
            }
            else
            {
                Interlocked.Add(ref _credits, _cap);
                _signal.Set();
            }
        }

        return Task.Run(ReceiveLoopAsync);
    }

    private async Task ReceiveLoopAsync()
    {
        int bufferSize = (int)Math.Clamp((long)_frameSize * _cap, 4096, 256 * 1024);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            if (_inline)
            {
                // The first P messages; afterwards each echo sends the next, from this loop.
                int first = (int)Interlocked.Exchange(ref _credits, 0);
                await SendAsync(first).ConfigureAwait(false);
            }

            if (_leftover.Length > 0)
            {
                Consume(_leftover);
            }

            while (!_closeReceived)
            {
                int read = await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    if (!_run.Stopping)
                    {
                        _run.Error($"connection {_index}: the server closed the connection");
                    }

                    return;
                }

                _completedInChunk = 0;
                Consume(buffer.AsSpan(0, read));
                if (_pendingPong is byte[] pong && _inline)
                {
                    _pendingPong = null;
                    await BenchSocket.SendAllAsync(_socket, pong, CancellationToken.None).ConfigureAwait(false);
                }

                if (_completedInChunk > 0 && !_run.Stopping)
                {
                    if (_inline)
                    {
                        await SendAsync(_completedInChunk).ConfigureAwait(false);
                    }
                    else
                    {
                        if (!_run.RateMode)
                        {
                            Interlocked.Add(ref _credits, _completedInChunk);
                        }

                        _signal.Set();
                    }
                }
            }
        }
        catch (BenchProtocolException ex)
        {
            _run.Error($"connection {_index}: {ex.Message}");
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!_run.Stopping || !BenchSocket.IsClosedSocket(ex))
            {
                _run.Error($"connection {_index}: {ex.Message}");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Consume(ReadOnlySpan<byte> data)
    {
        if (!_rawTcp)
        {
            _parser.Process(data, this);
            return;
        }

        _rawBytes += data.Length;
        long complete = _rawBytes / _size;
        while (_received < complete)
        {
            Complete();
        }
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (!_run.Stopping)
            {
                await _signal.WaitAsync().ConfigureAwait(false);
                if (_run.Stopping)
                {
                    return;
                }

                if (_pendingPong is byte[] pong)
                {
                    _pendingPong = null;
                    await BenchSocket.SendAllAsync(_socket, pong, CancellationToken.None).ConfigureAwait(false);
                }

                long count;
                if (_run.RateMode)
                {
                    long room = _cap - (_sent - Volatile.Read(ref _received));
                    count = Math.Min(Volatile.Read(ref _released) - _sent, room);
                }
                else
                {
                    count = Interlocked.Exchange(ref _credits, 0);
                }

                if (count > 0)
                {
                    await SendAsync((int)count).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!_run.Stopping || !BenchSocket.IsClosedSocket(ex))
            {
                _run.Error($"connection {_index}: {ex.Message}");
            }
        }
    }

    /// <summary>Sends <paramref name="count"/> pre-built frames, noting each one's send time (closed loop).</summary>
    private async ValueTask SendAsync(int count)
    {
        while (count > 0)
        {
            int batch = Math.Min(count, _framesPerSend);
            if (!_run.RateMode)
            {
                long now = BenchClock.Now;
                for (int i = 0; i < batch; i++)
                {
                    _sendTimes[(_sent + i) % _cap] = now;
                }
            }

            Volatile.Write(ref _sent, _sent + batch);
            await BenchSocket.SendAllAsync(_socket, _frames.AsMemory(0, batch * _frameSize), CancellationToken.None).ConfigureAwait(false);
            count -= batch;
        }
    }

    public void OnMessage(Opcode opcode, long length, ReadOnlySpan<byte> prefix)
    {
        if (opcode != _opcode || length != _size || !prefix.SequenceEqual(_expectedPrefix))
        {
            _run.Error($"connection {_index}: the echo differs from the message sent ({opcode}, {length} B)");
        }

        Complete();
    }

    private void Complete()
    {
        long now = BenchClock.Now;
        long sequence = _received;
        if (sequence >= Volatile.Read(ref _sent))
        {
            _run.Error($"connection {_index}: more echoes than messages sent");
        }

        if (_run.Recording)
        {
            long sentAt = _run.RateMode ? _run.IntendedTime(_index, sequence) : _sendTimes[sequence % _cap];
            _run.Latency.RecordTicks(_index, now - sentAt);
            Volatile.Write(ref _measured, _measured + 1);
        }

        Volatile.Write(ref _received, sequence + 1);
        _completedInChunk++;
    }

    public void OnControl(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        switch (opcode)
        {
            case Opcode.Ping:
                byte[] pong = new byte[BenchSocket.FrameSize(payload.Length)];
                BenchSocket.BuildFrame(pong, Opcode.Pong, payload, _maskKey);
                _pendingPong = pong;
                _signal.Set();
                break;
            case Opcode.Close:
                _closeReceived = true;
                if (!_run.Stopping)
                {
                    _run.Error($"connection {_index}: the server sent Close");
                }

                break;
        }
    }

    /// <summary>Starts the closing handshake (WebSocket) or half-closes (TCP); the receive loop ends on the server's answer.</summary>
    public void BeginClose()
    {
        try
        {
            if (!_rawTcp)
            {
                BenchSocket.SendAll(_socket, BenchSocket.CloseFrame(_maskKey));
            }

            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    public void Dispose() => _socket.Dispose();
}
