using System.Net;
using System.Runtime.CompilerServices;
using Duplex.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Duplex.Tests.Support;

/// <summary>
/// An ASP.NET Core app on Kestrel (127.0.0.1, OS-picked port; HTTP/1.1 by default, h2c on a port
/// made HTTP/2-only, HTTP/1.1 and HTTP/2 by ALPN with TLS) that adds Duplex with <c>AddDuplex</c> and serves <see cref="EchoServer.EchoAsync"/> at
/// /echo through <c>MapWebSocket</c>: Duplex's engine over the streams Kestrel hands over.
/// </summary>
internal sealed class HostedEchoServer : IEchoHost
{

    private readonly StrongBox<int> _counter;

    private HostedEchoServer(WebApplication app, int port, bool tls, StrongBox<int> counter)
    {
        _counter = counter;
        App = app;
        Port = port;
        IsTls = tls;
    }

    public WebApplication App { get; }

    public int Port { get; }

    public bool IsTls { get; }

    /// <summary>How many TCP connections Kestrel has accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _counter.Value);

    public Uri Uri(string path = "/echo") => new($"{(IsTls ? "wss" : "ws")}://127.0.0.1:{Port}{path}");

    public Uri HttpUri(string path = "/") => new($"{(IsTls ? "https" : "http")}://127.0.0.1:{Port}{path}");

    /// <param name="options">The WebSocket options of the host (AddDuplex).</param>
    /// <param name="protocols">What Kestrel speaks on the port. Without TLS, Http1AndHttp2 is HTTP/1.1 only (Kestrel has no h2c upgrade): pass Http2 for h2c.</param>
    /// <param name="tls">Serve HTTPS with <see cref="TestCertificate.Localhost"/> (ALPN picks h2 or http/1.1).</param>
    /// <param name="map">More endpoints (after /echo).</param>
    /// <param name="services">More services (authentication, say).</param>
    /// <param name="pipeline">Middleware before the endpoints (UseAuthentication, say).</param>
    /// <param name="echo">The handler and endpoint options of /echo; <see cref="EchoServer.EchoAsync"/> by default.</param>
    /// <param name="staticDirectory">Files to serve on "/" (ASP.NET Core's static files), or null.</param>
    public static async Task<HostedEchoServer> StartAsync(
        WebSocketConnectionOptions? options = null,
        HttpProtocols protocols = HttpProtocols.Http1AndHttp2,
        bool tls = false,
        Action<WebApplication>? map = null,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? pipeline = null,
        (WebSocketHandler Handler, WebSocketEndpointOptions? Options)? echo = null,
        string? staticDirectory = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("DUPLEX_TEST_KESTREL_LOG") is not null) { builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Debug); }
        var counter = new StrongBox<int>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref counter.Value);
                return next(connection);
            });
            if (tls)
            {
                listen.UseHttps(TestCertificate.Localhost);
            }
        }));
        builder.Services.AddDuplex(duplex => duplex.WebSocket = options ?? new WebSocketConnectionOptions { MaxMessageSize = 32 * 1024 * 1024 });
        services?.Invoke(builder.Services);
        WebApplication app = builder.Build();
        pipeline?.Invoke(app);
        if (staticDirectory is not null)
        {
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetFullPath(staticDirectory)) });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetFullPath(staticDirectory)) });
        }

        app.MapWebSocket("/echo", echo?.Handler ?? EchoServer.EchoAsync, echo?.Options);
        map?.Invoke(app);
        await app.StartAsync(Bounded.Token());
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HostedEchoServer(app, new Uri(address).Port, tls, counter);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(Bounded.Token());
        await App.DisposeAsync().AsTask().WaitAsync(Bounded.Default);
    }
}
