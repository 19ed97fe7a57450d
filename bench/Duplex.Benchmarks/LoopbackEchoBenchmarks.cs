using System.Net;
using BenchmarkDotNet.Attributes;

namespace Duplex.Benchmarks;

/// <summary>
/// The whole echo path end to end, in one process: a Duplex client sends a message to a Duplex
/// server over loopback TCP and receives the echo. One operation is one round trip; with
/// <see cref="InFlight"/> above 1, that many messages are sent before their echoes are read (a
/// pipelined client; the server coalesces the replies). The memory diagnoser counts what every
/// thread allocates, server and client together (the benchmark's own Task per invocation adds
/// about 0.2 B per round trip); bench/EchoAllocations counts it exactly, by type.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class LoopbackEchoBenchmarks
{
    private const int RoundTripsPerInvoke = 1024;

    private DuplexServer _server = null!;
    private WebSocketConnection _client = null!;
    private byte[] _payload = [];

    [Params(64, 64 * 1024)]
    public int Size { get; set; }

    [Params(1, 16)]
    public int InFlight { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0 });
        _server.MapWebSocket("/echo", EchoAsync);
        _server.StartAsync().GetAwaiter().GetResult();
        _client = WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{_server.LocalEndPoint.Port}/echo"), new WebSocketClientOptions()).GetAwaiter().GetResult();
        _payload = new byte[Size];
        Random.Shared.NextBytes(_payload);
        RoundTripsAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = RoundTripsPerInvoke)]
    public Task Echo() => RoundTripsAsync();

    private async Task RoundTripsAsync()
    {
        for (int done = 0; done < RoundTripsPerInvoke; done += InFlight)
        {
            for (int i = 0; i < InFlight; i++)
            {
                await _client.SendBinaryAsync(_payload).ConfigureAwait(false);
            }

            for (int i = 0; i < InFlight; i++)
            {
                WebSocketMessage echo = await _client.ReceiveAsync().ConfigureAwait(false);
                if (echo.Data.Length != _payload.Length)
                {
                    throw new InvalidOperationException($"The echo had {echo.Data.Length} bytes, not {_payload.Length}.");
                }
            }
        }
    }

    private static async Task EchoAsync(WebSocketConnection ws, CancellationToken ct)
    {
        while (true)
        {
            WebSocketMessage message = await ws.ReceiveAsync(ct).ConfigureAwait(false);
            if (message.IsClose)
            {
                return;
            }

            await ws.SendAsync(message, ct).ConfigureAwait(false);
        }
    }
}
