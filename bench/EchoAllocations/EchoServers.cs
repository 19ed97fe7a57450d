using Duplex;
using Duplex.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EchoAllocations;

/// <summary>The echo server measured: Duplex's built-in server, or Duplex in Kestrel (Duplex.AspNetCore), on 127.0.0.1 and a free port.</summary>
internal static class EchoServers
{
    public static async Task<IAsyncDisposable> StartBuiltInAsync()
    {
        var server = new DuplexServer(new DuplexServerOptions { Address = System.Net.IPAddress.Loopback, Port = 0 });
        server.MapWebSocket("/echo", EchoAsync);
        await server.StartAsync().ConfigureAwait(false);
        return server;
    }

    public static async Task<IAsyncDisposable> StartKestrelAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddDuplex();
        WebApplication app = builder.Build();
        app.MapWebSocket("/echo", EchoAsync);
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    public static int Port(IAsyncDisposable server) => server switch
    {
        DuplexServer duplex => duplex.LocalEndPoint.Port,
        WebApplication app => new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port,
        _ => throw new ArgumentException("Not a server started here.", nameof(server)),
    };

    private static async Task EchoAsync(WebSocketConnection ws, CancellationToken cancellationToken)
    {
        while (true)
        {
            WebSocketMessage message = await ws.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (message.IsClose)
            {
                return;
            }

            await ws.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }
}
