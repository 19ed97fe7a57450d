using System.Diagnostics;
using System.Globalization;
using System.Net;
using Duplex;
using EchoAllocations;

// Counts the bytes every thread allocates per echo round trip, server and client together, in
// one process over loopback, and samples which types they were. From the repository root:
//
//   dotnet run -c Release --project bench/EchoAllocations -- 64 16 2000000
//
// Arguments: message size, messages in flight, round trips (after 20,000 to warm up).
//   dotnet run -c Release --project bench/EchoAllocations -- handshake 5000
//
// counts instead what accepting a connection allocates (see HandshakeAllocations.cs).
if (args.Length > 0 && args[0] == "handshake")
{
    await HandshakeAllocations.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5000).ConfigureAwait(false);
    return;
}

int size = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 64;
int inFlight = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
int roundTrips = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;

await using var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0 });
server.MapWebSocket("/echo", async (ws, ct) =>
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
});
await server.StartAsync().ConfigureAwait(false);
await using WebSocketConnection client = await WebSocketClient.ConnectAsync(
    new Uri($"ws://127.0.0.1:{server.LocalEndPoint.Port}/echo"), new WebSocketClientOptions()).ConfigureAwait(false);

byte[] payload = new byte[size];
Random.Shared.NextBytes(payload);

await RoundTripsAsync(20_000).ConfigureAwait(false);
using var ticks = new AllocationTicks();
ticks.Recording = true;
long before = GC.GetTotalAllocatedBytes(precise: true);
long started = Stopwatch.GetTimestamp();
await RoundTripsAsync(roundTrips).ConfigureAwait(false);
TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
long after = GC.GetTotalAllocatedBytes(precise: true);
ticks.Recording = false;

// The baseline: what the same process allocates in as long with no message moving (the runtime's
// own background work: thread pool, timers, this program's event listener). What the round trips
// allocate beyond it is what the echo path costs.
await Task.Delay(elapsed).ConfigureAwait(false);
long idle = GC.GetTotalAllocatedBytes(precise: true) - after;

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"echo {size} B, {inFlight} in flight: {after - before:N0} B allocated over {roundTrips:N0} round trips in {elapsed.TotalSeconds:0.0} s = {(after - before) / (double)roundTrips:0.000} B per round trip"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"idle for as long, no messages: {idle:N0} B; beyond that: {Math.Max(0, after - before - idle) / (double)roundTrips:0.000} B per round trip"));
foreach ((string type, int count) in ticks.ByType.OrderByDescending(p => p.Value))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  sampled {count} x {type}"));
}

async Task RoundTripsAsync(int count)
{
    for (int done = 0; done < count; done += inFlight)
    {
        for (int i = 0; i < inFlight; i++)
        {
            await client.SendBinaryAsync(payload).ConfigureAwait(false);
        }

        for (int i = 0; i < inFlight; i++)
        {
            WebSocketMessage echo = await client.ReceiveAsync().ConfigureAwait(false);
            if (echo.Data.Length != size)
            {
                throw new InvalidOperationException($"The echo had {echo.Data.Length} bytes, not {size}.");
            }
        }
    }
}
