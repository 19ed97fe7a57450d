using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Duplex.Protocol.Frames;

namespace Duplex.Cli.Bench;

/// <summary>The settings of <c>duplex bench fanout</c>: a burst size or a rate.</summary>
internal sealed record FanoutSettings(int Subscribers, int Messages, int? Burst, double? Rate, int Size);

/// <summary>
/// <c>duplex bench fanout</c>: K subscribers on /broadcast (each registered, confirmed by an
/// echo), one publisher on /publish. Each message carries its sequence number and its send
/// time (this process's clock; in rate mode its intended send time); every subscriber records
/// the delivery latency and checks the sequence for gaps, duplicates and reordering.
/// </summary>
internal sealed class FanoutBench : BenchRunBase
{
    private readonly BenchTarget _target;
    private readonly FanoutSettings _settings;
    private readonly LatencyRecorder _latency;
    private readonly ManualResetEventSlim _reached = new(false);
    private List<FanoutSubscriber> _subscribers = [];
    private long _awaitedPerSubscriber = -1;
    private int _subscribersDone;
    private int _registeredCount;

    private FanoutBench(BenchTarget target, FanoutSettings settings)
    {
        _target = target;
        _settings = settings;
        _latency = new LatencyRecorder(settings.Subscribers);
    }

    public LatencyRecorder Latency => _latency;

    public int Messages => _settings.Messages;

    public int Size => _settings.Size;

    public static Task<int> RunAsync(BenchTarget target, FanoutSettings settings, BenchCommon common, CliContext context, CancellationToken cancellationToken) =>
        new FanoutBench(target, settings).RunAsync(common, context, cancellationToken);

    /// <summary>
    /// Called by a subscriber after each new (not duplicated) delivery with its count of distinct
    /// messages: the subscriber that completes the awaited burst last wakes the publisher. Shared
    /// state is touched once per subscriber per burst, not per delivery.
    /// </summary>
    public void OnDistinct(long distinct)
    {
        if (distinct == Volatile.Read(ref _awaitedPerSubscriber) && Interlocked.Increment(ref _subscribersDone) == _registeredCount)
        {
            _reached.Set();
        }
    }

    private async Task<int> RunAsync(BenchCommon common, CliContext context, CancellationToken cancellationToken)
    {
        var table = new BenchTable();
        var progress = new ProgressLine(context, common.Quiet);
        JsonObject limit = BenchOutput.OpenFileLimit(table);
        int k = _settings.Subscribers;
        BenchTarget broadcast = _target.WithPath("/broadcast");
        BenchTarget publish = _target.WithPath("/publish");

        progress.Update($"fanout: connecting {k} subscribers to {broadcast}");
        BenchConnection?[] opened = await ConnectManyAsync(broadcast, k, 64, null, common.Timeout, null, cancellationToken).ConfigureAwait(false);
        var subscribers = _subscribers = new List<FanoutSubscriber>(k);
        foreach (BenchConnection? o in opened)
        {
            if (o is BenchConnection c)
            {
                subscribers.Add(new FanoutSubscriber(this, subscribers.Count, c));
            }
        }

        var loops = subscribers.Select(s => s.RunAsync()).ToList();
        progress.Update($"fanout: registering {subscribers.Count} subscribers");
        bool registered = await WaitAllAsync(subscribers.Select(s => s.Registered), common.Timeout).ConfigureAwait(false);
        int registeredCount = _registeredCount = subscribers.Count(s => s.Registered.IsCompletedSuccessfully);
        if (!registered)
        {
            Error($"{subscribers.Count - registeredCount} subscribers were not confirmed (no echo of their registration message)");
        }

        FanoutPublisher? publisher = null;
        try
        {
            BenchConnection p = await BenchSocket.ConnectAsync(publish, null, cancellationToken).WaitAsync(common.Timeout, cancellationToken).ConfigureAwait(false);
            publisher = new FanoutPublisher(this, p, _settings.Size);
        }
        catch (Exception ex) when (ex is IOException or SocketException or TimeoutException or OperationCanceledException)
        {
            Error($"publisher: {ex.Message}");
        }

        long expected = (long)registeredCount * _settings.Messages;
        long firstSend = 0;
        long published = 0;
        bool timedOut = false;
        var cpu = new CpuMeter(common.ServerPid);
        if (publisher is not null && registeredCount > 0)
        {
            Task publisherLoop = publisher.RunReceiveAsync();
            cpu.Start();
            firstSend = BenchClock.Now;
            // The publisher paces itself on its own thread; this loop only watches it, without
            // blocking a thread-pool thread (the server under test may share the pool in tests).
            var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    (published, timedOut) = Publish(publisher, registeredCount, common.Timeout, cancellationToken);
                }
                finally
                {
                    finished.TrySetResult();
                }
            })
            {
                IsBackground = true,
                Name = "bench publisher",
            };
            thread.Start();
            while (!finished.Task.IsCompleted)
            {
                long d = DistinctTotal();
                progress.Update($"fanout: {d:N0}/{expected:N0} deliveries ({(d * 100.0 / Math.Max(1, expected)):0}%)");
                await Task.WhenAny(finished.Task, Task.Delay(500, CancellationToken.None)).ConfigureAwait(false);
            }

            // The last messages may still be on their way (rate mode, or a timed-out burst).
            long drainEnd = BenchClock.Now + BenchClock.FromSeconds(common.Timeout.TotalSeconds);
            while (DistinctTotal() < (long)registeredCount * published && BenchClock.Now < drainEnd && !timedOut)
            {
                await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
            }

            // Anything still arriving now would be a duplicate or a late delivery; give it a moment.
            await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
            _ = publisherLoop;
        }
        else
        {
            cpu.Start();
        }

        (JsonObject generator, JsonObject? server) = cpu.Stop();
        Stop();
        progress.Update($"fanout: closing");
        publisher?.BeginClose();
        foreach (FanoutSubscriber subscriber in subscribers)
        {
            subscriber.BeginClose();
        }

        await WaitAllAsync(loops, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        publisher?.Dispose();
        foreach (FanoutSubscriber subscriber in subscribers)
        {
            subscriber.Dispose();
        }

        await WaitAllAsync(loops, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        progress.Done();

        long deliveries = 0, distinct = 0, duplicates = 0, outOfOrder = 0, lastDelivery = firstSend;
        foreach (FanoutSubscriber s in subscribers)
        {
            deliveries += s.Deliveries;
            distinct += s.Distinct;
            duplicates += s.Duplicates;
            outOfOrder += s.OutOfOrder;
            lastDelivery = Math.Max(lastDelivery, s.LastDelivery);
        }

        long expectedDeliveries = (long)registeredCount * published;
        long lost = expectedDeliveries - distinct;
        double seconds = BenchClock.ToSeconds(lastDelivery - firstSend);
        double perSecond = seconds > 0 ? deliveries / seconds : 0;
        LatencySummary latency = _latency.Summarize();

        table.Add("target", $"{publish} → {broadcast}");
        table.Add("subscribers", $"{registeredCount:N0} registered of {k:N0}");
        table.Add("publishing", _settings.Rate is double r ? $"{r:N0} msg/s (timestamps are intended send times)" : $"bursts of {_settings.Burst:N0}, each once the previous one was delivered everywhere");
        table.Add("messages", $"{published:N0} published of {_settings.Messages:N0}, {_settings.Size} B{(timedOut ? $"; stopped: a burst was not delivered everywhere within {common.Timeout.TotalSeconds:0.#} s (--timeout)" : string.Empty)}");
        table.Add("deliveries", $"{deliveries:N0} of {expectedDeliveries:N0} published × subscribers, in {seconds:0.000} s = {perSecond:N0}/s");
        table.Add("lost / duplicated / out of order", $"{lost:N0} / {duplicates:N0} / {outOfOrder:N0}");
        latency.AddRows(table, "delivery");
        JsonObject errors = ErrorsJson(table);
        CpuMeter.AddRows(table, generator, server);

        var report = new JsonObject
        {
            ["command"] = "fanout",
            ["target"] = _target.ToString(),
            ["settings"] = new JsonObject
            {
                ["subscribers"] = k,
                ["messages"] = _settings.Messages,
                ["burst"] = _settings.Burst,
                ["rate"] = _settings.Rate,
                ["size"] = _settings.Size,
            },
            ["subscribersRegistered"] = registeredCount,
            ["messagesPublished"] = published,
            ["expectedDeliveries"] = expectedDeliveries,
            ["timedOut"] = timedOut,
            ["deliveries"] = deliveries,
            ["seconds"] = Math.Round(seconds, 4),
            ["deliveriesPerSecond"] = Math.Round(perSecond, 1),
            ["lost"] = lost,
            ["duplicated"] = duplicates,
            ["outOfOrder"] = outOfOrder,
            ["latencyMicroseconds"] = latency.ToJson(),
            ["errors"] = errors,
            ["openFileLimit"] = limit,
            ["generator"] = generator,
            ["server"] = server,
        };
        string title = $"duplex bench fanout {_target}: {k:N0} subscribers × {_settings.Messages:N0} messages";
        await BenchOutput.WriteAsync(context, common, report, table, title).ConfigureAwait(false);
        _reached.Dispose();
        bool clean = Errors == 0 && ConnectFailures == 0 && lost == 0 && duplicates == 0 && outOfOrder == 0 && published == _settings.Messages;
        return clean ? 0 : 1;
    }

    private long DistinctTotal()
    {
        long sum = 0;
        foreach (FanoutSubscriber subscriber in _subscribers)
        {
            sum += subscriber.Distinct;
        }

        return sum;
    }

    /// <summary>The publisher thread: bursts (each after the previous is delivered everywhere) or a fixed rate. Returns how many were sent.</summary>
    private (long Published, bool TimedOut) Publish(FanoutPublisher publisher, int subscribers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int m = _settings.Messages;
        long sent = 0;
        try
        {
            if (_settings.Burst is int burst)
            {
                while (sent < m && !cancellationToken.IsCancellationRequested)
                {
                    int n = (int)Math.Min(burst, m - sent);
                    _reached.Reset();
                    Volatile.Write(ref _subscribersDone, 0);
                    Volatile.Write(ref _awaitedPerSubscriber, sent + n);
                    publisher.Send(sent, n, BenchClock.Now, 0);
                    sent += n;
                    if (!_reached.Wait(timeout, cancellationToken))
                    {
                        return (sent, true);
                    }
                }
            }
            else
            {
                double ticksPerMessage = Stopwatch.Frequency / _settings.Rate!.Value;
                long t0 = BenchClock.Now;
                while (sent < m && !cancellationToken.IsCancellationRequested)
                {
                    long due = Math.Min(m, (long)((BenchClock.Now - t0) / ticksPerMessage) + 1);
                    if (due > sent)
                    {
                        publisher.Send(sent, (int)(due - sent), t0, ticksPerMessage);
                        sent = due;
                    }

                    BenchClock.SleepUntil(t0 + (long)(sent * ticksPerMessage));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Error($"publisher: {ex.Message}");
        }

        return (sent, false);
    }
}

/// <summary>The publishing connection: builds each message's masked frame in a reused buffer.</summary>
internal sealed class FanoutPublisher : IServerFrameHandler, IDisposable
{
    private const int MaxBatchBytes = 1 << 20;

    private readonly FanoutBench _run;
    private readonly Socket _socket;
    private readonly uint _maskKey;
    private readonly int _size;
    private readonly int _frameSize;
    private readonly byte[] _maskedPadding;
    private readonly byte[] _batch;
    private readonly ServerFrameParser _parser = new();
    private readonly Lock _sendLock = new();

    public FanoutPublisher(FanoutBench run, BenchConnection connection, int size)
    {
        _run = run;
        _socket = connection.Socket;
        _maskKey = connection.MaskKey;
        _size = size;
        _frameSize = BenchSocket.FrameSize(size);

        // Bytes 16.. of every payload are zeros; masked once (16 is a multiple of the key's 4 bytes).
        _maskedPadding = new byte[size - ServerFrameParser.PrefixSize];
        Masking.Apply(_maskedPadding, _maskKey, ServerFrameParser.PrefixSize);
        _batch = new byte[Math.Max(_frameSize, MaxBatchBytes / _frameSize * _frameSize)];
    }

    /// <summary>
    /// Sends messages <paramref name="first"/>.. (count <paramref name="count"/>), stamped with
    /// <paramref name="time"/> + i × <paramref name="ticksPerMessage"/> for the i-th sequence number.
    /// </summary>
    public void Send(long first, int count, long time, double ticksPerMessage)
    {
        Span<byte> prefix = stackalloc byte[ServerFrameParser.PrefixSize];
        int framesPerBatch = _batch.Length / _frameSize;
        for (int done = 0; done < count;)
        {
            int n = Math.Min(framesPerBatch, count - done);
            for (int i = 0; i < n; i++)
            {
                long sequence = first + done + i;
                long stamp = ticksPerMessage > 0 ? time + (long)(sequence * ticksPerMessage) : time;
                Span<byte> frame = _batch.AsSpan(i * _frameSize, _frameSize);
                // The frame is rebuilt in place around padding masked once (see BenchSocket.BuildFrame):
                // only the header and the changing prefix are written per message.
                int header = FrameHeaderWriter.Write(frame, fin: true, Opcode.Binary, 0, _size, _maskKey);
                BinaryPrimitives.WriteInt64LittleEndian(prefix, sequence);
                BinaryPrimitives.WriteInt64LittleEndian(prefix[8..], stamp);
                Masking.Apply(prefix, frame[header..], _maskKey, 0);
                _maskedPadding.CopyTo(frame[(header + ServerFrameParser.PrefixSize)..]);
            }

            lock (_sendLock)
            {
                BenchSocket.SendAll(_socket, _batch.AsSpan(0, n * _frameSize));
            }

            done += n;
        }
    }

    /// <summary>Reads what the server sends the publisher (nothing but pings and the final close, normally).</summary>
    public Task RunReceiveAsync() => Task.Run(async () =>
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (true)
            {
                int read = await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    if (!_run.Stopping)
                    {
                        _run.Error("publisher: the server closed the connection");
                    }

                    return;
                }

                _parser.Process(buffer.AsSpan(0, read), this);
            }
        }
        catch (BenchProtocolException ex)
        {
            _run.Error($"publisher: {ex.Message}");
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!_run.Stopping)
            {
                _run.Error($"publisher: {ex.Message}");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    });

    public void OnMessage(Opcode opcode, long length, ReadOnlySpan<byte> prefix) =>
        _run.Error($"publisher: the server sent a {length} B message on /publish");

    public void OnControl(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        if (opcode == Opcode.Ping)
        {
            byte[] pong = new byte[BenchSocket.FrameSize(payload.Length)];
            BenchSocket.BuildFrame(pong, Opcode.Pong, payload, _maskKey);
            try
            {
                lock (_sendLock)
                {
                    BenchSocket.SendAll(_socket, pong);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }
        else if (opcode == Opcode.Close && !_run.Stopping)
        {
            _run.Error("publisher: the server sent Close");
        }
    }

    public void BeginClose() => BenchSocket.BeginClose(_socket, _maskKey, _sendLock);

    public void Dispose() => _socket.Dispose();
}

/// <summary>A /broadcast connection: registers with one echoed message, then checks and times every delivery.</summary>
internal sealed class FanoutSubscriber : IServerFrameHandler, IDisposable
{
    private static readonly byte[] s_registration = "duplex-bench-register"u8.ToArray();

    private readonly FanoutBench _run;
    private readonly int _index;
    private readonly Socket _socket;
    private readonly byte[] _leftover;
    private readonly uint _maskKey;
    private readonly ulong[] _seen;
    private readonly ServerFrameParser _parser = new();
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sendLock = new();
    private long _maxSeen = -1;
    private long _deliveries;
    private long _distinct;
    private long _duplicates;
    private long _outOfOrder;
    private long _lastDelivery;
    private bool _closeReceived;

    public FanoutSubscriber(FanoutBench run, int index, BenchConnection connection)
    {
        _run = run;
        _index = index;
        _socket = connection.Socket;
        _leftover = connection.Leftover;
        _maskKey = connection.MaskKey;
        _seen = new ulong[(run.Messages + 63) / 64];
    }

    public Task Registered => _registered.Task;

    public long Deliveries => Volatile.Read(ref _deliveries);

    public long Distinct => Volatile.Read(ref _distinct);

    public long Duplicates => Volatile.Read(ref _duplicates);

    public long OutOfOrder => Volatile.Read(ref _outOfOrder);

    public long LastDelivery => Volatile.Read(ref _lastDelivery);

    public Task RunAsync() => Task.Run(async () =>
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            Send(Opcode.Binary, s_registration);
            if (_leftover.Length > 0)
            {
                _parser.Process(_leftover, this);
            }

            while (!_closeReceived)
            {
                int read = await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    if (!_run.Stopping)
                    {
                        _run.Error($"subscriber {_index}: the server closed the connection");
                    }

                    return;
                }

                _parser.Process(buffer.AsSpan(0, read), this);
            }
        }
        catch (BenchProtocolException ex)
        {
            _run.Error($"subscriber {_index}: {ex.Message}");
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!_run.Stopping)
            {
                _run.Error($"subscriber {_index}: {ex.Message}");
            }
        }
        finally
        {
            _registered.TrySetCanceled();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    });

    public void OnMessage(Opcode opcode, long length, ReadOnlySpan<byte> prefix)
    {
        long now = BenchClock.Now;
        if (!_registered.Task.IsCompleted)
        {
            if (length == s_registration.Length && prefix.SequenceEqual(s_registration.AsSpan(0, prefix.Length)))
            {
                _registered.TrySetResult();
            }
            else
            {
                _run.Error($"subscriber {_index}: a message before the echo of its registration");
            }

            return;
        }

        if (opcode != Opcode.Binary || length != _run.Size || prefix.Length < ServerFrameParser.PrefixSize)
        {
            _run.Error($"subscriber {_index}: an unexpected {opcode} message of {length} B");
            return;
        }

        long sequence = BinaryPrimitives.ReadInt64LittleEndian(prefix);
        long sentAt = BinaryPrimitives.ReadInt64LittleEndian(prefix[8..]);
        if (sequence < 0 || sequence >= _seen.Length * 64L || sequence >= _run.Messages)
        {
            _run.Error($"subscriber {_index}: sequence number {sequence} was never sent");
            return;
        }

        ref ulong word = ref _seen[sequence >> 6];
        ulong bit = 1UL << (int)(sequence & 63);
        bool wasSeen = (word & bit) != 0;
        if (wasSeen)
        {
            Volatile.Write(ref _duplicates, _duplicates + 1);
        }
        else
        {
            word |= bit;
            if (sequence < _maxSeen)
            {
                Volatile.Write(ref _outOfOrder, _outOfOrder + 1);
            }
        }

        _maxSeen = Math.Max(_maxSeen, sequence);
        _run.Latency.RecordTicks(_index, now - sentAt);
        Volatile.Write(ref _deliveries, _deliveries + 1);
        Volatile.Write(ref _lastDelivery, now);
        if (!wasSeen)
        {
            Volatile.Write(ref _distinct, _distinct + 1);
            _run.OnDistinct(_distinct);
        }
    }

    public void OnControl(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        if (opcode == Opcode.Ping)
        {
            Send(Opcode.Pong, payload);
        }
        else if (opcode == Opcode.Close)
        {
            _closeReceived = true;
            if (!_run.Stopping)
            {
                _run.Error($"subscriber {_index}: the server sent Close");
            }
        }
    }

    private void Send(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        if (BenchSocket.TrySendFrame(_socket, _sendLock, opcode, payload, _maskKey) is { } failure && !_run.Stopping)
        {
            _run.Error($"subscriber {_index}: {failure.Message}");
        }
    }

    public void BeginClose() => BenchSocket.BeginClose(_socket, _maskKey, _sendLock);

    public void Dispose() => _socket.Dispose();
}
