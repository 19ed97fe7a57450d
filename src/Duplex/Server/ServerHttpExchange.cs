using System.Net;
using Duplex.Protocol.Handshake;

namespace Duplex.Server;

/// <summary>
/// The built-in server's <see cref="HttpExchange"/>: a view of its <see cref="HttpConnection"/>'s
/// current request and response, one object per connection, reused for every request on it.
/// </summary>
internal sealed class ServerHttpExchange : HttpExchange
{
    private const string NoRequest = "There is no request on this connection now.";

    private readonly HttpConnection _connection;

    public ServerHttpExchange(HttpConnection connection)
    {
        _connection = connection;
    }

    public override string Method => Request.Method;

    public override string Target => Request.Target;

    public override string Path => Request.Path;

    public override string Query => Request.Query;

    public override string Version => Request.Version;

    public override HttpHeaders Headers => Request.Headers;

    public override EndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    public override bool IsHttps => _connection.IsHttps;

    public override long? RequestContentLength => _connection.RequestContentLength;

    public override CancellationToken RequestAborted => _connection.RequestAborted;

    public override int StatusCode
    {
        get => _connection.StatusCode;
        set => _connection.StatusCode = value;
    }

    public override HttpHeaders ResponseHeaders { get; } = new();

    public override long? ResponseContentLength
    {
        get => _connection.ResponseContentLength;
        set => _connection.ResponseContentLength = value;
    }

    public override bool HasStarted => _connection.HasStarted;

    public override bool IsWebSocketRequest => _connection.Http.Request is { } request && ServerHandshake.IsUpgradeRequest(request);

    private HttpRequestHead Request => _connection.Http.Request ?? throw new InvalidOperationException(NoRequest);

    public override ValueTask<int> ReadBodyAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _connection.ReadBodyAsync(buffer, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        _connection.WriteAsync(data, cancellationToken);

    public override ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        _connection.FlushAsync(cancellationToken);

    public override ValueTask CompleteAsync() => _connection.CompleteResponseAsync();

    public override ValueTask<WebSocketConnection> AcceptWebSocketAsync(WebSocketEndpointOptions? options = null, CancellationToken cancellationToken = default) =>
        _connection.AcceptWebSocketForHandlerAsync(options);

    /// <summary>Answers with a status and no body (204 for OPTIONS and preflights).</summary>
    internal ValueTask RespondStatusAsync(int statusCode)
    {
        StatusCode = statusCode;
        ResponseContentLength = 0;
        return CompleteAsync();
    }
}
