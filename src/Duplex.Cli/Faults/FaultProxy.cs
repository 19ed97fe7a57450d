using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Duplex.Cli.Faults;

/// <summary>
/// A TCP proxy that misbehaves the way real networks do (<see cref="FaultMode"/>): an HTTP-only
/// proxy that refuses upgrades, a gateway that buffers responses until they are complete, a NAT
/// box that silently forgets idle flows, connections reset at random. For tests and for
/// <c>duplex compare</c>: it listens on loopback with a port the OS picks and forwards to one
/// server. Faults can also be made on demand (<see cref="ResetAll"/>, <see cref="ForgetAll"/>).
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly FaultProxyOptions _options;
    private readonly Socket _listener;
    private readonly ConcurrentDictionary<ProxiedFlow, byte> _flows = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Random _random;
    private readonly Lock _randomGate = new();
    private readonly Timer _idleClock;
    private Task? _acceptLoop;
    private long _connections;
    private long _resets;
    private long _refusedUpgrades;
    private long _forgotten;
    private long _heldResponses;
    private long _firstStrike;
    private long _lastStrike;

    private FaultProxy(FaultProxyOptions options, Socket listener)
    {
        _options = options;
        _listener = listener;
        Mode = options.Mode;
        _random = new Random(options.Seed);
        TimeSpan tick = TimeSpan.FromMilliseconds(Math.Clamp(options.IdleTimeout.TotalMilliseconds / 10, 5, 100));
        _idleClock = new Timer(static state => ((FaultProxy)state!).ForgetIdle(), this, tick, tick);
    }

    /// <summary>Where clients connect.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>How connections accepted from now on misbehave.</summary>
    public FaultMode Mode { get; set; }

    /// <summary>Connections accepted.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Connections reset (at random, or by <see cref="ResetAll"/>).</summary>
    public long Resets => Interlocked.Read(ref _resets);

    /// <summary>Upgrade requests refused.</summary>
    public long RefusedUpgrades => Interlocked.Read(ref _refusedUpgrades);

    /// <summary>Flows forgotten (idle, or by <see cref="ForgetAll"/>).</summary>
    public long ForgottenFlows => Interlocked.Read(ref _forgotten);

    /// <summary>Responses held whole before being forwarded.</summary>
    public long HeldResponses => Interlocked.Read(ref _heldResponses);

    /// <summary>When a flow was first reset or forgotten (a <see cref="System.Diagnostics.Stopwatch"/> timestamp); 0 while none was.</summary>
    public long FirstStrikeTimestamp => Interlocked.Read(ref _firstStrike);

    /// <summary>When a flow was last reset or forgotten (a <see cref="System.Diagnostics.Stopwatch"/> timestamp); 0 while none was.</summary>
    public long LastStrikeTimestamp => Interlocked.Read(ref _lastStrike);

    /// <summary>Connections open now.</summary>
    public int OpenConnections => _flows.Count;

    /// <summary>Starts listening; returns once the proxy accepts connections.</summary>
    public static FaultProxy Start(FaultProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Upstream);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.IdleTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MeanBytesBetweenResets, 1);
        var listener = new Socket(options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(options.Address, 0));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        var proxy = new FaultProxy(options, listener);
        proxy._acceptLoop = proxy.AcceptLoopAsync();
        return proxy;
    }

    /// <summary>Resets every open connection now (RST to both ends), as a crashing middlebox would.</summary>
    public void ResetAll()
    {
        foreach (ProxiedFlow flow in _flows.Keys)
        {
            flow.Reset();
        }
    }

    /// <summary>Forgets every open connection now: nothing more is forwarded, and neither end is told.</summary>
    public void ForgetAll()
    {
        foreach (ProxiedFlow flow in _flows.Keys)
        {
            flow.Forget();
        }
    }

    /// <summary>Stops accepting and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _idleClock.DisposeAsync().ConfigureAwait(false);
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        foreach (ProxiedFlow flow in _flows.Keys)
        {
            flow.Close();
        }

        _stopping.Dispose();
    }

    internal FaultProxyOptions Options => _options;

    internal void CountReset()
    {
        Interlocked.Increment(ref _resets);
        MarkStrike();
    }

    internal void CountRefusedUpgrade() => Interlocked.Increment(ref _refusedUpgrades);

    internal void CountForgotten()
    {
        Interlocked.Increment(ref _forgotten);
        MarkStrike();
    }

    private void MarkStrike()
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _firstStrike, now, 0);
        Interlocked.Exchange(ref _lastStrike, now);
    }

    internal void CountHeldResponse() => Interlocked.Increment(ref _heldResponses);

    /// <summary>Bytes until the next random reset: exponentially distributed with the configured mean.</summary>
    internal long NextResetDistance()
    {
        lock (_randomGate)
        {
            return Math.Max(1, (long)(-Math.Log(1 - _random.NextDouble()) * _options.MeanBytesBetweenResets));
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            client.NoDelay = true;
            Interlocked.Increment(ref _connections);
            var flow = new ProxiedFlow(this, client, Mode);
            _flows.TryAdd(flow, 0);
            _ = RunFlowAsync(flow);
        }
    }

    private async Task RunFlowAsync(ProxiedFlow flow)
    {
        try
        {
            await flow.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            _flows.TryRemove(flow, out _);
        }
    }

    private void ForgetIdle()
    {
        long now = Environment.TickCount64;
        long idleMs = (long)_options.IdleTimeout.TotalMilliseconds;
        foreach (ProxiedFlow flow in _flows.Keys)
        {
            if (flow.Mode == FaultMode.ForgetIdleFlows && now - flow.LastActivityMs > idleMs)
            {
                flow.Forget();
            }
        }
    }
}
