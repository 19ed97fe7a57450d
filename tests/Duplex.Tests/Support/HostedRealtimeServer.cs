using System.Net;
using Duplex.AspNetCore;
using Duplex.Realtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Duplex.Tests.Support;

/// <summary>
/// Realtime sessions at /realtime through Duplex.AspNetCore on Kestrel (127.0.0.1, OS-picked
/// port), HTTP/2 only (h2c, or h2 over TLS with the test certificate), whose handler echoes every
/// message to its sender; it counts the TCP connections Kestrel accepts.
/// </summary>
internal sealed class HostedRealtimeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;

    private HostedRealtimeServer(WebApplication app, bool tls)
    {
        _app = app;
        IsTls = tls;
    }

    public bool IsTls { get; }

    public int Port { get; private set; }

    /// <summary>TCP connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public Uri Endpoint => new($"{(IsTls ? "https://localhost" : "http://127.0.0.1")}:{Port}/realtime");

    public static async Task<HostedRealtimeServer> StartAsync(bool tls = false)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        HostedRealtimeServer? server = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref server!._connections);
                return next(connection);
            });
            if (tls)
            {
                listen.UseHttps(TestCertificate.Localhost);
            }
        }));
        builder.Services.AddDuplex();
        WebApplication app = builder.Build();
        server = new HostedRealtimeServer(app, tls);
        app.MapRealtime("/realtime", EchoAsync, new RealtimeOptions
        {
            HeartbeatInterval = TimeSpan.FromSeconds(2),
            PollHold = TimeSpan.FromSeconds(2),
            PollInterval = TimeSpan.FromMilliseconds(100),
        });
        await app.StartAsync(Bounded.Token());
        server.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        return server;
    }

    private static async Task EchoAsync(RealtimeSession session, CancellationToken ct)
    {
        await foreach (RealtimeMessage message in session.ReadMessagesAsync(ct))
        {
            await session.SendAsync(message.Type, message.Data, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(Bounded.Token());
        await _app.DisposeAsync().AsTask().WaitAsync(Bounded.Default);
    }
}
