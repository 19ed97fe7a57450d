using System.Net;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Extensions;
using Duplex.Timers;
using Duplex.Diagnostics;

namespace Duplex;

/// <summary>
/// An open WebSocket connection, on the server or the client side. It drives the Sans-I/O
/// <see cref="WebSocketProtocol"/> over a stream, which decides every frame: this class only
/// moves bytes, waits and keeps time. Receiving runs on the caller's receive calls (pings are
/// answered and closes echoed there, so keep a receive pending), sending is safe from many
/// threads at once and keeps each message whole and in order.
/// </summary>
public sealed partial class WebSocketConnection : IAsyncDisposable, ITimerClient
{
    private readonly Stream _stream;
    private readonly System.Net.Sockets.Socket? _socket;
    private readonly WebSocketConnectionOptions _options;
    private readonly DuplexDiagnostics _diagnostics;

    /// <summary>The protocol state machine; also the lock of the send side (see <see cref="OutputLock"/>).</summary>
    private readonly WebSocketProtocol _protocol;
    private readonly MessageDeflater? _deflater;
    private readonly MessageInflater? _inflater;

    /// <summary>Set when compressing with pooled compressors (no context takeover): their shape; null with a compressor of our own or none.</summary>
    private readonly DeflaterShape? _pooledDeflaterShape;
    private TaskCompletionSource? _closed;
    private int _disposed;

    internal WebSocketConnection(
        Stream stream,
        Role role,
        WebSocketConnectionOptions options,
        DuplexDiagnostics? diagnostics,
        ReadOnlyMemory<byte> leftover,
        string? subProtocol,
        string? extensions,
        EndPoint? remoteEndPoint,
        System.Net.Sockets.Socket? socket = null,
        PerMessageDeflateParameters? compression = null)
    {
        _stream = stream;
        _socket = socket;
        _options = options;
        _diagnostics = diagnostics ?? DuplexDiagnostics.None;
        _diagnostics.Instruments.WebSocketsOpen.Add(1);
        SubProtocol = subProtocol;
        Extensions = extensions;
        RemoteEndPoint = remoteEndPoint;
        int? compressFrom = null;
        if (compression is not null)
        {
            // A handshake done elsewhere may agree on compression without zlib settings given: the defaults then.
            PerMessageDeflateOptions deflate = options.Compression ?? DefaultDeflate;
            MessageDeflater deflater = compression.CreateDeflater(role, deflate);
            if (deflater.NoContextTakeover)
            {
                // Reset after every message anyway: borrow one per message from the shared pool.
                _pooledDeflaterShape = new DeflaterShape(deflater.WindowBits, deflater.Level, deflater.MemoryLevel);
                DeflaterPool.Return(deflater);
            }
            else
            {
                _deflater = deflater;
            }

            _inflater = compression.CreateInflater(role);
            compressFrom = deflate.MinimumMessageSize;
        }

        _protocol = new WebSocketProtocol(role, options.MaxMessageSize, _inflater, compressFrom);
        if (!leftover.IsEmpty)
        {
            _input = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(leftover.Length, options.ReceiveBufferSize));
            leftover.CopyTo(_input);
            _inputCount = leftover.Length;
        }

        _lastReceiveMs = ConnectionTimer.NowMs;
        if (options.KeepAliveEnabled)
        {
            TimeSpan resolution = TimeSpan.FromTicks(Math.Min(options.KeepAliveInterval.Ticks, options.KeepAliveTimeout.Ticks) / 4);
            ConnectionTimer.Shared.Register(this, resolution);
        }
    }

    private static readonly PerMessageDeflateOptions DefaultDeflate = new();

    /// <summary>The subprotocol the handshake agreed on, or null.</summary>
    public string? SubProtocol { get; }

    /// <summary>The extensions the handshake agreed on (the Sec-WebSocket-Extensions value), or null.</summary>
    public string? Extensions { get; }

    /// <summary>
    /// The upgrade request that opened this connection (server side; null on a client, and on an
    /// endpoint with <see cref="WebSocketEndpointOptions.RetainRequest"/> false).
    /// </summary>
    public HttpRequestHead? Request { get; init; }

    /// <summary>
    /// The user the host authenticated for the upgrade request (in ASP.NET Core, the request's
    /// <c>HttpContext.User</c>); null on the built-in server and on a client.
    /// </summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; init; }

    /// <summary>The host's way to end the sending half of a stream's transport (<see cref="WebSocketStreamOptions.CloseOutput"/>).</summary>
    internal Func<ValueTask>? CloseOutput { get; init; }

    /// <summary>The peer's address.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Where the connection stands in the closing handshake.</summary>
    public WebSocketConnectionState State => _protocol.State;

    /// <summary>
    /// How the connection closed, once it has: the code of the peer's close frame (1005 when it
    /// had none), the code this end failed the connection with, or 1006 when TCP closed without
    /// a close frame. Null while open.
    /// </summary>
    public CloseStatus? CloseStatus { get; private set; }

    /// <summary>The reason that came with <see cref="CloseStatus"/>.</summary>
    public string? CloseStatusDescription { get; private set; }

    /// <summary>Completes when the connection is closed and its stream released.</summary>
    public Task Completion
    {
        get
        {
            // Created on first use: most connections are never asked.
            TaskCompletionSource closed = LazyInitializer.EnsureInitialized(ref _closed, static () => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            if (Volatile.Read(ref _disposed) != 0)
            {
                closed.TrySetResult();
            }

            return closed.Task;
        }
    }

    /// <summary>The native zlib bytes this connection holds now (its own compressor and decompressor; pooled compressors are not its own).</summary>
    internal long CompressionNativeBytes =>
        (_deflater?.NativeMemoryBytes ?? 0) + (_inflater?.NativeMemoryBytes ?? 0);

    /// <summary>Whether this connection's socket waits in Duplex's readiness engine (for tests of <see cref="SocketEngine"/>).</summary>
    internal bool UsesReadinessEngine => _stream is Transport.SocketStream { UsesReadinessEngine: true };

    /// <summary>Which end this is.</summary>
    public bool IsServer => _protocol.Role == Role.Server;

    /// <summary>The receive half of the protocol state machine.</summary>
    private WebSocketReceiver Receiver => _protocol.Receiver;

    /// <summary>Closes the TCP connection at once, without a closing handshake.</summary>
    public void Abort()
    {
        _protocol.Abort();
        CloseStatus ??= Duplex.CloseStatus.AbnormalClosure;
        ReleaseTransport();
    }

    /// <summary>
    /// Closes gracefully if still open (close frame, wait for the peer's, bounded by
    /// <see cref="WebSocketConnectionOptions.CloseTimeout"/>), then releases the connection.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (State == WebSocketConnectionState.Open || State == WebSocketConnectionState.CloseReceived)
        {
            try
            {
                await CloseAsync(Duplex.CloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The peer is gone; there is nobody left to close with.
            }
            catch (ObjectDisposedException)
            {
            }
        }

        Abort();
    }

    bool ITimerClient.OnTick(long nowMs)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        long pingSent = Volatile.Read(ref _pingSentMs);
        long last = Volatile.Read(ref _lastReceiveMs);
        if (pingSent != 0)
        {
            if (last >= pingSent)
            {
                // Something arrived since the ping: the peer is alive.
                Volatile.Write(ref _pingSentMs, 0);
            }
            else if (nowMs - pingSent >= (long)_options.KeepAliveTimeout.TotalMilliseconds)
            {
                Log.KeepAliveTimeout(_diagnostics, RemoteEndPoint, (long)_options.KeepAliveTimeout.TotalMilliseconds);
                Abort();
                return false;
            }
        }
        else if (State == WebSocketConnectionState.Open && nowMs - last >= (long)_options.KeepAliveInterval.TotalMilliseconds)
        {
            Volatile.Write(ref _pingSentMs, nowMs);
            _ = SendKeepAlivePingAsync();
        }

        return true;
    }

    private void ReleaseTransport()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        ConnectionTimer.Shared.Unregister(this);
        _diagnostics.Instruments.WebSocketsOpen.Add(-1);
        _protocol.Abort();
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
            // Disposing a stream whose peer vanished may throw; the connection is gone either way.
        }

        ReleaseCompression();
        Volatile.Read(ref _closed)?.TrySetResult();
    }
}
