using System.Net;
using Duplex.Protocol.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Duplex.Tests.Support;

/// <summary>
/// A test peer for WebSocket over HTTP/2 (RFC 8441): Kestrel on 127.0.0.1, HTTP/2 only (h2c, or
/// h2 over TLS with the test certificate), that takes every extended CONNECT for "websocket",
/// agrees to permessage-deflate and the first subprotocol when offered, and echoes with Duplex's
/// connection. <c>/refuse</c> answers 403; on <c>/bye</c> the server closes at once with 4000 "see you". It counts the TCP connections it accepts.
/// </summary>
internal sealed class Http2EchoHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<(CloseStatus?, string?)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connections;

    private Http2EchoHost(WebApplication app, bool tls)
    {
        _app = app;
        Secure = tls;
    }

    public bool Secure { get; }

    public int Port { get; private set; }

    /// <summary>TCP connections Kestrel has accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The close code and reason the last echo's WebSocket ended with, as the server saw them.</summary>
    public Task<(CloseStatus? Status, string? Reason)> Closed => _closed.Task;

    /// <summary>The header fields of the last extended CONNECT.</summary>
    public IHeaderDictionary? LastRequestHeaders { get; private set; }

    public Uri Uri(string path = "/echo") => new($"{(Secure ? "wss" : "ws")}://{(Secure ? "localhost" : "127.0.0.1")}:{Port}{path}");

    public static async Task<Http2EchoHost> StartAsync(bool tls = false)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        Http2EchoHost? host = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref host!._connections);
                return next(connection);
            });
            if (tls)
            {
                listen.UseHttps(TestCertificate.Localhost);
            }
        }));
        WebApplication app = builder.Build();
        host = new Http2EchoHost(app, tls);
        app.Run(host.HandleAsync);
        await app.StartAsync(Bounded.Token());
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        host.Port = new Uri(address).Port;
        return host;
    }

    private async Task HandleAsync(HttpContext context)
    {
        IHttpExtendedConnectFeature? connect = context.Features.Get<IHttpExtendedConnectFeature>();
        if (connect is not { IsExtendedConnect: true } || connect.Protocol != "websocket")
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        LastRequestHeaders = context.Request.Headers;
        if (context.Request.Path == "/refuse")
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        string[] offers = [.. context.Request.Headers["Sec-WebSocket-Extensions"].OfType<string>()];
        string? agreed = null;
        if (offers.Length > 0)
        {
            PerMessageDeflateNegotiation.Accept(offers, new PerMessageDeflateOptions(), out agreed);
        }

        string? subProtocol = context.Request.Headers["Sec-WebSocket-Protocol"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (agreed is not null)
        {
            context.Response.Headers["Sec-WebSocket-Extensions"] = agreed;
        }

        if (subProtocol is not null)
        {
            context.Response.Headers["Sec-WebSocket-Protocol"] = subProtocol;
        }

        Stream stream = await connect.AcceptAsync();
        await using WebSocketConnection ws = WebSocketConnection.CreateFromStream(stream, new WebSocketStreamOptions
        {
            IsServer = true,
            SubProtocol = subProtocol,
            Extensions = agreed,
            Connection = new WebSocketConnectionOptions { MaxMessageSize = 32 << 20 },
        });
        if (context.Request.Path == "/bye")
        {
            await ws.CloseAsync((CloseStatus)4000, "see you", context.RequestAborted);
            return;
        }

        await EchoServer.EchoAsync(ws, context.RequestAborted);
        _closed.TrySetResult((ws.CloseStatus, ws.CloseStatusDescription));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(Bounded.Token());
        await _app.DisposeAsync().AsTask().WaitAsync(Bounded.Default);
    }
}
