using System.Net;
using System.Net.Sockets;
using Duplex.AspNetCore;
using Duplex.Realtime;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Duplex.Cli.Hosting;

/// <summary>
/// <c>duplex serve --aspnetcore</c>: the same endpoints through ASP.NET Core on Kestrel with
/// Duplex.AspNetCore, speaking HTTP/1.1 and HTTP/2 on one port (h2c by prior knowledge on plain
/// http through <see cref="PriorKnowledgeTransport"/>, ALPN with TLS), so WebSockets also open
/// over HTTP/2 (RFC 8441).
/// </summary>
/// <remarks>
/// An empty builder: no appsettings.json, environment or argv configuration is read, so the app
/// in the folder the command runs in cannot add endpoints or change logging. Kestrel's and the
/// host's own logs reach the command's logging at Warning and above; Duplex's at the command's
/// level, as on the built-in server.
/// </remarks>
internal sealed class AspNetCoreServeHost : IServeHost
{
    private readonly WebApplication _app;
    private readonly IPAddress _address;
    private readonly ILoggerFactory _loggerFactory;
    private readonly PriorKnowledgeTransport? _priorKnowledge;

    /// <param name="options">Where to listen, TLS, WebSocket options.</param>
    /// <param name="loggerFactory">The command's logging.</param>
    /// <param name="requestLog">Where to write <c>PROTOCOL METHOD PATH</c> for every request as it arrives; null for nowhere.</param>
    public AspNetCoreServeHost(ServeHostOptions options, ILoggerFactory loggerFactory, TextWriter? requestLog)
    {
        _address = options.Address;
        _loggerFactory = loggerFactory;
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        if (options.Certificate is null)
        {
            _priorKnowledge = new PriorKnowledgeTransport(new IPEndPoint(options.Address, options.Port), loggerFactory);
            builder.Services.AddSingleton<IConnectionListenerFactory>(_priorKnowledge);
        }

        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // The built-in server names itself nowhere either.
            kestrel.AddServerHeader = false;
            if (_priorKnowledge is { } transport)
            {
                kestrel.Listen(transport.Http1, listen => listen.Protocols = HttpProtocols.Http1);
                kestrel.Listen(transport.Http2, listen => listen.Protocols = HttpProtocols.Http2);
            }
            else
            {
                // ALPN picks h2 or http/1.1.
                kestrel.Listen(options.Address, options.Port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(options.Certificate!);
                });
            }
        });
        builder.Logging
            .SetMinimumLevel(LogLevel.Warning)
            // A failed start (the port taken) is the command's to report, in one line, not the host's with a stack trace.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical)
            .AddProvider(new ForwardingLoggerProvider(loggerFactory));
        builder.Services.AddRouting();
        builder.Services.AddSingleton<IHostLifetime, CommandHostLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = new DuplexServerOptions().ShutdownTimeout);
        builder.Services.AddDuplex(duplex =>
        {
            duplex.WebSocket = options.WebSocket;
            duplex.LoggerFactory = loggerFactory;
        });
        _app = builder.Build();
        if (requestLog is not null)
        {
            _app.Use((context, next) => LogRequestAsync(requestLog, context, next));
        }
    }

    public void MapWebSocket(string path, WebSocketHandler handler) => _app.MapWebSocket(path, handler);

    public RealtimeEndpoint MapRealtime(string basePath, RealtimeHandler handler, RealtimeOptions? options = null) => _app.MapRealtime(basePath, handler, options).Endpoint;

    // A literal route wins over the static files' catch-all in ASP.NET Core's routing.
    public void MapGet(string path, HttpHandler handler) => _app.MapHttpHandler(path, handler, "GET", "HEAD");

    public void MapStaticFiles(string directory) =>
        _app.MapHttpHandler("/{**path}", StaticFileHandler.Create(directory, "/", _loggerFactory), "GET", "HEAD");

    public async Task<IPEndPoint> StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            // Kestrel: "Failed to bind to address ...: address already in use." (IOException), or the socket's own refusal.
            throw new ServeListenException(ex.Message, ex);
        }

        string bound = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new IPEndPoint(_address, new Uri(bound).Port);
    }

    public Task StopAsync() => _app.StopAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        _priorKnowledge?.Dispose();
    }

    private static async Task LogRequestAsync(TextWriter log, HttpContext context, RequestDelegate next)
    {
        HttpRequest request = context.Request;
        await log.WriteLineAsync($"{request.Protocol} {request.Method} {request.Path}").ConfigureAwait(false);
        await next(context).ConfigureAwait(false);
    }
}
