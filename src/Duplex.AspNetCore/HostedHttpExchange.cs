using System.Buffers;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Duplex.AspNetCore;

/// <summary>
/// The host-neutral <see cref="HttpExchange"/> over an ASP.NET Core request, so that handlers and
/// the realtime transports written for the built-in server run on Kestrel unchanged. Over
/// HTTP/1.1 and HTTP/2 alike; the WebSocket opening (upgrade or RFC 8441 extended CONNECT) is
/// <see cref="HostedWebSocketAccept"/>.
/// </summary>
internal sealed class HostedHttpExchange : HttpExchange, IDisposable
{
    // What the built-in server buffers before a response goes out chunked: a response completed
    // within it gets a Content-Length (the class remarks of HttpExchange).
    private const int BufferLimit = 4096;

    // Connection-specific fields may not appear in an HTTP/2 response (RFC 9113 §8.2.2).
    private static readonly string[] s_connectionFields = ["Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade"];

    private readonly HttpContext _context;
    private readonly DuplexHostOptions _options;
    private readonly ILogger _log;
    private readonly HttpHeaders _requestHeaders;
    private readonly string _target;
    private readonly int _queryStart;
    private byte[]? _buffer;
    private int _buffered;
    private bool _started;
    private bool _completed;
    private long _written;

    public HostedHttpExchange(HttpContext context, DuplexHostOptions options, ILogger log)
    {
        _context = context;
        _options = options;
        _log = log;
        _target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
        _queryStart = _target.IndexOf('?', StringComparison.Ordinal);
        _requestHeaders = new HttpHeaders(context.Request.Headers.Count);
        foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> field in context.Request.Headers)
        {
            foreach (string? value in field.Value)
            {
                if (value is not null && !field.Key.StartsWith(':'))
                {
                    _requestHeaders.Add(field.Key, value);
                }
            }
        }

        IPAddress? address = context.Connection.RemoteIpAddress;
        RemoteEndPoint = address is null ? null : new IPEndPoint(address, context.Connection.RemotePort);
    }

    /// <summary>The ASP.NET Core request under this exchange.</summary>
    public HttpContext Context => _context;

    public override string Method => _context.Request.Method;

    public override string Target => _target;

    public override string Path => _queryStart < 0 ? _target : _target[.._queryStart];

    public override string Query => _queryStart < 0 ? string.Empty : _target[(_queryStart + 1)..];

    public override string Version => _context.Request.Protocol;

    public override HttpHeaders Headers => _requestHeaders;

    public override EndPoint? RemoteEndPoint { get; }

    public override bool IsHttps => _context.Request.IsHttps;

    public override ClaimsPrincipal? User => _context.User;

    public override long? RequestContentLength =>
        _context.Request.ContentLength ?? (_context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false ? 0 : null);

    public override CancellationToken RequestAborted => _context.RequestAborted;

    public override int StatusCode
    {
        get => _context.Response.StatusCode;
        set
        {
            if (HasStarted)
            {
                throw new InvalidOperationException("The response has started: its status can no longer change.");
            }

            ArgumentOutOfRangeException.ThrowIfLessThan(value, 200);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 599);
            _context.Response.StatusCode = value;
        }
    }

    public override HttpHeaders ResponseHeaders { get; } = new();

    public override long? ResponseContentLength { get; set; }

    public override bool HasStarted => _started || _context.Response.HasStarted;

    public override bool IsWebSocketRequest => HostedWebSocketAccept.IsWebSocketRequest(_context);

    /// <summary>Whether the response is complete (written by this exchange to its end).</summary>
    public bool IsCompleted => _completed;

    public override async ValueTask<int> ReadBodyAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _context.Request.Body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException bad)
        {
            throw new HttpRequestRejectedException(bad.StatusCode switch
            {
                413 => HttpRequestRejection.BodyTooLarge,
                408 => HttpRequestRejection.BodyTimeout,
                _ => HttpRequestRejection.IncompleteBody,
            });
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The response is complete.");
        }

        _written += data.Length;
        if (ResponseContentLength is long declared && _written > declared)
        {
            throw new InvalidOperationException($"The body passes the declared Content-Length ({declared}).");
        }

        if (!_started && _buffered + data.Length <= BufferLimit)
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(BufferLimit);
            data.Span.CopyTo(_buffer.AsSpan(_buffered));
            _buffered += data.Length;
            return ValueTask.CompletedTask;
        }

        return WriteThroughAsync(data, cancellationToken);
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            return;
        }

        // A stream (Server-Sent Events) must not wait in a buffer of the app's middleware either.
        _context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await StartAsync(cancellationToken).ConfigureAwait(false);
        await _context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask CompleteAsync()
    {
        if (_completed)
        {
            return;
        }

        if (!_started && ResponseContentLength is null)
        {
            ResponseContentLength = _buffered;
        }

        try
        {
            await StartAsync(CancellationToken.None).ConfigureAwait(false);
            await _context.Response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away: nothing to complete.
        }
        finally
        {
            _completed = true;
            ReturnBuffer();
        }
    }

    public override ValueTask<WebSocketConnection> AcceptWebSocketAsync(WebSocketEndpointOptions? options = null, CancellationToken cancellationToken = default) =>
        HostedWebSocketAccept.AcceptAsync(this, options ?? new WebSocketEndpointOptions(), _options, _log, cancellationToken);

    /// <summary>Marks the response as answered by the WebSocket accept (the stream is the connection's now).</summary>
    internal void MarkUpgraded()
    {
        _started = true;
        _completed = true;
        ReturnBuffer();
    }

    /// <summary>Copies the status line's companions to ASP.NET Core's response, once, before the first byte.</summary>
    internal void ApplyResponseHeaders()
    {
        IHeaderDictionary headers = _context.Response.Headers;
        bool http2OrLater = !HttpProtocol.IsHttp11(_context.Request.Protocol) && !HttpProtocol.IsHttp10(_context.Request.Protocol);
        foreach (KeyValuePair<string, string> field in ResponseHeaders)
        {
            if (string.Equals(field.Key, "Content-Length", StringComparison.OrdinalIgnoreCase)
                || (http2OrLater && Array.Exists(s_connectionFields, name => string.Equals(name, field.Key, StringComparison.OrdinalIgnoreCase))))
            {
                continue;
            }

            headers.Append(field.Key, field.Value);
        }

        if (ResponseContentLength is long length)
        {
            _context.Response.ContentLength = length;
        }
    }

    public void Dispose() => ReturnBuffer();

    private async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        ApplyResponseHeaders();
        await _context.Response.StartAsync(cancellationToken).ConfigureAwait(false);
        if (_buffered > 0)
        {
            await _context.Response.Body.WriteAsync(_buffer.AsMemory(0, _buffered), cancellationToken).ConfigureAwait(false);
            _buffered = 0;
        }
    }

    private async ValueTask WriteThroughAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        await _context.Response.Body.WriteAsync(data, cancellationToken).ConfigureAwait(false);
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _buffered = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
