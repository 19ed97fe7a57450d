using System.Buffers;
using System.Net;
using System.Text;

namespace Duplex;

/// <summary>
/// One HTTP request and its response, whatever hosts it: the built-in <see cref="DuplexServer"/>
/// implements it, and so can another host (an ASP.NET Core adapter). Handlers and transports see
/// only this, never a host's own types.
/// </summary>
/// <remarks>
/// <para>
/// The request body is read incrementally (<see cref="ReadBodyAsync(Memory{byte}, CancellationToken)"/>);
/// the response is a status, headers, and a body written in pieces. Nothing goes on the wire
/// until the body passes the host's buffer, <see cref="FlushAsync"/> is called, or the response
/// is completed: a response completed within the buffer goes out with a Content-Length; one that
/// is flushed first, or grows past the buffer, is sent chunked (or, to an HTTP/1.0 client, ends
/// with the connection) unless <see cref="ResponseContentLength"/> was set.
/// </para>
/// <para>
/// An exchange is valid until its handler's task completes; a host may reuse the object for the
/// next request on the connection.
/// </para>
/// </remarks>
public abstract class HttpExchange
{
    private const string TextPlain = "text/plain; charset=utf-8";
    private const string ContentTypeField = "Content-Type";
    private const int InitialBodyBuffer = 4096;

    /// <summary>The request method, e.g. <c>GET</c> (case-sensitive, RFC 9110 §9.1).</summary>
    public abstract string Method { get; }

    /// <summary>The request-target exactly as sent (RFC 9112 §3.2), e.g. <c>/chat?room=1</c>.</summary>
    public abstract string Target { get; }

    /// <summary>The path of the target: the part before '?', still percent-encoded.</summary>
    public abstract string Path { get; }

    /// <summary>The query of the target, after '?' and without it; "" when there is none.</summary>
    public abstract string Query { get; }

    /// <summary>The request's protocol version, e.g. <c>HTTP/1.1</c>.</summary>
    public abstract string Version { get; }

    /// <summary>The request's header fields.</summary>
    public abstract HttpHeaders Headers { get; }

    /// <summary>The client's address, when known.</summary>
    public abstract EndPoint? RemoteEndPoint { get; }

    /// <summary>
    /// The user the host authenticated for this request (in ASP.NET Core, <c>HttpContext.User</c>,
    /// so the app's own authentication decides); null on the built-in server, which has none.
    /// </summary>
    public virtual System.Security.Claims.ClaimsPrincipal? User => null;

    /// <summary>Whether the request came over TLS.</summary>
    public abstract bool IsHttps { get; }

    /// <summary>The request body's length when the client declared it (Content-Length); null when chunked, 0 when there is no body.</summary>
    public abstract long? RequestContentLength { get; }

    /// <summary>
    /// Fires when the client goes away (its connection closed or reset) while the response is
    /// held open or streamed, when the host stops, and when the request body does not arrive in
    /// time. The token a handler is given is this one.
    /// </summary>
    public abstract CancellationToken RequestAborted { get; }

    /// <summary>The response status code; 200 unless set. Settable until the response has started.</summary>
    /// <exception cref="InvalidOperationException">Set after the response started.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Set outside 200..599.</exception>
    public abstract int StatusCode { get; set; }

    /// <summary>The response's header fields; Content-Length, Transfer-Encoding, Date and the Connection field the host owns.</summary>
    public abstract HttpHeaders ResponseHeaders { get; }

    /// <summary>
    /// The response body's length, if the handler knows it before writing: the response then goes
    /// out with this Content-Length at the first write, and writing more or less is an error.
    /// Null (the default) lets the host decide (see the class remarks).
    /// </summary>
    public abstract long? ResponseContentLength { get; set; }

    /// <summary>Whether the response head has been sent: status and headers can no longer change.</summary>
    public abstract bool HasStarted { get; }

    /// <summary>Whether the request is a WebSocket opening handshake (its Upgrade field holds "websocket").</summary>
    public abstract bool IsWebSocketRequest { get; }

    /// <summary>
    /// Reads the next piece of the request body into <paramref name="buffer"/>. The first read
    /// of a body whose client waits for it (<c>Expect: 100-continue</c>) sends <c>100 Continue</c>.
    /// </summary>
    /// <returns>The bytes read; 0 at the end of the body (at once when there is none).</returns>
    /// <exception cref="HttpRequestRejectedException">The body broke a rule, passed the host's size limit, or did not arrive in time.</exception>
    public abstract ValueTask<int> ReadBodyAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends <paramref name="data"/> to the response body. The caller's memory may be reused as
    /// soon as the returned task completes.
    /// </summary>
    /// <exception cref="InvalidOperationException">The response is complete, or the data passes <see cref="ResponseContentLength"/>.</exception>
    public abstract ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends the head (if not sent yet) and everything written so far, now: for Server-Sent Events
    /// and other streams whose every piece must be on the wire at once.
    /// </summary>
    public abstract ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the response: sends the head if not sent yet (an empty 200 when nothing was set),
    /// whatever is buffered, and the end of the body. Further writes fail; calling it again does nothing.
    /// </summary>
    public abstract ValueTask CompleteAsync();

    /// <summary>
    /// Accepts the WebSocket opening handshake of this request (RFC 6455 §4.2.2): checks it,
    /// runs the endpoint's accept hook, answers 101 and returns the connection, which the caller
    /// then owns (dispose it when done).
    /// </summary>
    /// <exception cref="InvalidOperationException">The request is not a WebSocket upgrade, or the response has started.</exception>
    /// <exception cref="WebSocketHandshakeException">The handshake was refused; the host has already answered it.</exception>
    public abstract ValueTask<WebSocketConnection> AcceptWebSocketAsync(WebSocketEndpointOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the whole request body into a new array.
    /// </summary>
    /// <param name="maxLength">The most bytes accepted; a longer body fails with <see cref="HttpRequestRejection.BodyTooLarge"/> (413).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="HttpRequestRejectedException">The body is longer than <paramref name="maxLength"/>, broke a rule, or did not arrive in time.</exception>
    public async ValueTask<byte[]> ReadBodyToEndAsync(int maxLength, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        long? declared = RequestContentLength;
        if (declared > maxLength)
        {
            throw new HttpRequestRejectedException(HttpRequestRejection.BodyTooLarge);
        }

        if (declared is long exact)
        {
            byte[] body = new byte[exact];
            int filled = 0;
            while (filled < body.Length)
            {
                int read = await ReadBodyAsync(body.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new HttpRequestRejectedException(HttpRequestRejection.IncompleteBody);
                }

                filled += read;
            }

            return body;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBodyBuffer, Math.Max(maxLength, 1) + 1));
        try
        {
            int count = 0;
            while (true)
            {
                if (count == buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)maxLength + 1));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int read = await ReadBodyAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.AsSpan(0, count).ToArray();
                }

                count += read;
                if (count > maxLength)
                {
                    throw new HttpRequestRejectedException(HttpRequestRejection.BodyTooLarge);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends a whole response: the status, a Content-Type, and the body with its length.</summary>
    /// <exception cref="InvalidOperationException">The response has started.</exception>
    public ValueTask RespondAsync(int statusCode, string contentType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        StatusCode = statusCode;
        ResponseHeaders.Set(ContentTypeField, contentType);
        ResponseContentLength = body.Length;
        ValueTask write = WriteAsync(body, cancellationToken);
        if (!write.IsCompletedSuccessfully)
        {
            return WriteThenCompleteAsync(write);
        }

        write.GetAwaiter().GetResult();
        return CompleteAsync();
    }

    /// <summary>Sends a whole <c>text/plain; charset=utf-8</c> response.</summary>
    /// <exception cref="InvalidOperationException">The response has started.</exception>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask RespondTextAsync(int statusCode, string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(text, buffer);
            await RespondAsync(statusCode, TextPlain, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async ValueTask WriteThenCompleteAsync(ValueTask write)
    {
        await write.ConfigureAwait(false);
        await CompleteAsync().ConfigureAwait(false);
    }
}
