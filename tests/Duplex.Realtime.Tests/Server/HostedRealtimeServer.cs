using System.Net;
using Duplex.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Server;

/// <summary>
/// An ASP.NET Core app on Kestrel (127.0.0.1, OS-picked port; HTTP/1.1, or h2c with
/// <see cref="HttpProtocols.Http2"/>: Kestrel has no h2c upgrade) that adds Duplex
/// and maps a realtime endpoint at /realtime with <c>MapRealtime</c>; stopped on dispose.
/// </summary>
internal sealed class HostedRealtimeServer : IAsyncDisposable
{
    private HostedRealtimeServer(WebApplication app, int port, RealtimeEndpoint endpoint)
    {
        App = app;
        Port = port;
        Endpoint = endpoint;
    }

    public WebApplication App { get; }

    public int Port { get; }

    public RealtimeEndpoint Endpoint { get; }

    /// <param name="handler">The session handler.</param>
    /// <param name="options">The endpoint's options.</param>
    /// <param name="services">More services (authentication, say).</param>
    /// <param name="pipeline">Middleware before the endpoints (UseAuthentication, say).</param>
    /// <param name="conventions">Conventions on the realtime endpoints (RequireAuthorization, say).</param>
    /// <param name="protocols">What Kestrel speaks on the port.</param>
    public static async Task<HostedRealtimeServer> StartAsync(
        RealtimeHandler handler,
        RealtimeOptions? options = null,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? pipeline = null,
        Action<RealtimeEndpointConventionBuilder>? conventions = null,
        HttpProtocols protocols = HttpProtocols.Http1AndHttp2)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = protocols));
        builder.Services.AddDuplex();
        services?.Invoke(builder.Services);
        WebApplication app = builder.Build();
        pipeline?.Invoke(app);
        RealtimeEndpointConventionBuilder realtime = app.MapRealtime("/realtime", handler, options);
        conventions?.Invoke(realtime);
        await app.StartAsync(Bounded.Token());
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HostedRealtimeServer(app, new Uri(address).Port, realtime.Endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(Bounded.Token());
        await App.DisposeAsync().AsTask().WaitAsync(Bounded.Default);
    }
}
