namespace Duplex.Timers;

/// <summary>
/// One timer for every connection in the process: keepalive pings, pong timeouts and handshake
/// deadlines are checked on its ticks, so a connection costs no timer of its own. The tick is the
/// finest resolution any client asked for (at least 10 ms, at most 1 s).
/// </summary>
internal sealed class ConnectionTimer
{
    private const long MinPeriodMs = 10;
    private const long MaxPeriodMs = 1000;

    private readonly Lock _gate = new();
    private readonly HashSet<ITimerClient> _clients = [];
    private ITimerClient[] _snapshot = [];
    private bool _dirty;
    private long _periodMs = MaxPeriodMs;
    private bool _running;

    public static ConnectionTimer Shared { get; } = new();

    public static long NowMs => Environment.TickCount64;

    public void Register(ITimerClient client, TimeSpan resolution)
    {
        long period = Math.Clamp((long)resolution.TotalMilliseconds, MinPeriodMs, MaxPeriodMs);
        lock (_gate)
        {
            _clients.Add(client);
            _dirty = true;
            _periodMs = Math.Min(_periodMs, period);
            if (!_running)
            {
                _running = true;
                _ = Task.Run(RunAsync);
            }
        }
    }

    public void Unregister(ITimerClient client)
    {
        lock (_gate)
        {
            if (_clients.Remove(client))
            {
                _dirty = true;
            }
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            long period;
            ITimerClient[] clients;
            lock (_gate)
            {
                period = _periodMs;
                if (_dirty)
                {
                    _snapshot = [.. _clients];
                    _dirty = false;
                }

                clients = _snapshot;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(period)).ConfigureAwait(false);
            long now = NowMs;
            foreach (ITimerClient client in clients)
            {
                if (!client.OnTick(now))
                {
                    Unregister(client);
                }
            }
        }
    }
}
