using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Duplex.Realtime.Channels;
using Duplex.Realtime.Protocol;
using Duplex.Realtime.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Duplex.Realtime;

/// <summary>
/// Serves sessions (docs/PROTOCOL.md) over any host: it answers the requests of one realtime
/// base path through the host-neutral <see cref="HttpExchange"/>, so the built-in server
/// (<see cref="RealtimeServerExtensions.MapRealtime"/>) and any other host run the very same
/// transports. Holds the live sessions; the application can find and list them.
/// </summary>
public sealed class RealtimeEndpoint : IAsyncDisposable
{
    /// <summary>The requests under the base path: method and last path segment (docs/PROTOCOL.md §1).</summary>
    public static IReadOnlyList<(string Method, string Route)> Routes { get; } =
    [
        ("POST", "negotiate"), ("GET", "ws"), ("GET", "sse"), ("GET", "poll"), ("POST", "send"), ("POST", "close"), ("GET", "duplex.js"),
    ];

    private const string JsonType = "application/json";
    private const string NoStore = "no-store";

    private readonly RealtimeHandler _handler;
    private readonly RealtimeOptions _options;
    private readonly SessionRegistry _registry;
    private readonly RealtimeLog _log;
    private readonly Counter<long> _refusals;
    private readonly byte[] _transportNames;

    /// <summary>Creates an endpoint that runs <paramref name="handler"/> for every session.</summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public RealtimeEndpoint(RealtimeHandler handler, RealtimeOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        _options = options ?? new RealtimeOptions();
        _options.Validate();
        _log = new RealtimeLog((ILogger?)loggerFactory?.CreateLogger("Duplex.Realtime") ?? NullLogger.Instance);
        Meter meter = meterFactory?.Create(DuplexMetrics.MeterName) ?? SharedMeter;
        _refusals = meter.CreateCounter<long>("duplex.realtime.requests.rejected", description: "Realtime requests refused, tagged with the error code");
        _registry = new SessionRegistry(_options, _log, meter);
        Channels = new RealtimeChannels(_options, _log, meter);
        _registry.Channels = Channels;
        _transportNames = JsonSerializer.SerializeToUtf8Bytes(_options.Transports.Select(RealtimeTransports.Name).ToArray());
        WebSocketConnectionOptions ws = _options.WebSocket ?? WebSocketConnectionOptions.Default;
        WebSocketOptions = new WebSocketConnectionOptions
        {
            MaxMessageSize = Math.Max(ws.MaxMessageSize, _options.MaxSendBytes),

            // docs/PROTOCOL.md §6: the server pings after an interval of silence and drops a
            // client that has not answered within another.
            KeepAliveInterval = _options.HeartbeatInterval,
            KeepAliveTimeout = _options.HeartbeatInterval,
            CloseTimeout = ws.CloseTimeout,
            ReceiveBufferSize = ws.ReceiveBufferSize,
            Compression = ws.Compression,
        };
    }

    private static Meter SharedMeter { get; } = new(DuplexMetrics.MeterName);

    /// <summary>The options the endpoint serves with.</summary>
    public RealtimeOptions Options => _options;

    /// <summary>The endpoint's channels: publish from server code, read presence (docs/PROTOCOL.md §10).</summary>
    public RealtimeChannels Channels { get; }

    /// <summary>The sessions alive now.</summary>
    public IEnumerable<RealtimeSession> Sessions => _registry.Sessions;

    /// <summary>How many sessions are alive.</summary>
    public int SessionCount => _registry.Count;

    internal WebSocketConnectionOptions WebSocketOptions { get; }

    internal RealtimeLog Log => _log;

    /// <summary>The live session with this id, or null.</summary>
    public RealtimeSession? FindSession(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _registry.TryGet(id, out RealtimeSession? session) ? session : null;
    }

    /// <summary>
    /// Answers one request of this endpoint: <paramref name="route"/> is the last segment of its
    /// path (one of <see cref="Routes"/>). The host has matched the method.
    /// </summary>
    public async ValueTask HandleAsync(HttpExchange exchange, string route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(route);
        try
        {
            RealtimeError? error = route switch
            {
                "negotiate" => await NegotiateAsync(exchange, cancellationToken).ConfigureAwait(false),
                "ws" => await RunWebSocketAsync(exchange, cancellationToken).ConfigureAwait(false),
                "sse" => await RunEventStreamAsync(exchange, cancellationToken).ConfigureAwait(false),
                "poll" => await PollAsync(exchange, cancellationToken).ConfigureAwait(false),
                "send" => await SendAsync(exchange, cancellationToken).ConfigureAwait(false),
                "close" => await CloseAsync(exchange, cancellationToken).ConfigureAwait(false),
                "duplex.js" => await ServeBrowserScriptAsync(exchange, cancellationToken).ConfigureAwait(false),
                _ => new RealtimeError(404, "not-found", $"no realtime request '{route}'"),
            };
            if (error is not null)
            {
                await RefuseAsync(exchange, error, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HttpRequestRejectedException rejected) when (rejected.StatusCode == 413 && !exchange.HasStarted)
        {
            await RefuseAsync(exchange, RealtimeError.TooLarge($"a send body is at most {_options.MaxSendBytes} bytes"), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends every session (<see cref="RealtimeCloseReasons.Shutdown"/>) and stops the endpoint's clock.</summary>
    public async ValueTask DisposeAsync()
    {
        await _registry.DisposeAsync().ConfigureAwait(false);
        await Channels.DisposeAsync().ConfigureAwait(false);
    }

    private async ValueTask<RealtimeError?> NegotiateAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        if (RealtimeRequest.TryRead(exchange, needsSession: false, out _) is { } malformed)
        {
            return malformed;
        }

        if (CheckOrigin(exchange) is { } origin)
        {
            return origin;
        }

        var items = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (await AcceptAsync(exchange, RealtimeRequestKind.Negotiate, null, items).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        RealtimeSession? session = _registry.Create(items);
        if (session is null)
        {
            return RealtimeError.TooManySessions();
        }

        session.User = exchange.User;

        _ = RunHandlerAsync(session);
        var output = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteString("session", session.Id);
            json.WritePropertyName("transports");
            json.WriteRawValue(_transportNames, skipInputValidation: true);
            json.WriteNumber("heartbeatMs", (long)_options.HeartbeatInterval.TotalMilliseconds);
            json.WriteNumber("resumeWindowMs", (long)_options.ResumeWindow.TotalMilliseconds);
            json.WriteNumber("pollHoldMs", (long)_options.PollHold.TotalMilliseconds);
            json.WriteNumber("pollIntervalMs", (long)_options.PollInterval.TotalMilliseconds);
            json.WriteStartObject("limits");
            json.WriteNumber("maxMessageBytes", _options.MaxMessageBytes);
            json.WriteNumber("maxSendBytes", _options.MaxSendBytes);
            json.WriteNumber("maxQueuedMessages", _options.MaxQueuedMessages);
            json.WriteNumber("maxQueuedBytes", _options.MaxQueuedBytes);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        exchange.ResponseHeaders.Set("Cache-Control", NoStore);
        await exchange.RespondAsync(200, JsonType, output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private async Task RunHandlerAsync(RealtimeSession session)
    {
        try
        {
            await _handler(session, session.Closed).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (session.Closed.IsCancellationRequested)
        {
        }
        catch (RealtimeSessionClosedException)
        {
            // A send after the session ended is how a handler learns of the end; not a failure.
        }
#pragma warning disable CA1031 // The application's handler failing ends its session, not the server.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.HandlerFailed(ex, "session handler");
        }
        finally
        {
            session.Close(RealtimeCloseReasons.Closed);
        }
    }

    /// <summary>The checks every request after negotiate passes: the query, the origin, the session, the accept hook.</summary>
    private async ValueTask<(RealtimeError? Error, RealtimeRequest? Request, RealtimeSession? Session)> OpenAsync(HttpExchange exchange, RealtimeRequestKind kind)
    {
        if (RealtimeRequest.TryRead(exchange, needsSession: true, out RealtimeRequest request) is { } malformed)
        {
            return (malformed, null, null);
        }

        if (CheckOrigin(exchange) is { } origin)
        {
            return (origin, null, null);
        }

        switch (_registry.Find(request.Session!, out RealtimeSession? session))
        {
            case SessionLookup.Unknown:
                return (RealtimeError.UnknownSession(), null, null);
            case SessionLookup.Ended:
                return (RealtimeError.Expired(_registry.EndedReason(request.Session!)), request, null);
        }

        if (!SessionUser.SameUser(session!.User, exchange.User))
        {
            return (RealtimeError.OtherUser(), null, null);
        }

        if (await AcceptAsync(exchange, kind, session, session.Items).ConfigureAwait(false) is { } refused)
        {
            return (refused, null, null);
        }

        session.MarkActivity();
        return (null, request, session);
    }

    private async ValueTask<RealtimeError?> AcceptAsync(HttpExchange exchange, RealtimeRequestKind kind, RealtimeSession? session, IDictionary<string, object?> items)
    {
        if (_options.Accept is not { } accept)
        {
            return null;
        }

        var context = new RealtimeAcceptContext(exchange, kind, session, items);
        return await accept(context).ConfigureAwait(false) ? null : RealtimeError.Refused(context.RefusalStatus);
    }

    /// <summary>
    /// docs/PROTOCOL.md §7: a browser page of another origin may not open or drive a session
    /// (negotiate and the upgrade are not protected by CORS); requests without Origin are not a
    /// browser page's. An allowed other origin gets CORS headers.
    /// </summary>
    private RealtimeError? CheckOrigin(HttpExchange exchange)
    {
        string? origin = exchange.Headers.GetFirst("Origin", out int count);
        if (origin is null)
        {
            return null;
        }

        if (count > 1)
        {
            return RealtimeError.Malformed("more than one Origin field");
        }

        string? host = exchange.Headers.GetFirst("Host", out _);
        string own = (exchange.IsHttps ? "https://" : "http://") + host;
        if (string.Equals(origin, own, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        foreach (string allowed in _options.AllowedOrigins)
        {
            if (string.Equals(origin, allowed, StringComparison.OrdinalIgnoreCase))
            {
                exchange.ResponseHeaders.Set("Access-Control-Allow-Origin", origin);
                exchange.ResponseHeaders.Set("Vary", "Origin");
                return null;
            }
        }

        return RealtimeError.OriginNotAllowed(origin);
    }

    private async ValueTask<RealtimeError?> RunWebSocketAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        if (!exchange.IsWebSocketRequest)
        {
            exchange.ResponseHeaders.Set("Upgrade", "websocket");
            return RealtimeError.UpgradeRequired();
        }

        (RealtimeError? error, RealtimeRequest? request, RealtimeSession? session) = await OpenAsync(exchange, RealtimeRequestKind.Transport).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (Attach(session!, RealtimeTransport.WebSocket, request!.Ack, out TransportLease? lease, out Envelope open) is { } refused)
        {
            return refused;
        }

        WebSocketConnection connection;
        try
        {
            connection = await exchange.AcceptWebSocketAsync(new WebSocketEndpointOptions { WebSocket = WebSocketOptions, RetainRequest = false }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            session!.Detach(lease!);
            throw;
        }

        await using (connection.ConfigureAwait(false))
        {
            await new WebSocketTransport(this, session!, lease!, connection).RunAsync(open).ConfigureAwait(false);
        }

        return null;
    }

    private async ValueTask<RealtimeError?> RunEventStreamAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        (RealtimeError? error, RealtimeRequest? request, RealtimeSession? session) = await OpenAsync(exchange, RealtimeRequestKind.Transport).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        // docs/PROTOCOL.md §4: an EventSource reconnecting by itself says the last id it saw.
        long ack = request!.Ack;
        if (exchange.Headers.GetFirst("Last-Event-ID", out _) is { } lastEventId)
        {
            if (!long.TryParse(lastEventId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long last) || last > Envelope.MaxNumber)
            {
                return RealtimeError.Malformed("Last-Event-ID is not a message number");
            }

            ack = Math.Max(ack, last);
        }

        if (Attach(session!, RealtimeTransport.ServerSentEvents, ack, out TransportLease? lease, out Envelope open) is { } refused)
        {
            return refused;
        }

        await new EventStreamTransport(this, session!, lease!, exchange, request!.HeartbeatEvents).RunAsync(open, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private async ValueTask<RealtimeError?> PollAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        (RealtimeError? error, RealtimeRequest? request, RealtimeSession? session) = await OpenAsync(exchange, RealtimeRequestKind.Transport).ConfigureAwait(false);
        if (error is not null)
        {
            return error.Status == 410 && request is not null && await AnswerOwedCloseAsync(exchange, request.Session!, request.Ack, cancellationToken).ConfigureAwait(false) ? null : error;
        }

        RealtimeTransport kind = request!.WaitZero ? RealtimeTransport.Polling : RealtimeTransport.LongPolling;
        if (Attach(session!, kind, request.Ack, out TransportLease? lease, out _) is { } refused)
        {
            // The session ended just now: its id is refused already, or its close is still owed.
            return refused.Status == 410 && await AnswerOwedCloseAsync(exchange, session!.Id, request.Ack, cancellationToken).ConfigureAwait(false) ? null : refused;
        }

        await PollTransport.AnswerAsync(this, session!, lease!, exchange, hold: !request.WaitZero, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// docs/PROTOCOL.md §5: a session that ended while no poll was held (short polling, or between
    /// two long polls) tells its client in the next poll answer, <c>o</c> then <c>c</c>, once; only
    /// then is its id refused. False when nothing is owed.
    /// </summary>
    private async ValueTask<bool> AnswerOwedCloseAsync(HttpExchange exchange, string id, long ack, CancellationToken cancellationToken)
    {
        if (!_registry.TryTakeOwedClose(id, out OwedClose? owed))
        {
            return false;
        }

        // o, the messages sent before the close that this poll's ack does not cover, then c.
        var envelopes = new List<Envelope>();
        foreach (Sessions.OutboxEntry entry in owed.Pending)
        {
            if (entry.Sequence > ack)
            {
                envelopes.Add(RealtimeSession.ToEnvelope(entry, null));
            }
        }

        envelopes.Insert(0, Envelope.Open(owed.Received, envelopes.Count));
        envelopes.Add(Envelope.Close(owed.Reason));
        var output = new ArrayBufferWriter<byte>(64);
        EnvelopeJson.WriteArray(output, envelopes.ToArray());
        exchange.ResponseHeaders.Set("Cache-Control", NoStore);
        await exchange.RespondAsync(200, JsonType, output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async ValueTask<RealtimeError?> SendAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        (RealtimeError? error, _, RealtimeSession? session) = await OpenAsync(exchange, RealtimeRequestKind.Send).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        byte[] body = await exchange.ReadBodyToEndAsync(_options.MaxSendBytes, cancellationToken).ConfigureAwait(false);
        var envelopes = new List<Envelope>();
        EnvelopeError parse = EnvelopeJson.TryReadArray(body, _options.MaxQueuedMessages, _options.MaxMessageBytes, envelopes);
        if (parse == EnvelopeError.TooLarge)
        {
            return RealtimeError.TooLarge($"a message is at most {_options.MaxMessageBytes} bytes, a send at most {_options.MaxQueuedMessages} envelopes");
        }

        if (parse != EnvelopeError.None)
        {
            return RealtimeError.MalformedEnvelope($"the send body is not an array of envelopes ({parse})");
        }

        foreach (Envelope envelope in envelopes)
        {
            if (envelope.Type is not (EnvelopeType.Message or EnvelopeType.Channel or EnvelopeType.Ack))
            {
                return RealtimeError.MalformedEnvelope($"a send carries messages, channel envelopes and acknowledgements, not '{(char)envelope.Type}'");
            }
        }

        switch (session!.Receive(envelopes, out long received))
        {
            case InboundResult.Gap:
                return RealtimeError.SequenceGap(received);
            case InboundResult.AckOutOfRange:
                return RealtimeError.AckOutOfRange();
            case InboundResult.QueueFull or InboundResult.Closed:
                return RealtimeError.Expired(session.CloseReason);
        }

        await exchange.RespondAsync(200, JsonType, EnvelopeJson.ToBytes(Envelope.Acknowledge(received)), cancellationToken).ConfigureAwait(false);
        return null;
    }

    private async ValueTask<RealtimeError?> CloseAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        (RealtimeError? error, _, RealtimeSession? session) = await OpenAsync(exchange, RealtimeRequestKind.Close).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        session!.Close(RealtimeCloseReasons.Closed);
        exchange.StatusCode = 204;
        await exchange.CompleteAsync().ConfigureAwait(false);
        return null;
    }

    /// <summary>The browser client: a static script, for any page (a script element sends no Origin to check).</summary>
    private static async ValueTask<RealtimeError?> ServeBrowserScriptAsync(HttpExchange exchange, CancellationToken cancellationToken)
    {
        await BrowserScript.ServeAsync(exchange, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private static RealtimeError? Attach(RealtimeSession session, RealtimeTransport kind, long ack, out TransportLease? lease, out Envelope open) =>
        session.Attach(kind, ack, out lease, out open) switch
        {
            AttachResult.Attached => null,
            AttachResult.AckOutOfRange => RealtimeError.AckOutOfRange(),
            _ => RealtimeError.Expired(session.CloseReason),
        };

    private async ValueTask RefuseAsync(HttpExchange exchange, RealtimeError error, CancellationToken cancellationToken)
    {
        _refusals.Add(1, new KeyValuePair<string, object?>("error", error.Code));
        _log.Refused(error.Status, error.Code, error.Message);
        if (exchange.HasStarted)
        {
            return;
        }

        exchange.ResponseHeaders.Set("Cache-Control", NoStore);
        await exchange.RespondAsync(error.Status, JsonType, error.ToJson(), cancellationToken).ConfigureAwait(false);
    }
}
