using System.Runtime.CompilerServices;
using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Duplex.Http;
using Duplex.Protocol.Http;
using Duplex.Timers;
using Duplex.Transport;

namespace Duplex.Server;

/// <summary>
/// Drives one TCP connection of the built-in server: the Sans-I/O
/// <see cref="HttpServerConnection"/> decides what every byte means and which bytes go out; this
/// reads, writes, waits and keeps time. Requests are served one at a time, in order, for as long
/// as the connection persists; a WebSocket upgrade hands the connection over and ends the loop.
/// </summary>
/// <remarks>
/// <para>
/// The loop (<see cref="ServeAsync"/>): read a head (<see cref="ReadHeadAsync"/>), route it and
/// run what serves it (<c>ServeRequestAsync</c>, in the Dispatch part), finish the request
/// (drain an unread body, move on or close). Pipelined requests wait in the input buffer; their
/// responses are written in order, and when several are ready at once they go out in one write.
/// </para>
/// <para>
/// While a handler holds its response open (long polling) or streams it (SSE), and its request
/// body has been read, the connection keeps a read pending: bytes that arrive are the next
/// pipelined request and wait in the input buffer; the end of the stream or a reset means the
/// client went away, and <see cref="HttpExchange.RequestAborted"/> fires.
/// </para>
/// <para>
/// Memory: between requests the connection holds no input or output buffer (it waits for the
/// socket to be readable, then rents one), and its timeouts are fields checked on the shared
/// <see cref="ConnectionTimer"/>.
/// </para>
/// </remarks>
internal sealed partial class HttpConnection : ITimerClient
{
    /// <summary>How long a closing connection waits for the client to close its side, so the response is not lost to a reset (RFC 9112 §9.6).</summary>
    private const long LingerTimeoutMs = 2000;

    /// <summary>How much a closing connection reads and drops while it lingers.</summary>
    private const int MaxLingerBytes = 64 << 10;

    private const int NoDeadline = 0;
    private const int HeadDeadline = 1;
    private const int KeepAliveDeadline = 2;
    private const int BodyDeadline = 3;
    private const int LingerDeadline = 4;
    private const int DeadlineKindBits = 3;
    private const long DeadlineKindMask = (1 << DeadlineKindBits) - 1;

    /// <summary>Heads and small responses fit; the buffer grows for more.</summary>
    private const int OutputInitialSize = 4096;

    private static readonly KeyValuePair<string, string>[] s_connectionClose = [new("Connection", "close")];

    // The server speaks HTTP/1.1 only, and says so in ALPN (RFC 7301): a client that offers h2
    // and http/1.1 (a browser) is told http/1.1; one that offers no ALPN is served as before.
    private static readonly List<SslApplicationProtocol> s_applicationProtocols = [SslApplicationProtocol.Http11];

    private readonly ServerContext _server;
    private readonly Socket _socket;
    private readonly EndPoint? _remote;
    private readonly HttpServerConnection _http;
    private readonly ServerHttpExchange _exchange;

    // Response bytes waiting to be written (heads, framed body pieces, pipelined responses in
    // order); no array while empty. Touched by the loop, or by the handler while it runs.
    private readonly PooledBufferWriter _output;

    // Body bytes a handler wrote before its response head went out, so that a response that
    // completes within ResponseBufferSize gets a Content-Length; no array while empty.
    private readonly PooledBufferWriter _held;

    // The transport: SocketStream, or SslStream over it. _plain is the SocketStream when there
    // is no TLS, for gathered writes of a head with a body from the caller's memory.
    private Stream _stream;
    private SocketStream? _plain;

    // Received bytes not yet consumed are _input[_inputStart.._inputEnd]. The array is rented
    // only while it holds bytes or a read is filling it, so an idle connection holds none.
    // Touched by the loop, or by the watch read while a handler runs with its body consumed.
    private byte[]? _input;
    private int _inputStart;
    private int _inputEnd;

    // A read started while a handler ran (the peer-gone watch); whoever reads next awaits it
    // instead of starting another, since it may already have brought the next request.
    private Task<int>? _watch;

    // Completed by the body reader when the body ends while a handler runs, to start the watch.
    private TaskCompletionSource? _bodyDone;

    // RequestAborted's source: created at the first request, reused while not cancelled.
    private CancellationTokenSource? _aborted;

    // The one deadline running now, checked on the shared timer's thread: when it passes (ms of
    // ConnectionTimer.NowMs) shifted left by DeadlineKindBits, with its kind (a *Deadline
    // constant) in the low bits, so that both change in one atomic write.
    private long _deadline = long.MaxValue;

    // Set from other threads: by the timer (body timeout), the watch (peer gone), shutdown.
    private volatile bool _bodyTimedOut;
    private volatile bool _peerGone;
    private volatile bool _idle;
    private int _released;

    // The current response, as the handler shapes it; reset for every request.
    private int _statusCode;
    private long? _responseLength;
    private bool _committed;
    private bool _completed;

    // A WebSocket an HTTP handler accepted on this connection (not a mapped endpoint's).
    private WebSocketConnection? _upgraded;

    public HttpConnection(ServerContext server, Socket socket)
    {
        _server = server;
        _socket = socket;
        _remote = SafeRemoteEndPoint(socket);
        DuplexServerOptions options = server.Options;
        _http = new HttpServerConnection(options.HttpLimits, options.MaxRequestBodySize, options.MaxDrainedRequestBodySize);
        _exchange = new ServerHttpExchange(this);
        _output = new PooledBufferWriter(OutputInitialSize);
        _held = new PooledBufferWriter(OutputInitialSize);
        _plain = new SocketStream(socket, options.SocketEngine);
        _stream = _plain;
    }

    /// <summary>How a request ended, for the loop.</summary>
    private enum Outcome
    {
        /// <summary>Answered: finish the request and go on if the connection persists.</summary>
        Continue,

        /// <summary>Answered, and the connection must close (gracefully).</summary>
        Close,

        /// <summary>The connection is broken or was taken over: drop it now.</summary>
        Abort,

        /// <summary>A WebSocket took the connection over; its runner releases it.</summary>
        Upgraded,
    }

    internal HttpServerConnection Http => _http;

    internal EndPoint? RemoteEndPoint => _remote;

    internal bool IsHttps => _server.IsHttps;

    /// <summary>Whether the connection holds an input buffer now (for tests of memory per idle connection).</summary>
    internal bool HoldsInputBuffer => Volatile.Read(ref _input) is not null;

    /// <summary>Serves the connection from accept to close.</summary>
    public async Task RunAsync()
    {
        ConnectionLifetimes lifetimes = _server.Lifetimes;
        int count = lifetimes.Open();
        lifetimes.Add(this);
        ConnectionTimer.Shared.Register(this, _server.TimerResolution);
        bool handedOff = false;
        try
        {
            // The first request (and the TLS handshake before it) must come within the head timeout.
            SetDeadline(HeadDeadline, _server.HeadTimeoutMs);
            if (_server.Options.ServerCertificate is { } certificate)
            {
                _stream = await AuthenticateAsync(certificate).ConfigureAwait(false);
                _plain = null;
            }

            if (count > _server.Options.MaxConnections)
            {
                Log.ConnectionLimit(_server.Diagnostics, _server.Options.MaxConnections, _remote);
                await WriteConnectionLimitAsync().ConfigureAwait(false);
                return;
            }

            handedOff = await ServeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            Log.TransportError(_server.Diagnostics, _remote, ex.Message);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_server.Diagnostics, ex, "(connection)");
        }
        finally
        {
            ConnectionTimer.Shared.Unregister(this);
            lifetimes.Remove(this);
            _output.Reset();
            _held.Reset();
            if (!handedOff)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Shutdown began: fire the request's token and close once its response is out, or close now if idle.</summary>
    public void BeginShutdown()
    {
        CancelRequest();
        if (_idle)
        {
            Abort();
        }
    }

    /// <summary>Drops the connection at once.</summary>
    public void Abort()
    {
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
            // A stream whose peer vanished may throw on dispose; it is gone either way.
        }
    }

    bool ITimerClient.OnTick(long nowMs)
    {
        if (Volatile.Read(ref _released) != 0)
        {
            return false;
        }

        long deadline = Volatile.Read(ref _deadline);
        if (deadline == long.MaxValue
            || nowMs < deadline >> DeadlineKindBits
            || Interlocked.CompareExchange(ref _deadline, long.MaxValue, deadline) != deadline)
        {
            // None, not yet, or the loop just set another: look again at the next tick.
            return true;
        }

        int kind = (int)(deadline & DeadlineKindMask);
        switch (kind)
        {
            case HeadDeadline:
                Log.HandshakeTimeout(_server.Diagnostics, _remote, _server.HeadTimeoutMs);
                Abort();
                break;
            case KeepAliveDeadline:
                Log.KeepAliveIdle(_server.Diagnostics, _remote, _server.KeepAliveTimeoutMs);
                Abort();
                break;
            case BodyDeadline:
                // The reader answers 408: cancel its wait, off this thread (callbacks run on Cancel).
                _bodyTimedOut = true;
                ThreadPool.UnsafeQueueUserWorkItem(static connection => connection.CancelRequest(), this, preferLocal: false);
                break;
            case LingerDeadline:
                Abort();
                break;
        }

        return true;
    }

    /// <summary>The loop: one request after another while the connection persists. True when a WebSocket took the connection over.</summary>
    private async ValueTask<bool> ServeAsync()
    {
        while (true)
        {
            HttpServerEvent head = await ReadHeadAsync().ConfigureAwait(false);
            if (head == HttpServerEvent.EndOfStream)
            {
                await FlushOutputAsync(CancellationToken.None).ConfigureAwait(false);
                return false;
            }

            if (head == HttpServerEvent.Rejected)
            {
                BeginResponse();
                await RefuseAsync(_http.Rejection).ConfigureAwait(false);
                await CloseGracefullyAsync().ConfigureAwait(false);
                return false;
            }

            SetDeadline(NoDeadline, 0);
            Outcome outcome = await ServeRequestAsync().ConfigureAwait(false);
            switch (outcome)
            {
                case Outcome.Upgraded:
                    return true;
                case Outcome.Abort:
                    return false;
                case Outcome.Close:
                    await CloseGracefullyAsync().ConfigureAwait(false);
                    return false;
            }

            if (!await FinishRequestAsync().ConfigureAwait(false))
            {
                await CloseGracefullyAsync().ConfigureAwait(false);
                return false;
            }
        }
    }

    /// <summary>
    /// Reads until a whole request head is in (or the peer closes, or the head is refused). Waits
    /// for a new request holding no buffer, bounded by the keep-alive timeout; once its first
    /// byte is in, the rest of the head is bounded by the head timeout.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<HttpServerEvent> ReadHeadAsync()
    {
        while (true)
        {
            if (_inputEnd > _inputStart)
            {
                HttpServerEvent e = _http.ReceiveHead(_input.AsSpan(_inputStart, _inputEnd - _inputStart), out int consumed);
                if (e != HttpServerEvent.NeedMoreData)
                {
                    _inputStart += consumed;
                    return e;
                }

                CompactInput();
                if (DeadlineKind != HeadDeadline)
                {
                    SetDeadline(HeadDeadline, _server.HeadTimeoutMs);
                }
            }

            bool idle = _inputEnd == _inputStart;
            if (idle)
            {
                // Responses held back for pipelined requests go out before the wait.
                await FlushOutputAsync(CancellationToken.None).ConfigureAwait(false);
                if (DeadlineKind != HeadDeadline)
                {
                    SetDeadline(KeepAliveDeadline, _server.KeepAliveTimeoutMs);
                }

                _idle = true;
                if (_server.Lifetimes.IsStopping)
                {
                    _idle = false;
                    return HttpServerEvent.EndOfStream;
                }
            }

            int read;
            try
            {
                read = await ReceiveAsync(idle, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _idle = false;
            }

            if (read == 0)
            {
                return _http.ReceiveEndOfStream();
            }
        }
    }

    /// <summary>
    /// Reads more bytes onto the end of the input: the watch's read if one is pending, else a
    /// new one. With <paramref name="idle"/> (nothing buffered) it first waits for readability
    /// holding no buffer. Returns 0 at the end of the stream (or when the watch saw it end).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveAsync(bool idle, CancellationToken cancellationToken)
    {
        if (_watch is { } watch)
        {
            _watch = null;
            return await watch.ConfigureAwait(false);
        }

        if (idle)
        {
            ReturnInput();
            if (_plain is { } plain)
            {
                // The readiness wait itself: no buffer, and no state of its own per wait.
                await plain.WaitReadableRawAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _stream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            }
        }

        Memory<byte> room = InputRoom();
        int read = await _stream.ReadAsync(room, cancellationToken).ConfigureAwait(false);
        _inputEnd += read;
        return read;
    }

    /// <summary>The free end of the input buffer, renting it (and moving what it holds to its start) as needed.</summary>
    private Memory<byte> InputRoom()
    {
        if (_input is null)
        {
            Volatile.Write(ref _input, ArrayPool<byte>.Shared.Rent(_server.Options.HttpLimits.MaxHeadSize));
            _inputStart = 0;
            _inputEnd = 0;
        }
        else if (_inputEnd == _input.Length)
        {
            CompactInput();
        }

        Debug.Assert(_inputEnd < _input.Length, "A read needs room: the head parser refuses a head that fills the buffer.");
        return _input.AsMemory(_inputEnd);
    }

    /// <summary>Moves the unconsumed input to the start of the buffer.</summary>
    private void CompactInput()
    {
        if (_input is null || _inputStart == 0)
        {
            return;
        }

        int count = _inputEnd - _inputStart;
        _input.AsSpan(_inputStart, count).CopyTo(_input);
        _inputStart = 0;
        _inputEnd = count;
    }

    /// <summary>Returns the input buffer to the pool when it holds nothing.</summary>
    private void ReturnInput()
    {
        byte[]? input = _input;
        if (input is null || _inputEnd != _inputStart)
        {
            return;
        }

        Volatile.Write(ref _input, null);
        _inputStart = 0;
        _inputEnd = 0;
        ArrayPool<byte>.Shared.Return(input);
    }

    private void SetDeadline(int kind, long timeoutMs) =>
        Volatile.Write(ref _deadline, kind == NoDeadline ? long.MaxValue : ((ConnectionTimer.NowMs + timeoutMs) << DeadlineKindBits) | (uint)kind);

    private int DeadlineKind
    {
        get
        {
            long deadline = Volatile.Read(ref _deadline);
            return deadline == long.MaxValue ? NoDeadline : (int)(deadline & DeadlineKindMask);
        }
    }

    internal CancellationToken RequestAborted => RequestAbortedToken;

    /// <summary>The request's token, its source created at the first request and reused while not cancelled.</summary>
    private CancellationToken RequestAbortedToken
    {
        get
        {
            CancellationTokenSource? aborted = Volatile.Read(ref _aborted);
            if (aborted is null)
            {
                aborted = new CancellationTokenSource();
                Volatile.Write(ref _aborted, aborted);
                if (_server.Lifetimes.IsStopping || _peerGone)
                {
                    aborted.Cancel();
                }
            }

            return aborted.Token;
        }
    }

    private void CancelRequest()
    {
        try
        {
            Volatile.Read(ref _aborted)?.Cancel();
        }
        catch (AggregateException ex)
        {
            // A callback a handler registered on its token threw: the request is being ended anyway.
            Log.HandlerFailed(_server.Diagnostics, ex, "(RequestAborted callback)");
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Ends the connection politely: what is buffered goes out, the sending side is shut, and
    /// what the client still sends is read and dropped until it closes (bounded in time and
    /// bytes), so the kernel does not answer it with a reset that could destroy the response.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CloseGracefullyAsync()
    {
        try
        {
            await FlushOutputAsync(CancellationToken.None).ConfigureAwait(false);
            if (_stream is SslStream ssl)
            {
                await ssl.ShutdownAsync().ConfigureAwait(false);
            }

            _socket.Shutdown(SocketShutdown.Send);
            if (_server.Lifetimes.IsStopping && _socket.Available == 0)
            {
                // Stopping, and nothing unread that closing would answer with a reset: no need to linger.
                return;
            }

            SetDeadline(LingerDeadline, LingerTimeoutMs);
            _inputStart = _inputEnd;
            int dropped = 0;
            while (dropped < MaxLingerBytes)
            {
                int read = await ReceiveAsync(idle: true, CancellationToken.None).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                dropped += read;
                _inputStart = _inputEnd;
            }
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            // The client closed first, or the linger ran out: either way the connection is done.
        }
    }

    private async ValueTask ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        byte[]? input = Interlocked.Exchange(ref _input, null);
        await _server.Lifetimes.ReleaseAsync(_stream).ConfigureAwait(false);
        if (input is not null && _watch is null)
        {
            // A watch still pending may write into the array until the stream's end reaches it.
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    private async Task<Stream> AuthenticateAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        _stream = ssl;
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_server.Lifetimes.Stopping);
        handshake.CancelAfter(_server.Options.HandshakeTimeout);
        var authentication = new SslServerAuthenticationOptions { ServerCertificate = certificate, ApplicationProtocols = s_applicationProtocols };
        await ssl.AuthenticateAsServerAsync(authentication, handshake.Token).ConfigureAwait(false);
        return ssl;
    }

    private async ValueTask WriteConnectionLimitAsync()
    {
        // Answered before any request is read, so without the request-response machinery.
        HttpResponseWriter.Write(_output, 503, HttpResponseWriter.ReasonPhrase(503), s_connectionClose);
        await FlushOutputAsync(_server.Lifetimes.Stopping).ConfigureAwait(false);
    }

    private static EndPoint? SafeRemoteEndPoint(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static bool IsTransportFailure(Exception ex) =>
        ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException
            or System.Security.Authentication.AuthenticationException;
}
