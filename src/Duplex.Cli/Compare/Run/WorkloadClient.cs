using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Duplex.Cli.Bench.Sessions;
using Duplex.Realtime;

namespace Duplex.Cli.Compare.Run;

/// <summary>
/// One client of a compare run: a <see cref="RealtimeClient"/> speaking the compare workload
/// (docs/PROTOCOL.md §12) to the server's /compare endpoint, recording what it receives in a
/// <see cref="WorkloadProbe"/>. The workload methods each wait, bounded, for their own end.
/// </summary>
internal sealed class WorkloadClient : IAsyncDisposable
{
    private readonly WorkloadProbe _probe;
    private readonly string _run;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<(long Timestamp, RealtimeClientEvent Event)> _events = [];
    private TaskCompletionSource<JsonElement>? _hello;
    private TaskCompletionSource<(long Client, long Server, long Received)>? _pong;
    private TaskCompletionSource? _tickerDone;
    private TaskCompletionSource<long>? _burstDone;
    private TaskCompletionSource? _chatDone;
    private TaskCompletionSource<long>? _memory;
    private long _burstStarted;
    private long _burstExpected;
    private long _burstSeen;
    private long _chatExpected;
    private long _chatSeen;
    private long _chatSent;
    private Task _reading = Task.CompletedTask;

    public WorkloadClient(int index, string run, Uri endpoint, RealtimeClientOptions options, WorkloadProbe probe)
    {
        Index = index;
        _run = run;
        _probe = probe;
        Client = new RealtimeClient(endpoint, options);
        Client.StateChanged += (_, e) =>
        {
            lock (_gate)
            {
                _events.Add((Stopwatch.GetTimestamp(), e));
            }
        };
    }

    public int Index { get; }

    public RealtimeClient Client { get; }

    /// <summary>
    /// The server's clock minus this client's, in µs: from the ping with the shortest round trip,
    /// or set from one estimate for the whole run (every client here reads one clock).
    /// </summary>
    public long OffsetMicroseconds { get; set; }

    /// <summary>Error replies the server sent (its reason), for the report.</summary>
    public List<string> ServerErrors { get; } = [];

    /// <summary>The client's state changes so far, with the Stopwatch timestamp each came at.</summary>
    public IReadOnlyList<(long Timestamp, RealtimeClientEvent Event)> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Opens the session, joins the run's group and measures the clock offset.</summary>
    public async Task ConnectAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(bound);
        await Client.ConnectAsync(timeout.Token).ConfigureAwait(false);
        _reading = ReadAsync(_stop.Token);
        _hello = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendAsync(w => { w.WriteString("k", "hello"); w.WriteString("run", _run); w.WriteNumber("client", Index); }, timeout.Token).ConfigureAwait(false);
        await _hello.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Pings <paramref name="count"/> times; keeps the offset of the quickest round trip.</summary>
    public async Task SyncClockAsync(int count, CancellationToken cancellationToken)
    {
        long bestRoundTrip = long.MaxValue;
        for (int i = 0; i < count; i++)
        {
            _pong = new TaskCompletionSource<(long, long, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
            long sent = SessionStamp.NowMicroseconds;
            await SendAsync(w => { w.WriteString("k", "ping"); w.WriteNumber("c", sent); }, cancellationToken).ConfigureAwait(false);
            (long client, long server, long received) = await _pong.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            long roundTrip = received - client;
            if (roundTrip < bestRoundTrip)
            {
                bestRoundTrip = roundTrip;
                OffsetMicroseconds = server - ((client + received) / 2);
            }
        }
    }

    /// <summary>Asks the server for its live managed heap (a full collection: docs/PROTOCOL.md §12, <c>memory</c>).</summary>
    public async Task<long> MemoryAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        _memory = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendAsync(w => w.WriteString("k", "memory"), cancellationToken).ConfigureAwait(false);
        return await _memory.Task.WaitAsync(bound, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks for a ticker of <paramref name="count"/> messages at <paramref name="rate"/> a second; returns once its <c>done</c> arrived.</summary>
    public async Task TickerAsync(double rate, int count, int size, TimeSpan bound, CancellationToken cancellationToken)
    {
        _tickerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendAsync(w => { w.WriteString("k", "ticker"); w.WriteNumber("rate", rate); w.WriteNumber("count", count); w.WriteNumber("size", size); }, cancellationToken).ConfigureAwait(false);
        await _tickerDone.Task.WaitAsync(bound, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks for a burst; returns the µs from asking until its last message arrived.</summary>
    public async Task<long> BurstAsync(int count, int size, TimeSpan bound, CancellationToken cancellationToken)
    {
        _burstDone = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _burstSeen, 0);
        Interlocked.Exchange(ref _burstExpected, count);
        Interlocked.Exchange(ref _burstStarted, SessionStamp.NowMicroseconds);
        await SendAsync(w => { w.WriteString("k", "burst"); w.WriteNumber("count", count); w.WriteNumber("size", size); }, cancellationToken).ConfigureAwait(false);
        return await _burstDone.Task.WaitAsync(bound, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts expecting <paramref name="deliveries"/> chat messages (everyone's, this client's own included).</summary>
    public void ExpectChat(long deliveries)
    {
        _chatDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _chatSeen, 0);
        Interlocked.Exchange(ref _chatExpected, deliveries);
        if (deliveries == 0)
        {
            _chatDone.TrySetResult();
        }
    }

    /// <summary>Sends chat message <paramref name="sequence"/>, stamped now.</summary>
    public ValueTask SendChatAsync(long sequence, string padding, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _chatSent);
        return SendAsync(w => { w.WriteString("k", "chat"); w.WriteNumber("n", sequence); w.WriteNumber("c", SessionStamp.NowMicroseconds); w.WriteString("p", padding); }, cancellationToken);
    }

    /// <summary>Waits until every chat message expected has arrived.</summary>
    public Task ChatDelivered(TimeSpan bound, CancellationToken cancellationToken) =>
        (_chatDone ?? throw new InvalidOperationException("ExpectChat first.")).Task.WaitAsync(bound, cancellationToken);

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Client.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or RealtimeSessionClosedException or OperationCanceledException)
        {
            // Closing is polite, not required: the numbers are in.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Client.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _reading.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or RealtimeSessionClosedException or ObjectDisposedException or IOException)
        {
        }

        _stop.Dispose();
    }

    private async ValueTask SendAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        await Client.SendAsync(MessageType.Text, buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        await foreach (RealtimeMessage message in Client.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
        {
            long now = SessionStamp.NowMicroseconds;
            try
            {
                using var document = JsonDocument.Parse(message.Data);
                Take(document.RootElement, now);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                lock (_gate)
                {
                    ServerErrors.Add($"unreadable message: {ex.Message}");
                }
            }
        }
    }

    private void Take(JsonElement root, long now)
    {
        string? phase = _probe.Phase;
        switch (root.GetProperty("k").GetString())
        {
            case "hello":
                _hello?.TrySetResult(root.Clone());
                break;
            case "memory":
                _memory?.TrySetResult(root.GetProperty("heap").GetInt64());
                break;
            case "pong":
                _pong?.TrySetResult((root.GetProperty("c").GetInt64(), root.GetProperty("s").GetInt64(), now));
                break;
            case "tick":
                if (phase is not null)
                {
                    _probe.Checker.Record(Stream(phase, "ticker", null), root.GetProperty("n").GetInt64());
                    _probe.Down.RecordMicroseconds(now - (root.GetProperty("s").GetInt64() - OffsetMicroseconds));
                }

                break;
            case "burst":
                if (phase is not null)
                {
                    _probe.Checker.Record(Stream(phase, "burst", null), root.GetProperty("n").GetInt64());
                }

                if (Interlocked.Increment(ref _burstSeen) == Interlocked.Read(ref _burstExpected))
                {
                    _burstDone?.TrySetResult(now - Interlocked.Read(ref _burstStarted));
                }

                break;
            case "chat":
                TakeChat(root, now, phase);
                break;
            case "done":
                if (root.GetProperty("of").GetString() == "ticker")
                {
                    _tickerDone?.TrySetResult();
                }

                break;
            case "error":
                string why = root.TryGetProperty("reason", out JsonElement reason) ? reason.GetString() ?? "error" : "error";
                lock (_gate)
                {
                    ServerErrors.Add(why);
                }

                if (root.TryGetProperty("of", out JsonElement of) && of.GetString() == "memory")
                {
                    _memory?.TrySetException(new InvalidOperationException(why));
                }

                break;
            default:
                break;
        }
    }

    private void TakeChat(JsonElement root, long now, string? phase)
    {
        int from = root.GetProperty("from").GetInt32();
        if (phase is not null)
        {
            _probe.Checker.Record(Stream(phase, "chat", from), root.GetProperty("n").GetInt64());
            _probe.Down.RecordMicroseconds(now - (root.GetProperty("s").GetInt64() - OffsetMicroseconds));
            if (from == Index)
            {
                _probe.Up.RecordMicroseconds(root.GetProperty("a").GetInt64() - OffsetMicroseconds - root.GetProperty("c").GetInt64());
            }
        }

        if (Interlocked.Increment(ref _chatSeen) >= Interlocked.Read(ref _chatExpected))
        {
            _chatDone?.TrySetResult();
        }
    }

    /// <summary>The name of a stream of deliveries to this client: the workload and, for chat, the sender.</summary>
    public string Stream(string phase, string kind, int? from) =>
        from is { } sender
            ? string.Create(CultureInfo.InvariantCulture, $"{phase}:{kind}:c{Index}<-c{sender}")
            : string.Create(CultureInfo.InvariantCulture, $"{phase}:{kind}:c{Index}");

    /// <summary>Padding of <paramref name="size"/> characters.</summary>
    public static string Padding(int size) => new('x', size);
}
