using System.Runtime.CompilerServices;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Handshake;
using Duplex.Protocol.Http;

namespace Duplex.Server;

/// <summary>Routing a request to what serves it, running handlers with the peer-gone watch, and the WebSocket upgrade.</summary>
internal sealed partial class HttpConnection
{
    private const string AllowField = "Allow";
    private const string UpgradeField = "Upgrade";
    private const string WebSocketVersionField = "Sec-WebSocket-Version";
    private const string ConnectionField = "Connection";

    /// <summary>Routes the request just received and answers it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> ServeRequestAsync()
    {
        HttpRequestHead request = _http.Request!;
        BeginResponse();
        RouteMatch match = _server.Router.Match(request.Method, request.Path, _exchange.IsWebSocketRequest);
        if (_server.Cors is { } cors)
        {
            if (CorsPolicy.IsPreflight(request) && match.Kind is not (RouteKind.NotFound or RouteKind.BadPath))
            {
                if (!cors.TryAllowPreflight(request.Headers, _exchange.ResponseHeaders, out string reason))
                {
                    return await RefuseWithStatusAsync(403, reason, "This origin may not make this request.").ConfigureAwait(false);
                }

                await _exchange.RespondStatusAsync(204).ConfigureAwait(false);
                return Outcome.Continue;
            }

            cors.AddResponseHeaders(request.Headers, _exchange.ResponseHeaders);
        }

        switch (match.Kind)
        {
            case RouteKind.Handler:
                return await RunHandlerAsync(match.Handler!, request.Path).ConfigureAwait(false);
            case RouteKind.WebSocket:
                return await UpgradeAsync(match.WebSocket!).ConfigureAwait(false);
            case RouteKind.StaticFile:
                return await ServeStaticFileAsync(match.File!).ConfigureAwait(false);
            case RouteKind.BadPath:
                return await RefuseWithStatusAsync(400, $"path {request.Path} leaves the static folder or names no file", "Bad path.").ConfigureAwait(false);
            case RouteKind.MethodNotAllowed:
                // RFC 9110 §15.5.6: a 405 must say what is allowed.
                _exchange.ResponseHeaders.Add(AllowField, match.Allow!);
                return await RefuseWithStatusAsync(405, $"method {request.Method} on {request.Path}", "Method not allowed.").ConfigureAwait(false);
            case RouteKind.Options:
                // RFC 9110 §9.3.7: OPTIONS is answered with what the resource allows.
                _exchange.ResponseHeaders.Add(AllowField, match.Allow!);
                await _exchange.RespondStatusAsync(204).ConfigureAwait(false);
                return Outcome.Continue;
            default:
                string what = _exchange.IsWebSocketRequest ? $"no WebSocket endpoint at {request.Path}" : request.Path;
                return await RefuseWithStatusAsync(404, what, _exchange.IsWebSocketRequest ? "No WebSocket endpoint here." : "Not found.").ConfigureAwait(false);
        }
    }

    /// <summary>Answers a status the router or a check decided (404, 405, 403...), logs it and counts it; the connection persists.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> RefuseWithStatusAsync(int status, string reason, string text)
    {
        Log.RequestRejected(_server.Diagnostics, _remote, status, reason);
        await _exchange.RespondTextAsync(status, text + "\n").ConfigureAwait(false);
        return Outcome.Continue;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> ServeStaticFileAsync(StaticFile file)
    {
        try
        {
            await StaticFiles.ServeAsync(_exchange, file, _server.Lifetimes.Stopping).ConfigureAwait(false);
            return Outcome.Continue;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && !IsTransportFailureOnStream(ex))
        {
            // The file went away or cannot be read: a 500 if nothing was sent, else the response is cut short.
            Log.HandlerFailed(_server.Diagnostics, ex, file.FullPath);
            return await AnswerFailureAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs an HTTP handler, watching the connection while it holds its response, then completes
    /// the response for it (see <see cref="HttpHandler"/> for what a failure answers).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Outcome> RunHandlerAsync(HttpHandler handler, string path)
    {
        // A handler may hold its response: earlier pipelined responses must not wait behind it.
        await FlushOutputAsync(CancellationToken.None).ConfigureAwait(false);
        CancellationToken token = RequestAbortedToken;
        Task task;
        try
        {
            task = handler(_exchange, token);
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }

        if (!task.IsCompleted)
        {
            await WaitWatchingAsync(task).ConfigureAwait(false);
        }

        Outcome outcome = Outcome.Continue;
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (HttpRequestRejectedException ex)
        {
            outcome = await RefuseAfterHandlerAsync(ex.Rejection).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && _bodyTimedOut)
        {
            // The body's deadline passed while the handler waited on something else.
            outcome = await RefuseAfterHandlerAsync(HttpRequestRejection.BodyTimeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            outcome = await AnswerAbortedAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_server.Diagnostics, ex, path);
            outcome = await AnswerFailureAsync().ConfigureAwait(false);
        }

        if (_upgraded is { } webSocket)
        {
            // The handler accepted a WebSocket: it is over when the handler is.
            _upgraded = null;
            _server.Lifetimes.Remove(webSocket);
            await webSocket.DisposeAsync().ConfigureAwait(false);
            return Outcome.Abort;
        }

        if (outcome != Outcome.Continue || _completed)
        {
            return outcome;
        }

        try
        {
            await CompleteResponseAsync().ConfigureAwait(false);
            return Outcome.Continue;
        }
        catch (InvalidOperationException ex)
        {
            // It set a Content-Length and wrote less: the framing cannot be finished.
            Log.HandlerFailed(_server.Diagnostics, ex, path);
            return Outcome.Abort;
        }
    }

    /// <summary>
    /// Waits for a handler that did not finish at once, keeping a read pending on the connection
    /// once the request body is in (and it is not an upgrade): the end of the stream or a reset
    /// means the client went away, and the request's token fires; bytes that arrive are the next
    /// request, kept in the input buffer (reading stops when it is full).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitWatchingAsync(Task handler)
    {
        while (!handler.IsCompleted)
        {
            if (_http.RequestPhase == HttpRequestPhase.ReceivingBody)
            {
                // The handler reads its body: watch once it is in.
                _bodyDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await Task.WhenAny(handler, _bodyDone.Task).ConfigureAwait(false);
                _bodyDone = null;
                continue;
            }

            if (!CanWatch())
            {
                await handler.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return;
            }

            Task<int> watch = _watch ??= WatchAsync();
            if (await Task.WhenAny(handler, watch).ConfigureAwait(false) != watch)
            {
                return;
            }

            _watch = null;
            if (watch.Result == 0)
            {
                _peerGone = true;
                CancelRequest();
            }
        }
    }

    private bool CanWatch() =>
        !_peerGone
        && _upgraded is null
        && _http.RequestPhase == HttpRequestPhase.Complete
        && !_exchange.IsWebSocketRequest
        && (_input is null || _inputEnd - _inputStart < _input.Length);

    /// <summary>One read for the watch: waits for readability holding no buffer, then reads what came. 0: the client is gone.</summary>
    private async Task<int> WatchAsync()
    {
        try
        {
            if (_inputEnd == _inputStart)
            {
                ReturnInput();
                await _stream.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
            }

            int read = await _stream.ReadAsync(InputRoom()).ConfigureAwait(false);
            _inputEnd += read;
            return read;
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            return 0;
        }
    }

    /// <summary>The request's token fired: the client went away, or the server is stopping.</summary>
    private async ValueTask<Outcome> AnswerAbortedAsync()
    {
        if (_peerGone)
        {
            return Outcome.Abort;
        }

        if (_committed)
        {
            // A stream ended by shutdown: end it cleanly, then close.
            await CompleteResponseAsync().ConfigureAwait(false);
            return Outcome.Close;
        }

        _http.CloseAfterResponse();
        ClearResponse();
        await _exchange.RespondTextAsync(503, "The server is shutting down.\n").ConfigureAwait(false);
        return Outcome.Close;
    }

    /// <summary>A handler failed: 500 if its response had not started, else the connection is dropped so the client sees it cut short.</summary>
    private async ValueTask<Outcome> AnswerFailureAsync()
    {
        if (_committed)
        {
            return Outcome.Abort;
        }

        _http.CloseAfterResponse();
        ClearResponse();
        await _exchange.RespondTextAsync(500, "Internal server error.\n").ConfigureAwait(false);
        return Outcome.Close;
    }

    /// <summary>A handler let a refusal through (its body broke a rule, or it refused the request itself).</summary>
    private async ValueTask<Outcome> RefuseAfterHandlerAsync(HttpRequestRejection rejection)
    {
        if (_committed)
        {
            Log.RequestRejected(_server.Diagnostics, _remote, HttpRequestRejections.StatusCodeFor(rejection), HttpRequestRejections.Describe(rejection));
            return Outcome.Abort;
        }

        ClearResponse();
        await RefuseAsync(rejection).ConfigureAwait(false);
        return Outcome.Close;
    }

    /// <summary>
    /// Answers a refused request with its status and sentence, logs and counts it; the
    /// connection closes after it (its framing can no longer be trusted).
    /// </summary>
    private async ValueTask RefuseAsync(HttpRequestRejection rejection)
    {
        int status = HttpRequestRejections.StatusCodeFor(rejection);
        string reason = HttpRequestRejections.Describe(rejection);
        Log.RequestRejected(_server.Diagnostics, _remote, status, reason);
        _http.CloseAfterResponse();
        await _exchange.RespondTextAsync(status, reason + "\n").ConfigureAwait(false);
    }

    /// <summary>A mapped WebSocket endpoint: upgrade, and hand the connection to the endpoint's runner.</summary>
    private async ValueTask<Outcome> UpgradeAsync(WebSocketEndpoint endpoint)
    {
        if (!_exchange.IsWebSocketRequest)
        {
            // RFC 9110 §15.5.22: 426 names the protocol this resource needs in Upgrade.
            _exchange.ResponseHeaders.Add(UpgradeField, "websocket");
            _exchange.ResponseHeaders.Add(WebSocketVersionField, ServerHandshake.SupportedVersion);
            return await RefuseWithStatusAsync(426, "not a WebSocket upgrade", "This resource speaks WebSocket only.").ConfigureAwait(false);
        }

        WebSocketConnection? connection = await AcceptWebSocketAsync(endpoint.Options, endpoint.Path).ConfigureAwait(false);
        if (connection is null)
        {
            return _http.KeepAlive ? Outcome.Continue : Outcome.Close;
        }

        _ = _server.Lifetimes.RunWebSocketAsync(_stream, connection, endpoint);
        return Outcome.Upgraded;
    }

    /// <summary>
    /// Checks the opening handshake (RFC 6455 §4.2.1), runs the accept hook, answers 101 and
    /// creates the connection over this one's stream, with the bytes already read after the head.
    /// Null when refused: the refusal has been answered.
    /// </summary>
    internal async ValueTask<WebSocketConnection?> AcceptWebSocketAsync(WebSocketEndpointOptions options, string path)
    {
        HttpRequestHead request = _http.Request!;
        if (_committed || _completed)
        {
            throw new InvalidOperationException("The response has already started: the request can no longer be upgraded.");
        }

        HandshakeRejection rejection = ServerHandshake.Validate(request, out ServerHandshakeRequest? accepted);
        if (rejection != HandshakeRejection.None || accepted is null)
        {
            int status = ServerHandshake.StatusCodeFor(rejection);
            if (rejection == HandshakeRejection.UnsupportedVersion)
            {
                // RFC 6455 §4.4: tell the client which version this server speaks.
                _exchange.ResponseHeaders.Add(WebSocketVersionField, ServerHandshake.SupportedVersion);
            }

            _exchange.ResponseHeaders.Add(ConnectionField, "close");
            await RefuseWithStatusAsync(status, ServerHandshake.Describe(rejection), ServerHandshake.Describe(rejection)).ConfigureAwait(false);
            return null;
        }

        if (_http.RequestPhase != HttpRequestPhase.Complete)
        {
            _exchange.ResponseHeaders.Add(ConnectionField, "close");
            await RefuseWithStatusAsync(400, "WebSocket upgrade with a body", "An upgrade request cannot have a body.").ConfigureAwait(false);
            return null;
        }

        if (options.Accept is { } accept &&
            !accept(new WebSocketUpgradeContext(request, accepted.Origin, accepted.OfferedSubProtocols, _remote)))
        {
            await RefuseWithStatusAsync(403, "refused by the endpoint's accept hook", "This origin or client may not connect here.").ConfigureAwait(false);
            return null;
        }

        string? subProtocol = ServerHandshake.SelectSubProtocol(accepted.OfferedSubProtocols, options.SubProtocols);
        WebSocketConnectionOptions webSocketOptions = options.WebSocket ?? _server.Options.WebSocket;
        PerMessageDeflateParameters? compression = null;
        string? extensions = null;
        if (webSocketOptions.Compression is { } deflate && accepted.OfferedExtensions.Count > 0)
        {
            // RFC 7692 §5: the first offer the server can honour is accepted; others are declined.
            compression = PerMessageDeflateNegotiation.Accept(accepted.OfferedExtensions, deflate, out extensions);
        }

        ServerHandshake.WriteAccept(_output, accepted.Key, subProtocol, extensions);
        _http.SwitchProtocols();
        _committed = true;
        _completed = true;
        await FlushOutputAsync(_server.Lifetimes.Stopping).ConfigureAwait(false);
        Log.WebSocketAccepted(_server.Diagnostics, _remote, path);

        // The bytes after the head are the client's first frames: the connection takes a copy.
        ReadOnlyMemory<byte> leftover = _input is null ? ReadOnlyMemory<byte>.Empty : _input.AsMemory(_inputStart, _inputEnd - _inputStart);
        var connection = new WebSocketConnection(_stream, Role.Server, webSocketOptions, _server.Diagnostics, leftover, subProtocol, extensions, _remote, _socket, compression)
        {
            Request = options.RetainRequest ? request : null,
        };
        _inputStart = _inputEnd;
        ReturnInput();
        return connection;
    }

    /// <summary>An HTTP handler's own upgrade (<see cref="HttpExchange.AcceptWebSocketAsync"/>): the WebSocket lives until the handler returns.</summary>
    internal async ValueTask<WebSocketConnection> AcceptWebSocketForHandlerAsync(WebSocketEndpointOptions? options)
    {
        if (!_exchange.IsWebSocketRequest)
        {
            throw new InvalidOperationException("The request is not a WebSocket upgrade (see IsWebSocketRequest).");
        }

        WebSocketConnection? connection = await AcceptWebSocketAsync(options ?? s_defaultEndpoint, _http.Request!.Path).ConfigureAwait(false);
        if (connection is null)
        {
            throw new WebSocketHandshakeException("The WebSocket handshake was refused; the refusal has been answered.", _statusCode);
        }

        _upgraded = connection;
        _server.Lifetimes.Add(connection);
        return connection;
    }

    private static readonly WebSocketEndpointOptions s_defaultEndpoint = new();

    private static bool IsTransportFailureOnStream(Exception ex) => ex is IOException { InnerException: System.Net.Sockets.SocketException };
}
