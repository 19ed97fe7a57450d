using System.Diagnostics.Metrics;
using System.Net;
using Duplex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Duplex.Tests.Integration;

/// <summary>The counters reach a host's own meter factory, and the open-connection gauges go up and back down.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Open_connection_gauges_follow_a_websocket_on_the_hosts_meter_factory()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var gauges = new GaugeWatch(factory);

        await using var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, MeterFactory = factory });
        server.MapWebSocket("/echo", EchoServer.EchoAsync);
        await server.StartAsync();

        WebSocketConnection client = await WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{server.LocalEndPoint.Port}/echo"), null, Bounded.Token());
        await gauges.WaitFor("duplex.websockets.open", 1).Within("the server's open WebSocket to be counted");
        await gauges.WaitFor("duplex.connections.open", 1).Within("the server's open TCP connection to be counted");
        Assert.Equal(1, gauges.Sum("duplex.connections.accepted"));
        Assert.Equal(1, gauges.Sum("duplex.websockets.opened"));

        await client.CloseAsync(CloseStatus.NormalClosure, "done", Bounded.Token());
        await client.DisposeAsync();
        await gauges.WaitFor("duplex.websockets.open", 0).Within("the closed WebSocket to be counted down");
        await gauges.WaitFor("duplex.connections.open", 0).Within("the released TCP connection to be counted down");
    }

    /// <summary>Sums each Duplex instrument published by one meter factory, and waits for a sum to reach a value.</summary>
    private sealed class GaugeWatch : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _sums = [];
        private readonly List<(string Name, long Value, TaskCompletionSource Reached)> _waits = [];

        public GaugeWatch(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == DuplexMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                lock (_sums)
                {
                    long sum = _sums[instrument.Name] = _sums.GetValueOrDefault(instrument.Name) + value;
                    foreach (var wait in _waits.Where(w => w.Name == instrument.Name && w.Value == sum))
                    {
                        wait.Reached.TrySetResult();
                    }
                }
            });
            _listener.Start();
        }

        public long Sum(string name)
        {
            lock (_sums)
            {
                return _sums.GetValueOrDefault(name);
            }
        }

        public Task WaitFor(string name, long value)
        {
            lock (_sums)
            {
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_sums.GetValueOrDefault(name) == value)
                {
                    reached.SetResult();
                }
                else
                {
                    _waits.Add((name, value, reached));
                }

                return reached.Task;
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
