using System.Net;
using Duplex.Diagnostics;
using Duplex.Server;
using Microsoft.Extensions.Logging;

namespace Duplex;

/// <summary>
/// A WebSocket and HTTP/1.1 server on raw sockets. Map HTTP handlers by method and path,
/// WebSocket endpoints and static folders, then start it. Connections persist between requests
/// (keep-alive and pipelining), bodies are read and written incrementally, and shutdown ends
/// held requests, streams and WebSockets gracefully.
/// </summary>
/// <remarks>
/// Its parts, in <c>src/Duplex/Server/</c>: <c>ConnectionListener</c> (the listening socket and
/// accept loop), <c>HttpConnection</c> (one connection's request loop, driving the Sans-I/O
/// <c>HttpServerConnection</c>), <c>Router</c> (methods and paths), the WebSocket upgrade (in
/// <c>HttpConnection.Dispatch</c>), <c>ConnectionLifetimes</c> (tracking and shutdown),
/// <c>CorsPolicy</c> and <c>StaticFiles</c>.
/// </remarks>
public sealed class DuplexServer : IAsyncDisposable
{
    private readonly ServerContext _server;
    private readonly ConnectionListener _listener;

    /// <summary>Creates a server; map endpoints, then start it.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public DuplexServer(DuplexServerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        DuplexServerOptions validated = options ?? new DuplexServerOptions();
        validated.Validate();
        LoggerFactory = loggerFactory ?? validated.LoggerFactory;
        _server = new ServerContext(validated, DuplexDiagnostics.Create(LoggerFactory, validated.MeterFactory, "Duplex.Server"));
        _listener = new ConnectionListener(_server);
    }

    /// <summary>The options the server runs with.</summary>
    public DuplexServerOptions Options => _server.Options;

    /// <summary>Where the server logs (the constructor's factory, or the options'); null for nowhere. Endpoints mounted on it log there too.</summary>
    public ILoggerFactory? LoggerFactory { get; }

    /// <summary>Fires when <see cref="StopAsync"/> begins, so that endpoints mounted on the server end their own state (sessions) with it.</summary>
    public CancellationToken Stopping => _server.Lifetimes.StopRequested;

    /// <summary>The address and port the server listens on, once started.</summary>
    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>Connections held now (HTTP and WebSocket).</summary>
    public int ConnectionCount => _server.Lifetimes.ConnectionCount;

    /// <summary>Open WebSocket connections now.</summary>
    public int WebSocketCount => _server.Lifetimes.WebSocketCount;

    /// <summary>HTTP connections open now (keep-alive ones included, upgraded ones not).</summary>
    internal int HttpConnectionCount => _server.Lifetimes.HttpConnectionCount;

    /// <summary>HTTP connections that hold an input buffer now; an idle keep-alive connection holds none.</summary>
    internal int HttpConnectionsHoldingInput => _server.Lifetimes.HttpConnectionsHoldingInput;

    /// <summary>Serves WebSocket connections on <paramref name="path"/> with <paramref name="handler"/>; a GET there that is not an upgrade gets 426.</summary>
    public void MapWebSocket(string path, WebSocketHandler handler, WebSocketEndpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(handler);
        options?.WebSocket?.Validate();
        _server.Router.MapWebSocket(new WebSocketEndpoint(path, handler, options ?? new WebSocketEndpointOptions()));
    }

    /// <summary>
    /// Answers <paramref name="method"/> requests for the exact <paramref name="path"/> (the
    /// target before '?') with <paramref name="handler"/>. Mapping a method again replaces its
    /// handler. Other methods on the path get 405 with Allow; OPTIONS gets 204 with Allow.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="method"/> is not a method token.</exception>
    public void Map(string method, string path, HttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(handler);
        if (!HttpHeaders.IsToken(method))
        {
            throw new ArgumentException($"'{method}' is not an HTTP method token (RFC 9110 §9.1).", nameof(method));
        }

        _server.Router.Map(method, path, handler);
    }

    /// <summary>Answers GET requests for <paramref name="path"/>, and HEAD the same way without the body.</summary>
    public void MapGet(string path, HttpHandler handler) => Map("GET", path, handler);

    /// <summary>Answers POST requests for <paramref name="path"/>.</summary>
    public void MapPost(string path, HttpHandler handler) => Map("POST", path, handler);

    /// <summary>
    /// Serves the files below <paramref name="directory"/> under <paramref name="urlPrefix"/>
    /// ("/" serves index.html) for GET and HEAD, with ETag, Last-Modified and 304; a path that
    /// tries to leave the folder gets 400.
    /// </summary>
    public void MapStaticFiles(string directory, string urlPrefix = "/")
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(urlPrefix);
        _server.Router.MapStaticFiles(urlPrefix.EndsWith('/') ? urlPrefix : urlPrefix + "/", new StaticFiles(directory));
    }

    /// <summary>Binds the listener and starts accepting; returns once the server is listening.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    /// <summary>Starts, serves until <paramref name="cancellationToken"/> is cancelled, then stops gracefully.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops accepting; fires the token of every HTTP request in flight (each connection closes
    /// after its response), closes idle keep-alive connections, sends close 1001 (going away) to
    /// every WebSocket client; waits for everything to finish (bounded by
    /// <see cref="DuplexServerOptions.ShutdownTimeout"/>) and drops what is left.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        _server.Lifetimes.StopAsync(_listener.StopAsync, _server.Options.ShutdownTimeout, cancellationToken);

    /// <summary>Stops the server (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _server.Lifetimes.Dispose();
    }
}
