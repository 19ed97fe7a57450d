using System.Diagnostics;
using System.Globalization;
using Duplex;
using EchoAllocations;

// Counts the bytes every thread allocates per echo round trip, server and client together, in
// one process over loopback, and samples which types they were. From the repository root:
//
//   dotnet run -c Release --project bench/EchoAllocations -- 64 16 2000000
//
// Arguments: message size, messages in flight, round trips (after 20,000 to warm up), and the
// server: builtin (DuplexServer, the default) or kestrel (Duplex.AspNetCore's MapWebSocket on
// Kestrel, in the same process, so that its allocations count too):
//
//   dotnet run -c Release --project bench/EchoAllocations -- 64 16 200000 kestrel
//
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

string host = args.Length > 3 ? args[3] : "builtin";
if (host is not ("builtin" or "kestrel"))
{
    Console.Error.WriteLine($"EchoAllocations: unknown host '{host}' (builtin or kestrel)");
    return;
}

await using IAsyncDisposable server = host == "kestrel"
    ? await EchoServers.StartKestrelAsync().ConfigureAwait(false)
    : await EchoServers.StartBuiltInAsync().ConfigureAwait(false);
int port = EchoServers.Port(server);
await using WebSocketConnection client = await WebSocketClient.ConnectAsync(
    new Uri($"ws://127.0.0.1:{port}/echo"), new WebSocketClientOptions()).ConfigureAwait(false);

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
    $"echo {size} B, {inFlight} in flight, {host} server: {after - before:N0} B allocated over {roundTrips:N0} round trips in {elapsed.TotalSeconds:0.0} s = {(after - before) / (double)roundTrips:0.000} B per round trip"));
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
