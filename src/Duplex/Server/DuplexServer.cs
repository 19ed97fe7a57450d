using System.Runtime.CompilerServices;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Duplex.Http;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Handshake;
using Duplex.Protocol.Http;
using Duplex.Server;
using Duplex.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Duplex;

/// <summary>
/// A WebSocket and HTTP/1.1 server on raw sockets: one listener, one async loop per
/// connection, routing by path to WebSocket endpoints, HTTP handlers and static files.
/// </summary>
public sealed class DuplexServer : IAsyncDisposable
{
    private readonly DuplexServerOptions _options;
    private readonly DuplexDiagnostics _diagnostics;
    private readonly Dictionary<string, WebSocketEndpoint> _webSockets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HttpHandler> _http = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, StaticFiles Files)> _static = [];
    private readonly ConcurrentDictionary<WebSocketConnection, byte> _open = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _listener;
    private Task? _acceptLoop;
    private int _connections;
    private int _stopped;

    /// <summary>Creates a server; map endpoints, then start it.</summary>
    public DuplexServer(DuplexServerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new DuplexServerOptions();
        _options.Validate();
        _diagnostics = DuplexDiagnostics.Create(loggerFactory ?? _options.LoggerFactory, _options.MeterFactory, "Duplex.Server");
    }

    /// <summary>The address and port the server listens on, once started.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener?.LocalEndPoint ?? throw new InvalidOperationException("The server has not started."));

    /// <summary>Connections held now (HTTP and WebSocket).</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>Open WebSocket connections now.</summary>
    public int WebSocketCount => _open.Count;

    /// <summary>Serves WebSocket connections on <paramref name="path"/> with <paramref name="handler"/>.</summary>
    public void MapWebSocket(string path, WebSocketHandler handler, WebSocketEndpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(handler);
        options?.WebSocket?.Validate();
        _webSockets[path] = new WebSocketEndpoint(path, handler, options ?? new WebSocketEndpointOptions());
    }

    /// <summary>Answers GET and HEAD requests for <paramref name="path"/> with <paramref name="handler"/>.</summary>
    public void MapGet(string path, HttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(handler);
        _http[path] = handler;
    }

    /// <summary>Serves the files below <paramref name="directory"/> under <paramref name="urlPrefix"/> ("/" serves index.html).</summary>
    public void MapStaticFiles(string directory, string urlPrefix = "/")
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(urlPrefix);
        _static.Add((urlPrefix.EndsWith('/') ? urlPrefix : urlPrefix + "/", new StaticFiles(directory)));
    }

    /// <summary>Binds the listener and starts accepting; returns once the server is listening.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("The server has already started.");
        }

        var listener = new Socket(_options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (_options.Address.AddressFamily == AddressFamily.InterNetworkV6 && _options.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(new IPEndPoint(_options.Address, _options.Port));
            listener.Listen(_options.Backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        Log.Listening(_diagnostics, listener.LocalEndPoint!);
        _acceptLoop = AcceptLoopAsync(listener);
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
    /// Stops accepting, sends close 1001 (going away) to every WebSocket client, waits for the
    /// connections to finish (bounded by <see cref="DuplexServerOptions.ShutdownTimeout"/>), and
    /// drops what is left.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        foreach (WebSocketConnection connection in _open.Keys)
        {
            _ = CloseGoingAwayAsync(connection);
        }

        if (Volatile.Read(ref _connections) == 0)
        {
            _drained.TrySetResult();
        }

        try
        {
            await _drained.Task.WaitAsync(_options.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (WebSocketConnection connection in _open.Keys)
        {
            connection.Abort();
        }
    }

    /// <summary>Stops the server (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static async Task CloseGoingAwayAsync(WebSocketConnection connection)
    {
        try
        {
            await connection.CloseOutputAsync(CloseStatus.GoingAway, "server shutting down").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            connection.Abort();
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (Volatile.Read(ref _stopped) != 0)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Transient (for example EMFILE): log it and keep accepting.
                Log.AcceptFailed(_diagnostics, ex);
                await Task.Delay(10).ConfigureAwait(false);
                continue;
            }

            socket.NoDelay = true;
            _diagnostics.Instruments.ConnectionsAccepted.Add(1);
            _ = ServeConnectionAsync(socket);
        }
    }

    /// <summary>
    /// Serves one TCP connection from accept to the handshake's end, then hands an accepted
    /// WebSocket to <see cref="RunHandlerAsync"/> and finishes: the handshake's state is gone by
    /// the time the handler runs, so that a connection waiting for its next message holds only the
    /// handler runner's small state and its handler's (memory per idle connection).
    /// </summary>
    private async Task ServeConnectionAsync(Socket socket)
    {
        int count = Interlocked.Increment(ref _connections);
        _diagnostics.Instruments.ConnectionsOpen.Add(1);
        EndPoint? remote = null;
        Stream stream = new Transport.SocketStream(socket, _options.SocketEngine);
        bool handedOff = false;
        try
        {
            remote = socket.RemoteEndPoint;
            if (_options.ServerCertificate is { } certificate)
            {
                stream = await AuthenticateAsync(stream, certificate).ConfigureAwait(false);
            }

            if (count > _options.MaxConnections)
            {
                Log.ConnectionLimit(_diagnostics, _options.MaxConnections, remote);
                await HttpHeadReader.WriteAsync(stream, w => HttpResponseWriter.Write(w, 503, HttpResponseWriter.ReasonPhrase(503), ConnectionClose), _stopping.Token).ConfigureAwait(false);
                return;
            }

            AcceptedWebSocket? accepted = await ServeRequestAsync(stream, socket, remote).ConfigureAwait(false);
            if (accepted is { } webSocket)
            {
                handedOff = true;
                _ = RunHandlerAsync(stream, webSocket.Connection, webSocket.Endpoint);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            Log.TransportError(_diagnostics, remote, ex.Message);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_diagnostics, ex, "(connection)");
        }
        finally
        {
            if (!handedOff)
            {
                await ReleaseConnectionAsync(stream).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs an accepted connection's handler to its end, closes the connection, and releases it.</summary>
    private async Task RunHandlerAsync(Stream stream, WebSocketConnection connection, WebSocketEndpoint endpoint)
    {
        _open.TryAdd(connection, 0);
        try
        {
            if (Volatile.Read(ref _stopped) != 0)
            {
                await CloseGoingAwayAsync(connection).ConfigureAwait(false);
            }

            await endpoint.Handler(connection, _stopping.Token).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketClosedException or IOException)
        {
            // The server is stopping or the peer went away; the close below finishes the job.
            await CloseQuietlyAsync(connection, CloseStatus.GoingAway).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_diagnostics, ex, endpoint.Path);
            await CloseQuietlyAsync(connection, CloseStatus.InternalServerError).ConfigureAwait(false);
        }
        finally
        {
            _open.TryRemove(connection, out _);
            connection.Abort();
            await ReleaseConnectionAsync(stream).ConfigureAwait(false);
        }
    }

    private async ValueTask ReleaseConnectionAsync(Stream stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            // Already broken: released either way.
        }

        _diagnostics.Instruments.ConnectionsOpen.Add(-1);
        if (Interlocked.Decrement(ref _connections) == 0 && Volatile.Read(ref _stopped) != 0)
        {
            _drained.TrySetResult();
        }
    }

    private async Task<Stream> AuthenticateAsync(Stream stream, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        handshake.CancelAfter(_options.HandshakeTimeout);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, handshake.Token).ConfigureAwait(false);
        return ssl;
    }

    private static readonly KeyValuePair<string, string>[] ConnectionClose = [new("Connection", "close")];

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AcceptedWebSocket?> ServeRequestAsync(Stream stream, Socket socket, EndPoint? remote)
    {
        var deadline = new HandshakeDeadline(stream, _options.HandshakeTimeout, _diagnostics, remote);
        HeadReadResult<HttpRequestHead> read;
        try
        {
            read = await HttpHeadReader.ReadAsync<HttpRequestHead>(stream, _options.HttpLimits, HttpHeadParser.TryParseRequest, _stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            deadline.Complete();
        }

        if (read.EndOfStream || deadline.TimedOut)
        {
            return null;
        }

        if (read.Head is null)
        {
            int status = HttpParseErrors.StatusCodeFor(read.Error);
            string reason = HttpParseErrors.Describe(read.Error);
            Log.RequestRejected(_diagnostics, remote, status, reason);
            await WriteTextAsync(stream, status, reason, null).ConfigureAwait(false);
            return null;
        }

        HttpRequestHead request = read.Head;
        if (_webSockets.TryGetValue(request.Path, out WebSocketEndpoint? endpoint))
        {
            if (!ServerHandshake.IsUpgradeRequest(request))
            {
                // RFC 7231 §6.5.15: 426 tells the client which protocol this resource needs.
                Log.RequestRejected(_diagnostics, remote, 426, "not a WebSocket upgrade");
                await WriteTextAsync(stream, 426, "This resource speaks WebSocket only.", [new("Upgrade", "websocket"), new("Sec-WebSocket-Version", "13")]).ConfigureAwait(false);
                return null;
            }

            return await AcceptWebSocketAsync(stream, socket, remote, request, endpoint, read.Leftover).ConfigureAwait(false);
        }

        if (ServerHandshake.IsUpgradeRequest(request))
        {
            Log.RequestRejected(_diagnostics, remote, 404, $"no WebSocket endpoint at {request.Path}");
            await WriteTextAsync(stream, 404, "No WebSocket endpoint here.", null).ConfigureAwait(false);
            return null;
        }

        await ServeHttpAsync(stream, remote, request).ConfigureAwait(false);
        return null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AcceptedWebSocket?> AcceptWebSocketAsync(Stream stream, Socket socket, EndPoint? remote, HttpRequestHead request, WebSocketEndpoint endpoint, ReadOnlyMemory<byte> leftover)
    {
        HandshakeRejection rejection = ServerHandshake.Validate(request, out ServerHandshakeRequest? accepted);
        if (rejection != HandshakeRejection.None || accepted is null)
        {
            Log.RequestRejected(_diagnostics, remote, ServerHandshake.StatusCodeFor(rejection), ServerHandshake.Describe(rejection));
            await HttpHeadReader.WriteAsync(stream, w => ServerHandshake.WriteRejection(w, rejection), _stopping.Token).ConfigureAwait(false);
            return null;
        }

        if (endpoint.Options.Accept is { } accept &&
            !accept(new WebSocketUpgradeContext(request, accepted.Origin, accepted.OfferedSubProtocols, remote)))
        {
            Log.RequestRejected(_diagnostics, remote, 403, "refused by the endpoint's accept hook");
            await WriteTextAsync(stream, 403, "This origin or client may not connect here.", null).ConfigureAwait(false);
            return null;
        }

        string? subProtocol = ServerHandshake.SelectSubProtocol(accepted.OfferedSubProtocols, endpoint.Options.SubProtocols);
        WebSocketConnectionOptions webSocketOptions = endpoint.Options.WebSocket ?? _options.WebSocket;
        PerMessageDeflateParameters? compression = null;
        string? extensions = null;
        if (webSocketOptions.Compression is { } deflate && accepted.OfferedExtensions.Count > 0)
        {
            // RFC 7692 §5: the first offer the server can honour is accepted; others are declined.
            compression = PerMessageDeflateNegotiation.Accept(accepted.OfferedExtensions, deflate, out extensions);
        }

        await HttpHeadReader.WriteAsync(
            stream,
            (accepted.Key, subProtocol, extensions),
            static (w, accept) => ServerHandshake.WriteAccept(w, accept.Key, accept.subProtocol, accept.extensions),
            _stopping.Token).ConfigureAwait(false);
        Log.WebSocketAccepted(_diagnostics, remote, request.Path);

        var connection = new WebSocketConnection(stream, Role.Server, webSocketOptions, _diagnostics, leftover, subProtocol, extensions, remote, socket, compression)
        {
            Request = endpoint.Options.RetainRequest ? request : null,
        };
        return new AcceptedWebSocket(connection, endpoint);
    }

    private static async Task CloseQuietlyAsync(WebSocketConnection connection, CloseStatus status)
    {
        try
        {
            if (connection.State is WebSocketConnectionState.Open or WebSocketConnectionState.CloseReceived)
            {
                await connection.CloseAsync(status, null, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private async Task ServeHttpAsync(Stream stream, EndPoint? remote, HttpRequestHead request)
    {
        bool head = request.Method == "HEAD";
        if (request.Method != "GET" && !head)
        {
            Log.RequestRejected(_diagnostics, remote, 405, $"method {request.Method}");
            await WriteTextAsync(stream, 405, "Only GET and HEAD are served here.", [new("Allow", "GET, HEAD")]).ConfigureAwait(false);
            return;
        }

        HttpResponse? response = null;
        if (_http.TryGetValue(request.Path, out HttpHandler? handler))
        {
            response = await handler(request, _stopping.Token).ConfigureAwait(false);
        }
        else
        {
            foreach ((string prefix, StaticFiles files) in _static)
            {
                string path = request.Path == prefix.TrimEnd('/') ? prefix : request.Path;
                if (path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    response = await files.TryGetAsync(path[prefix.Length..], _stopping.Token).ConfigureAwait(false);
                    if (response is not null)
                    {
                        break;
                    }
                }
            }
        }

        response ??= HttpResponse.Text(404, "Not found.");
        if (response.StatusCode >= 400)
        {
            Log.RequestRejected(_diagnostics, remote, response.StatusCode, request.Path);
        }

        var headers = new List<KeyValuePair<string, string>>(response.Headers) { new("Content-Type", response.ContentType), new("Connection", "close") };
        ReadOnlyMemory<byte> body = response.Body;
        await HttpHeadReader.WriteAsync(
            stream,
            w =>
            {
                if (head)
                {
                    headers.Add(new("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    HttpResponseWriter.Write(w, response.StatusCode, HttpResponseWriter.ReasonPhrase(response.StatusCode), headers);
                }
                else
                {
                    HttpResponseWriter.Write(w, response.StatusCode, HttpResponseWriter.ReasonPhrase(response.StatusCode), headers, body.Span);
                }
            },
            _stopping.Token).ConfigureAwait(false);
    }

    private Task WriteTextAsync(Stream stream, int status, string text, IEnumerable<KeyValuePair<string, string>>? extra)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Content-Type", "text/plain; charset=utf-8"), new("Connection", "close") };
        if (extra is not null)
        {
            headers.AddRange(extra);
        }

        byte[] body = System.Text.Encoding.UTF8.GetBytes(text + "\n");
        return HttpHeadReader.WriteAsync(stream, w => HttpResponseWriter.Write(w, status, HttpResponseWriter.ReasonPhrase(status), headers, body), _stopping.Token).AsTask();
    }

    private sealed record WebSocketEndpoint(string Path, WebSocketHandler Handler, WebSocketEndpointOptions Options);

    private readonly record struct AcceptedWebSocket(WebSocketConnection Connection, WebSocketEndpoint Endpoint);
}
