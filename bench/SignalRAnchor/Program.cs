// The SignalR anchor of duplex bench sessions (docs/TRANSPORTS.md): an ASP.NET Core SignalR hub
// on Kestrel at /hub, with every transport SignalR has (WebSockets, ServerSentEvents,
// LongPolling) and its defaults, and the same /bench control requests as Duplex's bench server
// (src/Duplex.Cli/Bench/Sessions/BenchControl.cs).
//
//   dotnet SignalRAnchor.dll PORT        listens on 127.0.0.1:PORT until Ctrl+C or SIGTERM
using System.Globalization;
using Duplex.Cli.Bench.Sessions;
using SignalRAnchor;

int port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
WebApplicationBuilder builder = WebApplication.CreateBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
builder.Services.AddSignalR();
builder.Services.AddSingleton<BenchState>();
WebApplication app = builder.Build();
app.MapHub<BenchHub>("/hub");

BenchState state = app.Services.GetRequiredService<BenchState>();
app.MapGet("/bench/clients", () => Results.Text(BenchControl.Clients(state.Count), "application/json"));
app.MapPost("/bench/push", async (HttpRequest request, CancellationToken ct) =>
{
    if (BenchControl.ParsePush(request.QueryString.Value ?? string.Empty) is not { } push)
    {
        return Results.BadRequest("push needs rate>0, seconds>0 and size>=16");
    }

    long sent = await PushLoop.RunAsync(state.Targets, push.Rate, push.Duration, push.Size, ct).ConfigureAwait(false);
    return Results.Text(BenchControl.Sent(sent), "application/json");
});
app.MapPost("/bench/reset", () =>
{
    state.Arrivals.Reset();
    return Results.Text("{}", "application/json");
});
app.MapGet("/bench/arrivals", (HttpRequest request) =>
    Results.Text(state.Arrivals.ToJson(BenchControl.WantsAges(request.QueryString.Value ?? string.Empty)).ToJsonString(), "application/json"));

Console.WriteLine($"SignalR anchor on http://127.0.0.1:{port} (hub at /hub)");
await app.RunAsync().ConfigureAwait(false);
