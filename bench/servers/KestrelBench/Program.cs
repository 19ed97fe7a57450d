// ASP.NET Core Kestrel serving the endpoints of `duplex echo`, with one of two WebSocket engines on
// the same Kestrel: /echo echoes every message with its type; every message sent on /publish goes
// to every connection on /broadcast (a subscriber's own messages are echoed back to it alone, which
// tells it that it is registered).
//
//   dotnet KestrelBench.dll PORT                    # ASP.NET Core's WebSocket middleware (ManagedWebSocket)
//   dotnet KestrelBench.dll PORT --engine duplex    # Duplex.AspNetCore: AddDuplex + MapWebSocket
//
// Everything but the endpoints is shared, so that a side-by-side run of the two modes compares the
// engines on the same sockets, the same Kestrel and the same pipeline.
using System.Globalization;
using KestrelBench;

string engine = "middleware";
if (args.Length is not (1 or 3) || (args.Length == 3 && args[1] != "--engine"))
{
    Console.Error.WriteLine("usage: KestrelBench PORT [--engine middleware|duplex]");
    return 2;
}

if (args.Length == 3)
{
    engine = args[2];
}

if (engine is not ("middleware" or "duplex"))
{
    Console.Error.WriteLine($"KestrelBench: unknown engine '{engine}' (middleware or duplex)");
    return 2;
}

int port = int.Parse(args[0], CultureInfo.InvariantCulture);
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
if (engine == "duplex")
{
    DuplexEndpoints.AddServices(builder.Services);
}

WebApplication app = builder.Build();
if (engine == "duplex")
{
    DuplexEndpoints.Map(app);
}
else
{
    MiddlewareEndpoints.Map(app);
}

await app.RunAsync();
return 0;
