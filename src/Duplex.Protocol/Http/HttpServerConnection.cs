using System.Buffers;

namespace Duplex.Protocol.Http;

/// <summary>
/// The server side of one HTTP/1.1 connection, without I/O: bytes in give events (a request
/// head, body bytes, the end of the body, a refusal), commands in give bytes (100 Continue, a
/// response head with the framing it needs, body pieces, the end of the body). It never touches
/// a socket, a task, a timer or a clock: the caller reads, writes, waits and keeps time.
/// </summary>
/// <remarks>
/// <para>
/// Requests are served one at a time, in order (RFC 9112 §9.3.2: responses to pipelined
/// requests go out in the order the requests came). The request side and the response side
/// each have a phase; every change of phase goes through one of the two transition tables at
/// the top of this class, which read as:
/// </para>
/// <code>
/// request side                                          response side
/// AwaitingHead  --head, no body-->   Complete           NotStarted  --head, body follows--> SendingBody
/// AwaitingHead  --head with body-->  ReceivingBody      NotStarted  --head, no body-->      Complete
/// AwaitingHead  --peer closed-->     Closed             NotStarted  --101-->                SwitchedProtocols
/// ReceivingBody --end of body-->     Complete           SendingBody --end of body-->        Complete
/// ReceivingBody --peer closed-->     Refused            Complete    --next request-->       NotStarted
/// AwaitingHead, ReceivingBody --refusal--> Refused
/// Complete      --101-->             SwitchedProtocols
/// Complete      --next request-->    AwaitingHead  (only when both sides are Complete and the connection persists)
/// </code>
/// <para>
/// Persistence (RFC 9112 §9.3): <see cref="KeepAlive"/> starts true and only ever turns false
/// for the life of the connection: the client asked to close, an HTTP/1.0 client did not ask to
/// persist, a request was refused (its framing cannot be trusted), the response is delimited by
/// closing, a body was left unread that cannot be drained, or the caller said so
/// (<see cref="CloseAfterResponse"/>).
/// </para>
/// </remarks>
public sealed class HttpServerConnection
{
    // "HTTP/1.1 100 Continue" CRLF CRLF.
    private const int ContinueLength = 25;

    // last-chunk "0" CRLF, then the CRLF after an empty trailer section.
    private const int LastChunkLength = 5;

    // Eight hex digits for an int, then CRLF.
    private const int MaxChunkPrefix = 10;

    private readonly HttpLimits _limits;
    private readonly long _maxBodySize;
    private readonly long _maxDrainSize;

    private HttpRequestPhase _requestPhase;
    private HttpResponsePhase _responsePhase;
    private bool _keepAlive = true;

    // The current request; reset by NextRequest.
    private HttpRequestHead? _request;
    private HttpRequestFraming _framing;
    private HttpRequestRejection _rejection;
    private bool _isHead;
    private long _bodyRemaining;
    private long _bodyReceived;
    private ChunkedDecoder _chunked;
    private bool _continueSent;

    // The current response; reset by NextRequest.
    private HttpResponseFraming _responseFraming;
    private long _responseRemaining;
    private int _statusCode;

    /// <summary>Creates the state of a new connection, waiting for its first request head.</summary>
    /// <param name="limits">Limits on request heads, chunk-size lines and trailers.</param>
    /// <param name="maxRequestBodySize">The largest request body accepted (larger: <see cref="HttpRequestRejection.BodyTooLarge"/>).</param>
    /// <param name="maxDrainSize">
    /// How much of a request body the server is willing to read and drop when the response was
    /// written without reading it, to keep the connection; a longer known remainder closes it.
    /// </param>
    public HttpServerConnection(HttpLimits limits, long maxRequestBodySize, long maxDrainSize)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRequestBodySize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDrainSize);
        _limits = limits;
        _maxBodySize = maxRequestBodySize;
        _maxDrainSize = maxDrainSize;
    }

    private enum RequestInput
    {
        HeadWithoutBody,
        HeadWithBody,
        EndOfBody,
        PeerClosed,
        Refusal,
        SwitchProtocols,
        NextRequest,
    }

    private enum ResponseInput
    {
        HeadWithBody,
        HeadWithoutBody,
        EndOfBody,
        SwitchProtocols,
        NextRequest,
    }

    /// <summary>Where the request side stands.</summary>
    public HttpRequestPhase RequestPhase => _requestPhase;

    /// <summary>Where the response side stands.</summary>
    public HttpResponsePhase ResponsePhase => _responsePhase;

    /// <summary>Whether the connection may carry another request after the current one.</summary>
    public bool KeepAlive => _keepAlive;

    /// <summary>The current request's head, once received (also when it was refused after parsing); null before.</summary>
    public HttpRequestHead? Request => _request;

    /// <summary>How the current request's body is framed, and what it asked of the connection.</summary>
    public HttpRequestFraming Framing => _framing;

    /// <summary>Why the current request was refused, when <see cref="RequestPhase"/> is <see cref="HttpRequestPhase.Refused"/>.</summary>
    public HttpRequestRejection Rejection => _rejection;

    /// <summary>Whether the current request is HEAD, whose response carries no body (RFC 9110 §9.3.2).</summary>
    public bool IsHeadRequest => _isHead;

    /// <summary>The body bytes of the current request received so far.</summary>
    public long BodyBytesReceived => _bodyReceived;

    /// <summary>How the current response's body is framed, once its head is written.</summary>
    public HttpResponseFraming ResponseFraming => _responseFraming;

    /// <summary>The status code of the current response, once its head is written; 0 before.</summary>
    public int StatusCode => _statusCode;

    /// <summary>How much unread body the caller may drain after the response to keep the connection.</summary>
    public long MaxDrainSize => _maxDrainSize;

    /// <summary>
    /// Whether the client is waiting for <c>100 Continue</c> before it sends the body: it asked
    /// (RFC 9110 §10.1.1), none was sent, and no response has started.
    /// </summary>
    public bool ContinuePending =>
        _framing.ExpectsContinue && !_continueSent && _requestPhase == HttpRequestPhase.ReceivingBody && _responsePhase == HttpResponsePhase.NotStarted;

    /// <summary>
    /// Parses a request head from the start of <paramref name="input"/> and checks it
    /// (<see cref="HttpRequestRules.Check"/>). Call again with the same bytes and more after
    /// <see cref="HttpServerEvent.NeedMoreData"/>.
    /// </summary>
    /// <returns>
    /// <see cref="HttpServerEvent.RequestHead"/> (<paramref name="consumed"/> is the head's
    /// length), <see cref="HttpServerEvent.NeedMoreData"/>, or <see cref="HttpServerEvent.Rejected"/>.
    /// </returns>
    /// <exception cref="InvalidOperationException">The request side is not waiting for a head.</exception>
    public HttpServerEvent ReceiveHead(ReadOnlySpan<byte> input, out int consumed)
    {
        RequireRequestPhase(HttpRequestPhase.AwaitingHead, nameof(ReceiveHead));
        OperationStatus status = HttpHeadParser.TryParseRequest(input, _limits, out HttpRequestHead? head, out consumed, out HttpParseError error);
        if (status == OperationStatus.NeedMoreData)
        {
            return HttpServerEvent.NeedMoreData;
        }

        if (status != OperationStatus.Done || head is null)
        {
            return Reject(HttpRequestRejections.FromParseError(error));
        }

        _request = head;
        _isHead = string.Equals(head.Method, "HEAD", StringComparison.Ordinal);
        HttpRequestRejection rejection = HttpRequestRules.Check(head, _maxBodySize, out HttpRequestFraming framing);
        _framing = framing;
        if (rejection != HttpRequestRejection.None)
        {
            return Reject(rejection);
        }

        _keepAlive &= framing.KeepAlive;
        if (!framing.HasBody)
        {
            _requestPhase = Next(_requestPhase, RequestInput.HeadWithoutBody);
            return HttpServerEvent.RequestHead;
        }

        _bodyRemaining = framing.ContentLength;
        if (framing.Body == HttpBodyKind.Chunked)
        {
            _chunked = new ChunkedDecoder(_limits, _maxBodySize);
        }

        _requestPhase = Next(_requestPhase, RequestInput.HeadWithBody);
        return HttpServerEvent.RequestHead;
    }

    /// <summary>
    /// Takes body bytes from <paramref name="input"/> into <paramref name="output"/> (which may be
    /// the same memory), removing the chunked framing. Bytes after the body are not consumed.
    /// </summary>
    /// <returns>
    /// <see cref="HttpServerEvent.NeedMoreData"/>, <see cref="HttpServerEvent.OutputFull"/>,
    /// <see cref="HttpServerEvent.EndOfBody"/> (also when the body had already ended), or
    /// <see cref="HttpServerEvent.Rejected"/>.
    /// </returns>
    public HttpServerEvent ReceiveBody(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written) =>
        TakeBody(input, output, discard: false, out consumed, out written);

    /// <summary>Like <see cref="ReceiveBody"/>, dropping the body bytes: to drain a body the handler did not read.</summary>
    public HttpServerEvent SkipBody(ReadOnlySpan<byte> input, out int consumed) =>
        TakeBody(input, [], discard: true, out consumed, out _);

    /// <summary>
    /// The peer closed its sending side. Between requests that ends the connection
    /// (<see cref="HttpServerEvent.EndOfStream"/>); inside a body it is a refusal
    /// (<see cref="HttpRequestRejection.IncompleteBody"/>); after a complete request the response
    /// may still be written, but nothing follows it.
    /// </summary>
    public HttpServerEvent ReceiveEndOfStream()
    {
        _keepAlive = false;
        switch (_requestPhase)
        {
            case HttpRequestPhase.AwaitingHead:
                _requestPhase = Next(_requestPhase, RequestInput.PeerClosed);
                return HttpServerEvent.EndOfStream;
            case HttpRequestPhase.ReceivingBody:
                _rejection = HttpRequestRejection.IncompleteBody;
                _requestPhase = Next(_requestPhase, RequestInput.PeerClosed);
                return HttpServerEvent.Rejected;
            case HttpRequestPhase.Refused:
                return HttpServerEvent.Rejected;
            default:
                return HttpServerEvent.EndOfStream;
        }
    }

    /// <summary>Refuses the current request for a reason the caller found (a body that did not arrive in time); the connection closes after the answer.</summary>
    /// <exception cref="InvalidOperationException">No request is being received.</exception>
    public void Refuse(HttpRequestRejection rejection)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(rejection, HttpRequestRejection.None);
        Reject(rejection);
    }

    /// <summary>The connection closes after the current response (the server is stopping, or the peer went away).</summary>
    public void CloseAfterResponse() => _keepAlive = false;

    /// <summary>
    /// Writes <c>HTTP/1.1 100 Continue</c> if the client is waiting for it
    /// (<see cref="ContinuePending"/>): the handler is about to read the body (RFC 9110 §10.1.1).
    /// </summary>
    /// <returns>Whether it was written.</returns>
    public bool WriteContinue(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!ContinuePending)
        {
            return false;
        }

        _continueSent = true;
        "HTTP/1.1 100 Continue\r\n\r\n"u8.CopyTo(output.GetSpan(ContinueLength));
        output.Advance(ContinueLength);
        return true;
    }

    /// <summary>
    /// Writes the response head for the current request, choosing its framing (RFC 9112 §6.3):
    /// none for HEAD, 204 and 304; Content-Length when <paramref name="contentLength"/> is known;
    /// otherwise chunked for an HTTP/1.1 client, or delimited by closing the connection for an
    /// HTTP/1.0 one. Adds <c>Connection: close</c> when the connection will not persist, and
    /// <c>Connection: keep-alive</c> for an HTTP/1.0 client whose connection does.
    /// </summary>
    /// <param name="output">Where the head goes.</param>
    /// <param name="statusCode">A final status, 200 to 599 (100 is <see cref="WriteContinue"/>, 101 is the caller's handshake then <see cref="SwitchProtocols"/>).</param>
    /// <param name="headers">The response's own fields; Content-Length and Transfer-Encoding are the connection's to write.</param>
    /// <param name="contentLength">The body length if known; for HEAD the length a GET would have.</param>
    /// <param name="date">The Date value (RFC 9110 §6.6.1), or empty for none.</param>
    /// <exception cref="InvalidOperationException">A response was already started, or there is no request to answer.</exception>
    /// <exception cref="ArgumentException">The status is not final, or the headers carry framing fields.</exception>
    public void WriteResponseHead(IBufferWriter<byte> output, int statusCode, HttpHeaders? headers, long? contentLength, ReadOnlySpan<byte> date)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (contentLength is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(contentLength), contentLength, "A Content-Length cannot be negative.");
        }

        RequireResponsePhase(HttpResponsePhase.NotStarted, nameof(WriteResponseHead));
        if (_requestPhase is HttpRequestPhase.AwaitingHead or HttpRequestPhase.Closed or HttpRequestPhase.SwitchedProtocols)
        {
            throw new InvalidOperationException($"There is no request to answer (the request side is {_requestPhase}).");
        }

        bool closeAsked = false;
        if (headers is not null)
        {
            if (headers.Contains(HttpFieldNames.ContentLength) || headers.Contains(HttpFieldNames.TransferEncoding))
            {
                throw new ArgumentException("Content-Length and Transfer-Encoding are written by the connection: pass the length instead.", nameof(headers));
            }

            closeAsked = headers.ContainsToken(HttpFieldNames.Connection, "close");
        }

        if (closeAsked)
        {
            _keepAlive = false;
        }

        if (_requestPhase == HttpRequestPhase.ReceivingBody)
        {
            // RFC 9110 §10.1.1: a client that was never sent 100 may never send the body; a long
            // known remainder is not worth reading to keep the connection.
            if (ContinuePending
                || (_framing.Body == HttpBodyKind.ContentLength && _bodyRemaining > _maxDrainSize))
            {
                _keepAlive = false;
            }
        }

        long? lengthField = null;
        bool chunked = false;
        if (statusCode is 204 or 304)
        {
            // RFC 9110 §15.3.5 and §15.4.5: neither has content; RFC 9110 §8.6: no Content-Length in a 204.
            _responseFraming = HttpResponseFraming.None;
        }
        else if (_isHead)
        {
            // RFC 9110 §9.3.2 and §8.6: a HEAD response may give the length a GET would have.
            _responseFraming = HttpResponseFraming.None;
            lengthField = contentLength;
        }
        else if (contentLength is long length)
        {
            _responseFraming = HttpResponseFraming.ContentLength;
            _responseRemaining = length;
            lengthField = length;
        }
        else if (_framing.IsHttp10)
        {
            // RFC 9112 §6.1: chunked cannot be sent to an HTTP/1.0 peer; the end is the close.
            _responseFraming = HttpResponseFraming.CloseDelimited;
            _keepAlive = false;
        }
        else
        {
            _responseFraming = HttpResponseFraming.Chunked;
            chunked = true;
        }

        HttpResponseHeadWriter.ConnectionOption connection =
            !_keepAlive ? (closeAsked ? HttpResponseHeadWriter.ConnectionOption.None : HttpResponseHeadWriter.ConnectionOption.Close)
            : _framing.IsHttp10 ? HttpResponseHeadWriter.ConnectionOption.KeepAlive
            : HttpResponseHeadWriter.ConnectionOption.None;
        HttpResponseHeadWriter.Write(output, statusCode, headers, lengthField, chunked, connection, date);
        _statusCode = statusCode;
        bool bodyFollows = _responseFraming is HttpResponseFraming.Chunked or HttpResponseFraming.CloseDelimited
            || (_responseFraming == HttpResponseFraming.ContentLength && _responseRemaining > 0);
        _responsePhase = Next(_responsePhase, bodyFollows ? ResponseInput.HeadWithBody : ResponseInput.HeadWithoutBody);
    }

    /// <summary>
    /// Writes <paramref name="data"/> as the next piece of the response body, framed as the head
    /// said. For a response without a body (HEAD, 204, 304) the bytes are dropped, as RFC 9110
    /// §9.3.2 requires.
    /// </summary>
    /// <exception cref="InvalidOperationException">No body is being sent, or the data passes the Content-Length.</exception>
    public void WriteBody(IBufferWriter<byte> output, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (data.IsEmpty || IsBodiless)
        {
            return;
        }

        WriteBodyPrefix(output, data.Length);
        data.CopyTo(output.GetSpan(data.Length));
        output.Advance(data.Length);
        WriteBodySuffix(output);
    }

    /// <summary>
    /// Writes the framing that goes before <paramref name="length"/> body bytes the caller sends
    /// itself (a large piece, written from its own memory): the chunk-size line when chunked,
    /// nothing otherwise. Follow the data with <see cref="WriteBodySuffix"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No body is being sent, or the data passes the Content-Length.</exception>
    public void WriteBodyPrefix(IBufferWriter<byte> output, int length)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        RequireResponsePhase(HttpResponsePhase.SendingBody, nameof(WriteBodyPrefix));
        switch (_responseFraming)
        {
            case HttpResponseFraming.ContentLength:
                if (length > _responseRemaining)
                {
                    throw new InvalidOperationException($"The response body would pass its Content-Length: {length} more bytes with {_responseRemaining} left.");
                }

                _responseRemaining -= length;
                break;
            case HttpResponseFraming.Chunked:
                // RFC 9112 §7.1: chunk-size in hex, then CRLF, then the data.
                Span<byte> span = output.GetSpan(MaxChunkPrefix);
                length.TryFormat(span, out int digits, "X", System.Globalization.CultureInfo.InvariantCulture);
                span[digits] = (byte)'\r';
                span[digits + 1] = (byte)'\n';
                output.Advance(digits + 2);
                break;
        }
    }

    /// <summary>Writes what follows a piece of body data sent after <see cref="WriteBodyPrefix"/>: the CRLF that ends a chunk, or nothing.</summary>
    public void WriteBodySuffix(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_responseFraming == HttpResponseFraming.Chunked && _responsePhase == HttpResponsePhase.SendingBody)
        {
            "\r\n"u8.CopyTo(output.GetSpan(2));
            output.Advance(2);
        }
    }

    /// <summary>
    /// Ends the response body: the last chunk (<c>0 CRLF CRLF</c>, no trailers) when chunked;
    /// nothing otherwise. Nothing happens for a response without a body or one already ended.
    /// </summary>
    /// <exception cref="InvalidOperationException">The response has no head yet, or its body is shorter than its Content-Length.</exception>
    public void WriteEndOfBody(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_responsePhase == HttpResponsePhase.Complete)
        {
            return;
        }

        RequireResponsePhase(HttpResponsePhase.SendingBody, nameof(WriteEndOfBody));
        if (_responseFraming == HttpResponseFraming.ContentLength && _responseRemaining != 0)
        {
            throw new InvalidOperationException($"The response body ended {_responseRemaining} bytes short of its Content-Length.");
        }

        if (_responseFraming == HttpResponseFraming.Chunked)
        {
            // RFC 9112 §7.1: last-chunk = 1*("0") CRLF, then an empty trailer section and CRLF.
            "0\r\n\r\n"u8.CopyTo(output.GetSpan(LastChunkLength));
            output.Advance(LastChunkLength);
        }

        _responsePhase = Next(_responsePhase, ResponseInput.EndOfBody);
    }

    /// <summary>The caller wrote a 101 response (a WebSocket handshake): HTTP is over on this connection, and the bytes after the head belong to the new protocol.</summary>
    /// <exception cref="InvalidOperationException">The request is not complete, or a response was started.</exception>
    public void SwitchProtocols()
    {
        _requestPhase = Next(_requestPhase, RequestInput.SwitchProtocols);
        _responsePhase = Next(_responsePhase, ResponseInput.SwitchProtocols);
        _keepAlive = false;
    }

    /// <summary>
    /// Moves on to the next request when both sides are complete and the connection persists.
    /// </summary>
    /// <returns>True: ready for the next head. False: the connection must close (or a body is still unread: drain it with <see cref="SkipBody"/> first).</returns>
    public bool NextRequest()
    {
        if (!_keepAlive || _requestPhase != HttpRequestPhase.Complete || _responsePhase != HttpResponsePhase.Complete)
        {
            return false;
        }

        _requestPhase = Next(_requestPhase, RequestInput.NextRequest);
        _responsePhase = Next(_responsePhase, ResponseInput.NextRequest);
        _request = null;
        _framing = default;
        _isHead = false;
        _bodyRemaining = 0;
        _bodyReceived = 0;
        _chunked = default;
        _continueSent = false;
        _responseFraming = HttpResponseFraming.None;
        _responseRemaining = 0;
        _statusCode = 0;
        return true;
    }

    /// <summary>The request side's transitions (see the class remarks).</summary>
    private static HttpRequestPhase Next(HttpRequestPhase phase, RequestInput input) => (phase, input) switch
    {
        (HttpRequestPhase.AwaitingHead, RequestInput.HeadWithoutBody) => HttpRequestPhase.Complete,
        (HttpRequestPhase.AwaitingHead, RequestInput.HeadWithBody) => HttpRequestPhase.ReceivingBody,
        (HttpRequestPhase.AwaitingHead, RequestInput.PeerClosed) => HttpRequestPhase.Closed,
        (HttpRequestPhase.AwaitingHead, RequestInput.Refusal) => HttpRequestPhase.Refused,
        (HttpRequestPhase.ReceivingBody, RequestInput.EndOfBody) => HttpRequestPhase.Complete,
        (HttpRequestPhase.ReceivingBody, RequestInput.PeerClosed) => HttpRequestPhase.Refused,
        (HttpRequestPhase.ReceivingBody, RequestInput.Refusal) => HttpRequestPhase.Refused,
        (HttpRequestPhase.Complete, RequestInput.SwitchProtocols) => HttpRequestPhase.SwitchedProtocols,
        (HttpRequestPhase.Complete, RequestInput.NextRequest) => HttpRequestPhase.AwaitingHead,
        _ => throw new InvalidOperationException($"The request side cannot take {input} in {phase}."),
    };

    /// <summary>The response side's transitions (see the class remarks).</summary>
    private static HttpResponsePhase Next(HttpResponsePhase phase, ResponseInput input) => (phase, input) switch
    {
        (HttpResponsePhase.NotStarted, ResponseInput.HeadWithBody) => HttpResponsePhase.SendingBody,
        (HttpResponsePhase.NotStarted, ResponseInput.HeadWithoutBody) => HttpResponsePhase.Complete,
        (HttpResponsePhase.NotStarted, ResponseInput.SwitchProtocols) => HttpResponsePhase.SwitchedProtocols,
        (HttpResponsePhase.SendingBody, ResponseInput.EndOfBody) => HttpResponsePhase.Complete,
        (HttpResponsePhase.Complete, ResponseInput.NextRequest) => HttpResponsePhase.NotStarted,
        _ => throw new InvalidOperationException($"The response side cannot take {input} in {phase}."),
    };

    private bool IsBodiless => _responsePhase == HttpResponsePhase.Complete && _responseFraming == HttpResponseFraming.None;

    private HttpServerEvent TakeBody(ReadOnlySpan<byte> input, Span<byte> output, bool discard, out int consumed, out int written)
    {
        consumed = 0;
        written = 0;
        switch (_requestPhase)
        {
            case HttpRequestPhase.Complete:
                return HttpServerEvent.EndOfBody;
            case HttpRequestPhase.Refused:
                return HttpServerEvent.Rejected;
            case HttpRequestPhase.ReceivingBody:
                break;
            default:
                throw new InvalidOperationException($"There is no request body to read (the request side is {_requestPhase}).");
        }

        if (_framing.Body == HttpBodyKind.Chunked)
        {
            OperationStatus status = discard
                ? _chunked.Skip(input, out consumed)
                : _chunked.Decode(input, output, out consumed, out written);
            _bodyReceived = _chunked.BodyBytes;
            switch (status)
            {
                case OperationStatus.Done:
                    _requestPhase = Next(_requestPhase, RequestInput.EndOfBody);
                    return HttpServerEvent.EndOfBody;
                case OperationStatus.NeedMoreData:
                    return HttpServerEvent.NeedMoreData;
                case OperationStatus.DestinationTooSmall:
                    return HttpServerEvent.OutputFull;
                default:
                    return Reject(_chunked.Error);
            }
        }

        int room = discard ? input.Length : output.Length;
        int n = (int)Math.Min(_bodyRemaining, Math.Min(input.Length, room));
        if (!discard)
        {
            input[..n].CopyTo(output);
            written = n;
        }

        consumed = n;
        _bodyRemaining -= n;
        _bodyReceived += n;
        if (_bodyRemaining == 0)
        {
            _requestPhase = Next(_requestPhase, RequestInput.EndOfBody);
            return HttpServerEvent.EndOfBody;
        }

        return n == input.Length ? HttpServerEvent.NeedMoreData : HttpServerEvent.OutputFull;
    }

    private HttpServerEvent Reject(HttpRequestRejection rejection)
    {
        _rejection = rejection;
        _keepAlive = false;
        _requestPhase = Next(_requestPhase, RequestInput.Refusal);
        return HttpServerEvent.Rejected;
    }

    private void RequireRequestPhase(HttpRequestPhase phase, string operation)
    {
        if (_requestPhase != phase)
        {
            throw new InvalidOperationException($"{operation} needs the request side in {phase}; it is {_requestPhase}.");
        }
    }

    private void RequireResponsePhase(HttpResponsePhase phase, string operation)
    {
        if (_responsePhase != phase)
        {
            throw new InvalidOperationException($"{operation} needs the response side in {phase}; it is {_responsePhase}.");
        }
    }
}
