using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Duplex.Cli.Faults;
using Duplex.Realtime.Tests.Server;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Client;

/// <summary>
/// A realtime echo server (short timers), optionally behind a <see cref="FaultProxy"/>, and
/// clients of it whose state changes are recorded; everything is stopped on dispose.
/// </summary>
internal sealed class ClientFixture : IAsyncDisposable
{
    private readonly List<RealtimeClient> _clients = [];

    private ClientFixture(RealtimeTestServer server, FaultProxy? proxy)
    {
        Server = server;
        Proxy = proxy;
    }

    public RealtimeTestServer Server { get; }

    public FaultProxy? Proxy { get; }

    /// <summary>Where clients connect: the proxy when there is one, else the server.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{(Proxy is null ? Server.Port : Proxy.LocalEndPoint.Port)}/realtime");

    /// <summary>Timers short enough for tests, long enough for a loaded machine not to drop healthy transports.</summary>
    public static RealtimeOptions FastOptions(TimeSpan? heartbeat = null, TimeSpan? resumeWindow = null) => new()
    {
        HeartbeatInterval = heartbeat ?? TimeSpan.FromSeconds(2),
        PollHold = heartbeat ?? TimeSpan.FromSeconds(2),
        PollInterval = TimeSpan.FromMilliseconds(100),
        ResumeWindow = resumeWindow ?? TimeSpan.FromSeconds(30),
    };

    public static async Task<ClientFixture> StartAsync(RealtimeOptions? options = null, FaultMode? fault = null, TimeSpan? idleTimeout = null, RealtimeHandler? handler = null)
    {
        RealtimeTestServer server = await RealtimeTestServer.StartAsync(options ?? FastOptions(), handler);
        FaultProxy? proxy = fault is { } mode
            ? FaultProxy.Start(new FaultProxyOptions { Upstream = new IPEndPoint(IPAddress.Loopback, server.Port), Mode = mode, IdleTimeout = idleTimeout ?? TimeSpan.FromSeconds(1) })
            : null;
        return new ClientFixture(server, proxy);
    }

    public static RealtimeClientOptions ClientOptions(RealtimeTransport? pinned = null) => new()
    {
        Transports = pinned is { } t ? [t] : null,
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        OpenTimeout = TimeSpan.FromSeconds(3),
    };

    /// <summary>A client (not connected yet) whose events go to <paramref name="events"/>.</summary>
    public RealtimeClient Client(RealtimeClientOptions options, EventLog? events = null)
    {
        var client = new RealtimeClient(Endpoint, options);
        if (events is not null)
        {
            client.StateChanged += (_, e) => events.Add(e);
        }

        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (RealtimeClient client in _clients)
        {
            await client.DisposeAsync().AsTask().Within("a client's dispose");
        }

        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        await Server.DisposeAsync();
    }
}

/// <summary>The state changes a client raised, in order, with waits for one to come.</summary>
internal sealed class EventLog
{
    private readonly ConcurrentQueue<RealtimeClientEvent> _events = new();
    private readonly Lock _gate = new();
    private readonly List<(Func<RealtimeClientEvent, bool> Match, TaskCompletionSource<RealtimeClientEvent> Done)> _waiters = [];

    public IReadOnlyList<RealtimeClientEvent> All => [.. _events];

    public IReadOnlyList<RealtimeClientEventKind> Kinds => [.. _events.Select(e => e.Kind)];

    public void Add(RealtimeClientEvent change)
    {
        _events.Enqueue(change);
        lock (_gate)
        {
            foreach (var waiter in _waiters.Where(w => w.Match(change)).ToList())
            {
                waiter.Done.TrySetResult(change);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waits (bounded) for the next event matching, or returns one already seen after <paramref name="skip"/> events.</summary>
    public Task<RealtimeClientEvent> WaitAsync(Func<RealtimeClientEvent, bool> match, string what, int skip = 0)
    {
        var done = new TaskCompletionSource<RealtimeClientEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_events.Skip(skip).FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            _waiters.Add((match, done));
        }

        return done.Task.Within(what);
    }

    public Task<RealtimeClientEvent> WaitAsync(RealtimeClientEventKind kind, int skip = 0) => WaitAsync(e => e.Kind == kind, kind.ToString(), skip);
}

/// <summary>Messages both ways and checks that every one came back once, in order.</summary>
internal static class Traffic
{
    /// <summary>The i-th message: text for even i, binary for odd i (with bytes that are not UTF-8).</summary>
    public static (MessageType Type, byte[] Data) Message(int i) => i % 2 == 0
        ? (MessageType.Text, Encoding.UTF8.GetBytes($"message {i} ✓"))
        : (MessageType.Binary, [0xFF, 0x00, (byte)i, (byte)(i >> 8), 0xFE]);

    public static string Describe(int i)
    {
        (MessageType type, byte[] data) = Message(i);
        return Describe(type, data);
    }

    public static string Describe(MessageType type, ReadOnlySpan<byte> data) => $"{type} {Convert.ToHexString(data)}";

    public static async Task SendAsync(RealtimeClient client, int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            (MessageType type, byte[] data) = Message(i);
            await client.SendAsync(type, data).Within($"sending message {i}");
        }
    }

    /// <summary>Receives messages from..from+count-1 and checks each is the one expected (an echo, in order, once).</summary>
    public static async Task ExpectAsync(RealtimeClient client, int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            RealtimeMessage message = await client.ReceiveAsync().Within($"message {i}");
            (MessageType type, byte[] data) = Message(i);
            Assert.True(type == message.Type && data.AsSpan().SequenceEqual(message.Data.Span), $"message {i}: expected {type} {Convert.ToHexString(data)}, got {message.Type} {Convert.ToHexString(message.Data.Span)}");
        }
    }
}
