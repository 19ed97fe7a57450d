using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Duplex.Cli.Hosting;

/// <summary>
/// HTTP/1.1 and HTTP/2 by prior knowledge (RFC 9113 §3.3) on one plain-http port, which Kestrel
/// does not do by itself: without TLS there is no ALPN, and an endpoint of both speaks HTTP/1.1
/// only. This transport listens once, reads the first bytes of each connection without consuming
/// them, and hands the connection to Kestrel's HTTP/2 endpoint (<see cref="Http2"/>) when they are
/// the client connection preface, else to its HTTP/1.1 endpoint (<see cref="Http1"/>).
/// </summary>
/// <remarks>
/// A connection that sends nothing within <see cref="FirstBytesTimeout"/>, or closes first, is
/// closed. With TLS this is not needed: ALPN says the protocol, and Kestrel listens itself.
/// </remarks>
internal sealed class PriorKnowledgeTransport : IConnectionListenerFactory, IConnectionListenerFactorySelector, IDisposable
{
    /// <summary>How long a new connection has to send its first bytes: Kestrel's own default for a request's headers.</summary>
    private static readonly TimeSpan FirstBytesTimeout = TimeSpan.FromSeconds(30);

    private readonly IPEndPoint _address;
    private readonly SocketTransportFactory _sockets;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SniffedListener _http1;
    private readonly SniffedListener _http2;
    private IConnectionListener? _socket;
    private Task _acceptLoop = Task.CompletedTask;
    private int _unbound;

    public PriorKnowledgeTransport(IPEndPoint address, ILoggerFactory loggerFactory)
    {
        _address = address;
        _sockets = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);
        _http1 = new SniffedListener(BoundEndPoint, OneUnboundAsync);
        _http2 = new SniffedListener(BoundEndPoint, OneUnboundAsync);
        Http1 = new ProtocolEndPoint(address, HttpProtocols.Http1);
        Http2 = new ProtocolEndPoint(address, HttpProtocols.Http2);
    }

    /// <summary>The endpoint to give Kestrel for HTTP/1.1 (Protocols = Http1).</summary>
    public EndPoint Http1 { get; }

    /// <summary>The endpoint to give Kestrel for HTTP/2 by prior knowledge (Protocols = Http2).</summary>
    public EndPoint Http2 { get; }

    /// <summary>The connection preface every HTTP/2 client sends first (RFC 9113 §3.4).</summary>
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private EndPoint BoundEndPoint() => _socket?.EndPoint ?? _address;

    public bool CanBind(EndPoint endpoint) => endpoint == Http1 || endpoint == Http2;

    /// <summary>Kestrel binds its endpoints one after the other: the first bind listens on the port, each returns its protocol's listener.</summary>
    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (!CanBind(endpoint))
        {
            throw new NotSupportedException($"{endpoint} is not an endpoint of this transport.");
        }

        if (_socket is null)
        {
            _socket = await _sockets.BindAsync(_address, cancellationToken).ConfigureAwait(false);
            _acceptLoop = AcceptLoopAsync(_socket);
        }

        return endpoint == Http2 ? _http2 : _http1;
    }

    private async Task AcceptLoopAsync(IConnectionListener socket)
    {
        while (await socket.AcceptAsync(_stopping.Token).ConfigureAwait(false) is { } connection)
        {
            _ = RouteAsync(connection);
        }
    }

    private async Task RouteAsync(ConnectionContext connection)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        bound.CancelAfter(FirstBytesTimeout);
        HttpProtocols? protocol;
        try
        {
            protocol = await JudgeAsync(connection.Transport.Input, bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // Silent past the bound, reset, or the server stopping.
            protocol = null;
        }

        SniffedListener? listener = protocol switch
        {
            HttpProtocols.Http2 => _http2,
            HttpProtocols.Http1 => _http1,
            _ => null,
        };
        if (listener is null || !listener.TryOffer(connection))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads until the first bytes are the preface or cannot be; leaves them all unread for Kestrel. Null: the peer closed first.</summary>
    private static async Task<HttpProtocols?> JudgeAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            HttpProtocols? verdict = Judge(buffer);
            if (verdict is not null)
            {
                // Nothing consumed, nothing examined: Kestrel's first read sees these bytes at once.
                input.AdvanceTo(buffer.Start);
                return verdict;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                return null;
            }

            // A prefix of the preface so far: wait for more.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Http2 for the whole preface, Http1 as soon as a byte differs from it, null while the bytes are a prefix of it.</summary>
    private static HttpProtocols? Judge(in ReadOnlySequence<byte> buffer)
    {
        int length = (int)Math.Min(buffer.Length, Preface.Length);
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.IsNext(Preface[..length]))
        {
            return HttpProtocols.Http1;
        }

        return length == Preface.Length ? HttpProtocols.Http2 : null;
    }

    /// <summary>Once Kestrel has unbound both endpoints, stops listening on the port.</summary>
    private async ValueTask OneUnboundAsync()
    {
        if (Interlocked.Increment(ref _unbound) < 2 || _socket is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _socket.UnbindAsync().ConfigureAwait(false);
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting for a connection.
        }

        await _socket.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Frees the stop signal; after the app has stopped (Kestrel unbinds first).</summary>
    public void Dispose() => _stopping.Dispose();
}
