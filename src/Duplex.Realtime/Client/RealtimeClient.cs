using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Duplex.Realtime.Client;
using Duplex.Realtime.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Duplex.Realtime;

/// <summary>
/// A session with a Duplex realtime endpoint (docs/PROTOCOL.md), over whichever transport
/// works: it negotiates, tries the server's transports in order (or the one it is pinned to),
/// and keeps the session across drops — reconnecting with exponential backoff and full jitter,
/// first on the transport that worked last, resuming with nothing lost, duplicated or reordered.
/// Messages sent while no transport is up are queued (bounded). When the server no longer knows
/// the session, the application is told which messages were never acknowledged and a new session
/// is negotiated (<see cref="RealtimeClientOptions.RenewLostSession"/>). Thread-safe: sends,
/// receives and state changes may come from any thread (one receive at a time).
/// </summary>
public sealed partial class RealtimeClient : IAsyncDisposable
{
    /// <summary>The least time given to ending the session (the close request, or <c>c</c> and the closing handshake).</summary>
    private static readonly TimeSpan MinEndTimeout = TimeSpan.FromSeconds(1);

    private readonly string _base;
    private readonly Channel<RealtimeMessage> _inbound;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HttpMessageInvoker? _webSocketInvoker;
    private readonly HashSet<RealtimeTransport> _refused = [];

    // Transports that failed with no answer (a reset) before a later one opened: tried again first at the next reconnect.
    private readonly HashSet<RealtimeTransport> _retried = [];
    private TaskCompletionSource _sessionReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RealtimeClientState _state;
    private RealtimeTransport? _transport;
    private RealtimeTransport? _lastWorked;
    private ClientSession? _session;
    private ClientTransport? _current;
    private Task? _run;
    private string? _closeReason;
    private bool _closing;

    /// <summary>Creates a client of the endpoint at <paramref name="endpoint"/> (http(s)://host:port/realtime); nothing is sent until <see cref="ConnectAsync"/>.</summary>
    public RealtimeClient(Uri endpoint, RealtimeClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(endpoint.Query))
        {
            throw new ArgumentException("A realtime endpoint is an http:// or https:// URL without a query, such as http://host:port/realtime.", nameof(endpoint));
        }

        Options = options ?? new RealtimeClientOptions();
        Options.Validate();
        _base = endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
        _inbound = Channel.CreateBounded<RealtimeMessage>(new BoundedChannelOptions(Options.MaxUnreadMessages) { SingleWriter = true });
        Log = new ClientLog((Options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Duplex.Realtime.Client"));
        WebSocketClientOptions ws = Options.WebSocket ?? new WebSocketClientOptions();
        HttpMessageHandler handler = Options.HttpHandler ?? new SocketsHttpHandler
        {
            ConnectCallback = ConnectTcpAsync,
            UseProxy = Options.Proxy is not null,
            Proxy = Options.Proxy is null ? null : new WebProxy(Options.Proxy),
            AllowAutoRedirect = false,
            ConnectTimeout = Options.OpenTimeout,
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ws.RemoteCertificateValidation },

            // Over HTTP/2 every request of the session rides one pooled connection. A flow a NAT
            // forgot gives no FIN and no reset: without pings the pool would hand the reconnect the
            // same dead connection forever. Pinged while requests wait, it is dropped after
            // OpenTimeout of silence past OpenTimeout, and the reconnect gets a new one.
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = Options.OpenTimeout,
            KeepAlivePingTimeout = Options.OpenTimeout,
        };
        Http = new HttpClient(Options.WrapHttpHandler?.Invoke(handler) ?? handler, disposeHandler: Options.HttpHandler is null) { Timeout = Timeout.InfiniteTimeSpan };
        OverHttp2 = Options.HttpVersion == HttpVersion.Version20;

        // Over HTTP/2 the WebSocket is a stream of the HTTP requests' connection (past the test hook, which is for HTTP requests).
        _webSocketInvoker = OverHttp2 ? new HttpMessageInvoker(handler, disposeHandler: false) : null;
        WebSocketOptions = new WebSocketClientOptions
        {
            HttpVersion = Options.HttpVersion,
            HttpInvoker = _webSocketInvoker,
            SubProtocols = ws.SubProtocols,
            Headers = [.. ws.Headers, .. Options.Headers],
            Origin = Options.Origin ?? ws.Origin,
            Proxy = Options.Proxy ?? ws.Proxy,
            UseEnvironmentProxy = Options.Proxy is null && ws.UseEnvironmentProxy,
            RemoteCertificateValidation = ws.RemoteCertificateValidation,
            ConnectTimeout = ws.ConnectTimeout < Options.OpenTimeout ? ws.ConnectTimeout : Options.OpenTimeout,
            HttpLimits = ws.HttpLimits,
            WebSocket = ws.WebSocket,
            LoggerFactory = ws.LoggerFactory ?? Options.LoggerFactory,
            MeterFactory = ws.MeterFactory,
            SocketEngine = ws.SocketEngine,
        };
    }

    /// <summary>Every state change: connecting, connected, fallback, reconnecting, resumed, session-lost, closed. Raised on the client's own tasks; a handler should return quickly.</summary>
    public event EventHandler<RealtimeClientEvent>? StateChanged;

    /// <summary>Where the client stands.</summary>
    public RealtimeClientState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The transport up now, or null.</summary>
    public RealtimeTransport? Transport
    {
        get
        {
            lock (_gate)
            {
                return _transport;
            }
        }
    }

    /// <summary>The heartbeat interval the server negotiated (docs/PROTOCOL.md §2, <c>heartbeatMs</c>); null before negotiate.</summary>
    public TimeSpan? Heartbeat
    {
        get
        {
            lock (_gate)
            {
                return _session?.Answer.Heartbeat;
            }
        }
    }

    /// <summary>The session's id once negotiated (a secret: docs/PROTOCOL.md §1 — do not log it).</summary>
    public string? SessionId
    {
        get
        {
            lock (_gate)
            {
                return _session?.Id;
            }
        }
    }

    /// <summary>The short-polling interval in use: <see cref="RealtimeClientOptions.PollInterval"/>, else the server's suggestion; null before a session is negotiated.</summary>
    public TimeSpan? PollInterval
    {
        get
        {
            lock (_gate)
            {
                return _session is null ? null : Options.PollInterval ?? _session.Answer.PollInterval;
            }
        }
    }

    /// <summary>Messages sent (or queued) and not yet acknowledged by the server.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _session?.Pending ?? 0;
            }
        }
    }

    /// <summary>What the client has cost on the network so far.</summary>
    public RealtimeClientStatistics Statistics { get; } = new();

    internal RealtimeClientOptions Options { get; }

    internal HttpClient Http { get; }

    internal WebSocketClientOptions WebSocketOptions { get; }

    /// <summary>Whether every request, and the WebSocket, goes over HTTP/2 (<see cref="RealtimeClientOptions.HttpVersion"/>).</summary>
    internal bool OverHttp2 { get; }

    /// <summary>
    /// Whether the WebSocket transport counts its own TCP connection and frames: over HTTP/1.1,
    /// where its socket is its own; over HTTP/2 its bytes pass the HTTP handler's sockets, which
    /// count them (the client's own handler) or are not seen (a shared one).
    /// </summary>
    internal bool WebSocketCountsItself => !OverHttp2;

    internal ClientLog Log { get; }

    /// <summary>
    /// Negotiates a session and opens the first transport that works (the server's order, or the
    /// pinned one), moving to the next on a refusal or no <c>o</c> within
    /// <see cref="RealtimeClientOptions.OpenTimeout"/>. Throws <see cref="IOException"/> when the
    /// server cannot be reached or no transport works (the client is then closed).
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state != RealtimeClientState.Idle)
            {
                throw new InvalidOperationException("ConnectAsync is called once per client.");
            }

            _state = RealtimeClientState.Connecting;
        }

        Raise(new RealtimeClientEvent(RealtimeClientEventKind.Connecting, RealtimeClientState.Connecting));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        ClientTransport transport;
        ClientSession session;
        try
        {
            session = await NegotiateAsync(linked.Token).ConfigureAwait(false);
            transport = await OpenAnyAsync(session, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            string reason = ex switch
            {
                OperationCanceledException => "cancelled",
                SessionLostException { ServerClosed: true } closed => closed.CloseReason!,
                _ => ex.Message,
            };
            SetClosed(reason);
            if (ex is OperationCanceledException or IOException)
            {
                throw;
            }

            throw new IOException($"Could not open a session: {reason}", ex);
        }

        Up(transport, RealtimeClientEventKind.Connected);
        _run = Task.Run(() => SuperviseAsync(transport, session), CancellationToken.None);
    }

    /// <summary>
    /// Numbers the message and puts it in the outbox, from which the current transport (or the
    /// next one) sends it; it is kept until acknowledged. Queued while offline. When the outbox is
    /// full (<see cref="RealtimeClientOptions.MaxOfflineMessages"/>, the server's
    /// <c>maxQueuedMessages</c> and <c>maxQueuedBytes</c>) it waits for acknowledgements while a
    /// transport is up, and throws <see cref="RealtimeOutboxFullException"/> while none is.
    /// The data is copied. Throws <see cref="RealtimeSessionClosedException"/> once closed.
    /// </summary>
    public async ValueTask SendAsync(MessageType type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (type is not (MessageType.Text or MessageType.Binary))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "A session message is text or binary.");
        }

        byte[]? copy = null;
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (SessionToAddTo("sending", out wait) is { } session)
                {
                    if (data.Length > session.Answer.MaxMessageBytes)
                    {
                        throw new ArgumentException($"A message is at most {session.Answer.MaxMessageBytes} bytes (the server's limit); this one is {data.Length}.", nameof(data));
                    }

                    copy ??= data.ToArray();
                    if (session.TryAdd(type, copy))
                    {
                        return;
                    }

                    wait = RoomOrRefuse(session);
                }
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Under the lock, before adding to the outbox: the session to add to, or null with the
    /// negotiation to wait for in <paramref name="wait"/> (the first session, or a new one after a
    /// loss). Throws when the client is closed or was never connected (<paramref name="use"/> names what was tried).
    /// </summary>
    private ClientSession? SessionToAddTo(string use, out Task wait)
    {
        if (_state == RealtimeClientState.Closed || _closing)
        {
            throw new RealtimeSessionClosedException(_closeReason);
        }

        if (_state == RealtimeClientState.Idle)
        {
            throw new InvalidOperationException($"Call ConnectAsync before {use}.");
        }

        wait = _sessionReady.Task;
        return _session;
    }

    /// <summary>Under the lock, when the outbox is full: the room to wait for while a transport is up; offline, a full outbox is refused.</summary>
    private Task RoomOrRefuse(ClientSession session) =>
        _state == RealtimeClientState.Connected
            ? session.RoomAsync()
            : throw new RealtimeOutboxFullException($"The outbox is full ({session.Pending} messages wait for an acknowledgement) and no transport is up.");

    /// <summary>Sends a text message (UTF-8); see <see cref="SendAsync"/>.</summary>
    public ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(MessageType.Text, Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <summary>Sends a binary message; see <see cref="SendAsync"/>.</summary>
    public ValueTask SendBinaryAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendAsync(MessageType.Binary, data, cancellationToken);

    /// <summary>The next message from the server, in order, each once. Throws <see cref="RealtimeSessionClosedException"/> when the session is over and every message was read.</summary>
    public async ValueTask<RealtimeMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inbound.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new RealtimeSessionClosedException(_closeReason ?? RealtimeCloseReasons.Closed);
        }
    }

    /// <summary>The server's messages, in order, until the session is over.</summary>
    public async IAsyncEnumerable<RealtimeMessage> ReadMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _inbound.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_inbound.Reader.TryRead(out RealtimeMessage message))
            {
                yield return message;
            }
        }
    }

    /// <summary>
    /// Waits until everything sent is acknowledged (at most <see cref="RealtimeClientOptions.CloseTimeout"/>),
    /// then ends the session (<c>{"t":"c"}</c> on WebSocket, <c>POST close</c> otherwise; bounded
    /// by the close timeout again, at least 1 s) and closes the client. Messages still
    /// unacknowledged then are dropped, as the server drops its own (docs/PROTOCOL.md §5).
    /// </summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        ClientSession? session;
        lock (_gate)
        {
            if (_state == RealtimeClientState.Closed || _closing)
            {
                return;
            }

            session = _session;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Options.CloseTimeout);
        try
        {
            while (session is not null && session.Pending > 0 && State is RealtimeClientState.Connected or RealtimeClientState.Reconnecting)
            {
                await session.RoomAsync().WaitAsync(deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The close timeout: end the session with what was acknowledged.
        }

        ClientTransport? current;
        lock (_gate)
        {
            if (_state == RealtimeClientState.Closed || _closing)
            {
                return;
            }

            _closing = true;
            current = _current;
            session = _session;
        }

        // Ending the session has a bound of its own: the wait above may have used all of the first.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ending.CancelAfter(Options.CloseTimeout > MinEndTimeout ? Options.CloseTimeout : MinEndTimeout);
        try
        {
            if (current is not null)
            {
                await current.EndSessionAsync(ending.Token).ConfigureAwait(false);
            }
            else if (session is not null)
            {
                await PostCloseAsync(session, ending.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException or WebSocketClosedException or InvalidOperationException)
        {
            // The server ends the session by itself after the resume window.
        }

        await StopAsync().ConfigureAwait(false);
        SetClosed(RealtimeCloseReasons.Closed);
    }

    /// <summary>Closes the session (as <see cref="CloseAsync"/>) and releases the client's connections.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // Disposing goes on.
        }

        await StopAsync().ConfigureAwait(false);
        SetClosed(RealtimeCloseReasons.Closed);
        Http.Dispose();
        _webSocketInvoker?.Dispose();
        _stopping.Dispose();
    }
}
