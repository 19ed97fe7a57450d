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
public sealed class RealtimeClient : IAsyncDisposable
{
    private readonly string _base;
    private readonly Channel<RealtimeMessage> _inbound;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<RealtimeTransport> _refused = [];
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
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = ConnectTcpAsync,
            UseProxy = Options.Proxy is not null,
            Proxy = Options.Proxy is null ? null : new WebProxy(Options.Proxy),
            AllowAutoRedirect = false,
            ConnectTimeout = Options.OpenTimeout,
        };
        Http = new HttpClient(Options.WrapHttpHandler?.Invoke(handler) ?? handler) { Timeout = Timeout.InfiniteTimeSpan };
        WebSocketClientOptions ws = Options.WebSocket ?? new WebSocketClientOptions();
        WebSocketOptions = new WebSocketClientOptions
        {
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
                if (_state == RealtimeClientState.Closed || _closing)
                {
                    throw new RealtimeSessionClosedException(_closeReason);
                }

                if (_state == RealtimeClientState.Idle)
                {
                    throw new InvalidOperationException("Call ConnectAsync before sending.");
                }

                if (_session is not { } session)
                {
                    // Negotiating (the first session, or a new one after a loss): wait for it.
                    wait = _sessionReady.Task;
                }
                else
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

                    if (_state != RealtimeClientState.Connected)
                    {
                        throw new RealtimeOutboxFullException($"The outbox is full ({session.Pending} messages wait for an acknowledgement) and no transport is up.");
                    }

                    wait = session.RoomAsync();
                }
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

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
    /// then ends the session (<c>{"t":"c"}</c> on WebSocket, <c>POST close</c> otherwise) and closes the client.
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

        try
        {
            if (current is not null)
            {
                await current.EndSessionAsync(deadline.Token).ConfigureAwait(false);
            }
            else if (session is not null)
            {
                await PostCloseAsync(session, deadline.Token).ConfigureAwait(false);
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
        _stopping.Dispose();
    }

    // ---- for the transports ----

    /// <summary>A route of the endpoint with the session: <c>{base}/{route}?v=1&amp;session=S[&amp;ack=N][&amp;wait=0]</c>.</summary>
    internal Uri Route(string route, ClientSession session, long? ack = null, bool waitZero = false)
    {
        var url = new StringBuilder(_base.Length + 64);
        url.Append(_base).Append('/').Append(route).Append("?v=1&session=").Append(Uri.EscapeDataString(session.Id));
        if (ack is { } n)
        {
            url.Append("&ack=").Append(n.ToString(CultureInfo.InvariantCulture));
        }

        if (waitZero)
        {
            url.Append("&wait=0");
        }

        return new Uri(url.ToString());
    }

    internal Uri WebSocketUri(ClientSession session)
    {
        string http = Route("ws", session, session.Received).AbsoluteUri;
        return new Uri((http.StartsWith("https:", StringComparison.Ordinal) ? "wss:" : "ws:") + http[(http.IndexOf(':', StringComparison.Ordinal) + 1)..]);
    }

    /// <summary>A request with the client's Origin and headers, counted.</summary>
    internal HttpRequestMessage NewRequest(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        if (Options.Origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", Options.Origin);
        }

        foreach ((string name, string value) in Options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        Statistics.AddHttpRequest();
        return request;
    }

    /// <summary>
    /// Hands a server message to the application, once and in order: a duplicate is dropped, a
    /// gap refused (false); a piggybacked acknowledgement is taken (false when out of range). Waits
    /// while the application's buffer is full.
    /// </summary>
    internal async ValueTask<bool> DeliverAsync(ClientSession session, Envelope message, CancellationToken cancellationToken)
    {
        if (message.Ack is { } ack && !session.Acknowledge(ack))
        {
            return false;
        }

        switch (session.Judge(message.Sequence))
        {
            case Sessions.InboxVerdict.Duplicate:
                return true;
            case Sessions.InboxVerdict.Gap:
                return false;
        }

        // The payload is the envelope's own array (a copy of the frame for binary on WebSocket).
        await _inbound.Writer.WriteAsync(new RealtimeMessage(message.PayloadType, message.Payload), cancellationToken).ConfigureAwait(false);
        session.Delivered(message.Sequence);
        return true;
    }

    internal async Task PostCloseAsync(ClientSession session, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = NewRequest(HttpMethod.Post, Route("close", session));
        request.Content = new ByteArrayContent([]);
        using HttpResponseMessage response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    // ---- the session's life ----

    private async Task<ClientSession> NegotiateAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Options.OpenTimeout);
        NegotiateAnswer answer;
        try
        {
            using HttpRequestMessage request = NewRequest(HttpMethod.Post, new Uri(_base + "/negotiate?v=1"));
            request.Content = new ByteArrayContent([]);
            using HttpResponseMessage response = await Http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new IOException($"negotiate was answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)))}");
            }

            answer = NegotiateAnswer.Parse(body);
        }
        catch (HttpRequestException ex)
        {
            throw new IOException($"negotiate failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException("negotiate was not answered in time", ex);
        }

        var session = new ClientSession(answer, Options.MaxOfflineMessages);
        TaskCompletionSource ready;
        lock (_gate)
        {
            _session = session;
            _refused.Clear();
            _lastWorked = null;
            ready = _sessionReady;
        }

        ready.TrySetResult();
        return session;
    }

    /// <summary>The transports to try for the session now: the one that worked last, then the others in order (without those a later one replaced).</summary>
    private List<RealtimeTransport> Candidates(ClientSession session)
    {
        IReadOnlyList<RealtimeTransport> offered = session.Answer.Transports;
        List<RealtimeTransport> order = Options.Transports is { } wanted ? [.. wanted.Where(offered.Contains)] : [.. offered];
        if (order.Count == 0)
        {
            throw new IOException($"The server offers none of the transports asked for (it offers {string.Join(", ", offered.Select(RealtimeTransports.Name))}).");
        }

        lock (_gate)
        {
            var result = new List<RealtimeTransport>(order.Count);
            if (_lastWorked is { } last && order.Contains(last))
            {
                result.Add(last);
            }

            result.AddRange(order.Where(t => !result.Contains(t) && !_refused.Contains(t)));
            return result;
        }
    }

    private async Task<ClientTransport> OpenAnyAsync(ClientSession session, CancellationToken cancellationToken)
    {
        List<RealtimeTransport> order = Candidates(session);
        var failures = new List<string>();
        for (int i = 0; i < order.Count; i++)
        {
            ClientTransport transport = order[i] switch
            {
                RealtimeTransport.WebSocket => new ClientWebSocketTransport(this, session),
                RealtimeTransport.ServerSentEvents => new ClientEventStreamTransport(this, session),
                RealtimeTransport.LongPolling => new ClientPollTransport(this, session, longPolling: true),
                _ => new ClientPollTransport(this, session, longPolling: false),
            };
            try
            {
                await transport.OpenAsync(cancellationToken).ConfigureAwait(false);
                Statistics.AddTransportOpened();
                lock (_gate)
                {
                    // docs/PROTOCOL.md §8: the ones that failed before it are left for this session.
                    for (int j = 0; j < i; j++)
                    {
                        _refused.Add(order[j]);
                    }

                    _lastWorked = order[i];
                }

                Log.TransportUp(order[i]);
                return transport;
            }
            catch (TransportFailedException ex)
            {
                await transport.DisposeAsync().ConfigureAwait(false);
                Log.TransportFailed(order[i], ex.Message);
                failures.Add($"{RealtimeTransports.Name(order[i])}: {ex.Message}");
                if (i + 1 < order.Count)
                {
                    Raise(new RealtimeClientEvent(RealtimeClientEventKind.Fallback, State) { From = order[i], To = order[i + 1], Reason = ex.Message });
                }
            }
            catch
            {
                await transport.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        throw new TransportFailedException(string.Join("; ", failures));
    }

    private void Up(ClientTransport transport, RealtimeClientEventKind kind)
    {
        lock (_gate)
        {
            _current = transport;
            _transport = transport.Kind;
            if (_state != RealtimeClientState.Closed)
            {
                _state = RealtimeClientState.Connected;
            }
        }

        Raise(new RealtimeClientEvent(kind, RealtimeClientState.Connected) { Transport = transport.Kind });
    }

    /// <summary>Runs transport after transport until the session ends: reconnects after drops, renews after a loss.</summary>
    private async Task SuperviseAsync(ClientTransport transport, ClientSession session)
    {
        CancellationToken stopping = _stopping.Token;
        while (true)
        {
            string? closed = null, dropped = null;
            SessionLostException? lost = null;
            try
            {
                closed = await transport.RunAsync(stopping).ConfigureAwait(false);
            }
            catch (TransportFailedException ex)
            {
                dropped = ex.Message;
            }
            catch (SessionLostException ex)
            {
                lost = ex;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or InvalidOperationException or OperationCanceledException)
            {
                dropped = ex.Message;
            }
            finally
            {
                lock (_gate)
                {
                    if (_current == transport)
                    {
                        _current = null;
                        _transport = null;
                    }
                }

                await transport.DisposeAsync().ConfigureAwait(false);
            }

            if (stopping.IsCancellationRequested || IsClosing)
            {
                return;
            }

            if (closed is not null)
            {
                SetClosed(closed);
                return;
            }

            if (lost is null)
            {
                Log.TransportFailed(transport.Kind, dropped ?? "ended");
                lock (_gate)
                {
                    _state = RealtimeClientState.Reconnecting;
                }

                Raise(new RealtimeClientEvent(RealtimeClientEventKind.Reconnecting, RealtimeClientState.Reconnecting) { Reason = dropped });
                Statistics.AddReconnect();
                (ClientTransport? next, lost) = await ReconnectAsync(session, stopping).ConfigureAwait(false);
                if (next is not null)
                {
                    transport = next;
                    Up(transport, RealtimeClientEventKind.Resumed);
                    continue;
                }

                if (lost is null)
                {
                    return;
                }
            }

            if (lost.ServerClosed)
            {
                SetClosed(lost.CloseReason!);
                return;
            }

            (ClientTransport? renewed, ClientSession? fresh) = await RenewAsync(session, lost, stopping).ConfigureAwait(false);
            if (renewed is null)
            {
                return;
            }

            (transport, session) = (renewed, fresh!);
        }
    }

    private bool IsClosing
    {
        get
        {
            lock (_gate)
            {
                return _closing || _state == RealtimeClientState.Closed;
            }
        }
    }

    private async Task<(ClientTransport? Transport, SessionLostException? Lost)> ReconnectAsync(ClientSession session, CancellationToken stopping)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await Task.Delay(Backoff(attempt), stopping).ConfigureAwait(false);
                return (await OpenAnyAsync(session, stopping).ConfigureAwait(false), null);
            }
            catch (TransportFailedException)
            {
                // Every transport failed this round: wait longer and try again.
            }
            catch (SessionLostException ex)
            {
                return (null, ex);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return (null, null);
            }

            if (IsClosing)
            {
                return (null, null);
            }
        }
    }

    /// <summary>After a 404/410: tells the application what was never acknowledged, then negotiates a new session or closes.</summary>
    private async Task<(ClientTransport? Transport, ClientSession? Session)> RenewAsync(ClientSession old, SessionLostException lost, CancellationToken stopping)
    {
        Log.SessionLost(lost.Reason);
        IReadOnlyList<RealtimeMessage> unacknowledged;
        bool renew = Options.RenewLostSession;
        lock (_gate)
        {
            unacknowledged = old.Unacknowledged();
            if (_session == old)
            {
                _session = null;
                _sessionReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _state = renew ? RealtimeClientState.Connecting : _state;
        }

        Raise(new RealtimeClientEvent(RealtimeClientEventKind.SessionLost, renew ? RealtimeClientState.Connecting : RealtimeClientState.Closed) { Reason = lost.Reason, Unacknowledged = unacknowledged });
        if (!renew)
        {
            SetClosed("session-lost: " + lost.Reason);
            return (null, null);
        }

        Raise(new RealtimeClientEvent(RealtimeClientEventKind.Connecting, RealtimeClientState.Connecting));
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (attempt > 0)
                {
                    await Task.Delay(Backoff(attempt - 1), stopping).ConfigureAwait(false);
                }

                ClientSession session = await NegotiateAsync(stopping).ConfigureAwait(false);
                ClientTransport transport = await OpenAnyAsync(session, stopping).ConfigureAwait(false);
                Up(transport, RealtimeClientEventKind.Connected);
                return (transport, session);
            }
            catch (Exception ex) when (ex is IOException or SessionLostException)
            {
                // The server is away or the new session went at once: try again.
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return (null, null);
            }

            if (IsClosing)
            {
                return (null, null);
            }
        }
    }

    /// <summary>docs/PROTOCOL.md §8: a random wait up to the bound, which doubles from <see cref="RealtimeClientOptions.ReconnectDelay"/> to at most <see cref="RealtimeClientOptions.MaxReconnectDelay"/>.</summary>
    private TimeSpan Backoff(int attempt)
    {
        double bound = Math.Min(Options.MaxReconnectDelay.TotalMilliseconds, Options.ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * bound);
    }

    private async Task StopAsync()
    {
        lock (_gate)
        {
            _closing = true;
        }

        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        if (_run is { } run)
        {
            await run.ConfigureAwait(false);
        }
    }

    private void SetClosed(string reason)
    {
        lock (_gate)
        {
            if (_state == RealtimeClientState.Closed)
            {
                return;
            }

            _state = RealtimeClientState.Closed;
            _closeReason = reason;
            _transport = null;
            _sessionReady.TrySetException(new RealtimeSessionClosedException(reason));
        }

        _inbound.Writer.TryComplete();
        Raise(new RealtimeClientEvent(RealtimeClientEventKind.Closed, RealtimeClientState.Closed) { Reason = reason });
        if (!_stopping.IsCancellationRequested)
        {
            // The session is over: nothing is left to run (a server's close reaches here from the supervisor itself).
            _ = _stopping.CancelAsync();
        }
    }

    private void Raise(RealtimeClientEvent change)
    {
        try
        {
            StateChanged?.Invoke(this, change);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.StateHandlerThrew(ex);
        }
    }

    private async ValueTask<Stream> ConnectTcpAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Statistics.AddTcpConnection();
        return new CountingStream(new NetworkStream(socket, ownsSocket: true), Statistics);
    }
}
