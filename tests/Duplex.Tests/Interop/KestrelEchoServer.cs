using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AspNetAcceptContext = Microsoft.AspNetCore.Http.WebSocketAcceptContext;
using AspNetWebSocketOptions = Microsoft.AspNetCore.Builder.WebSocketOptions;
using WsMessageType = System.Net.WebSockets.WebSocketMessageType;
using WsState = System.Net.WebSockets.WebSocketState;

namespace Duplex.Tests.Interop;

/// <summary>
/// An in-process ASP.NET Core (Kestrel) server with the WebSocket middleware, used as a peer that
/// nobody here wrote. <c>/echo</c> accepts a WebSocket and echoes every message with its type
/// until the client closes, then answers the close with the same status and description.
/// <c>/echo?close=CODE&amp;reason=TEXT</c> closes from the server side right after the handshake.
/// With compression enabled, the middleware negotiates permessage-deflate
/// (<c>DangerousEnableCompression</c>) with the given server window and context takeover.
/// </summary>
public sealed class KestrelEchoServer : IAsyncDisposable
{
    private const int MaxMessageSize = 64 * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly string[] _subProtocols;
    private readonly Channel<ReceivedClose> _closes = Channel.CreateUnbounded<ReceivedClose>();
    private readonly Channel<string?> _accepted = Channel.CreateUnbounded<string?>();
    private readonly Channel<KestrelExtensions> _extensions = Channel.CreateUnbounded<KestrelExtensions>();

    private KestrelEchoServer(WebApplication app, string[] subProtocols)
    {
        _app = app;
        _subProtocols = subProtocols;
    }

    /// <summary>http://127.0.0.1:port/</summary>
    public Uri HttpUri { get; private set; } = null!;

    /// <summary>ws://127.0.0.1:port/echo</summary>
    public Uri EchoUri => new($"ws://127.0.0.1:{Port}/echo");

    public int Port { get; private set; }

    /// <summary>Starts Kestrel on 127.0.0.1 with a port the OS picks.</summary>
    /// <param name="subProtocols">Subprotocols the server selects from, in order of preference.</param>
    /// <param name="enableCompression">Lets the middleware negotiate permessage-deflate.</param>
    /// <param name="serverMaxWindowBits">The largest window Kestrel compresses with, 9 to 15 (WebSocketUpgradeContext.ServerMaxWindowBits).</param>
    /// <param name="disableServerContextTakeover">Makes Kestrel reset its compressor after every message.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<KestrelEchoServer> StartAsync(
        IEnumerable<string>? subProtocols = null,
        bool enableCompression = false,
        int serverMaxWindowBits = 15,
        bool disableServerContextTakeover = false,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Development",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

        var app = builder.Build();
        var server = new KestrelEchoServer(app, subProtocols?.ToArray() ?? []);
        app.UseWebSockets(new AspNetWebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(context => server.HandleAsync(context, enableCompression, serverMaxWindowBits, disableServerContextTakeover));

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("Kestrel did not report its addresses");
        var address = new Uri(addresses.Single());
        if (address.Port == 0 || !IPAddress.IsLoopback(IPAddress.Parse(address.Host)))
        {
            throw new InvalidOperationException($"Kestrel bound an unexpected address: {address}");
        }

        server.Port = address.Port;
        server.HttpUri = new Uri($"http://127.0.0.1:{address.Port}/");
        return server;
    }

    /// <summary>Waits for the next accepted WebSocket and returns the subprotocol Kestrel selected.</summary>
    public async Task<string?> WaitForAcceptAsync(TimeSpan timeout)
    {
        try
        {
            return await _accepted.Reader.ReadAsync().AsTask().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Kestrel accepted no WebSocket within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Waits for the Sec-WebSocket-Extensions offered and answered on the next accepted WebSocket.</summary>
    public async Task<KestrelExtensions> WaitForExtensionsAsync(TimeSpan timeout)
    {
        try
        {
            return await _extensions.Reader.ReadAsync().AsTask().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Kestrel accepted no WebSocket within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Waits for the next close frame Kestrel received from a client.</summary>
    public async Task<ReceivedClose> WaitForCloseAsync(TimeSpan timeout)
    {
        try
        {
            return await _closes.Reader.ReadAsync().AsTask().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Kestrel received no close frame within {timeout.TotalSeconds:0.#} s");
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _app.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // connections still open after the grace period are aborted by DisposeAsync
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context, bool enableCompression, int serverMaxWindowBits, bool disableServerContextTakeover)
    {
        if (context.Request.Path != "/echo")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var requested = context.WebSockets.WebSocketRequestedProtocols;
        var subProtocol = _subProtocols.FirstOrDefault(p => requested.Contains(p, StringComparer.Ordinal));
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new AspNetAcceptContext
        {
            SubProtocol = subProtocol,
            DangerousEnableCompression = enableCompression,
            ServerMaxWindowBits = serverMaxWindowBits,
            DisableServerContextTakeover = disableServerContextTakeover,
        }).ConfigureAwait(false);
        _accepted.Writer.TryWrite(subProtocol);
        _extensions.Writer.TryWrite(new KestrelExtensions(
            context.Request.Headers.SecWebSocketExtensions.ToString() is { Length: > 0 } offered ? offered : null,
            context.Response.Headers.SecWebSocketExtensions.ToString() is { Length: > 0 } answered ? answered : null));

        var aborted = context.RequestAborted;
        if (context.Request.Query.TryGetValue("close", out var closeCode) && int.TryParse(closeCode, out var code))
        {
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, context.Request.Query["reason"].ToString(), aborted).ConfigureAwait(false);
        }

        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), aborted).ConfigureAwait(false);
                if (result.MessageType == WsMessageType.Close)
                {
                    _closes.Writer.TryWrite(new ReceivedClose((int?)socket.CloseStatus, socket.CloseStatusDescription));
                    if (socket.State == WsState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(
                            socket.CloseStatus ?? WebSocketCloseStatus.Empty,
                            socket.CloseStatusDescription,
                            aborted).ConfigureAwait(false);
                    }

                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (message.Length > MaxMessageSize)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "too big", aborted).ConfigureAwait(false);
                    return;
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }

                await socket.SendAsync(
                    message.GetBuffer().AsMemory(0, (int)message.Length),
                    result.MessageType,
                    endOfMessage: true,
                    aborted).ConfigureAwait(false);
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // the client went away without a close handshake: nothing to echo
        }
    }
}

/// <summary>The Sec-WebSocket-Extensions a client offered Kestrel and the one Kestrel answered with (null when absent).</summary>
public sealed record KestrelExtensions(string? Offered, string? Answered);

/// <summary>A close frame as the receiving peer saw it.</summary>
public sealed record ReceivedClose(int? Code, string? Description);
