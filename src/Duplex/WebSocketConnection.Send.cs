using System.Runtime.CompilerServices;
using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Duplex.Protocol.Closing;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Frames;

namespace Duplex;

public sealed partial class WebSocketConnection
{
    /// <summary>The largest piece of payload copied (and masked) per write.</summary>
    private const int SendChunkSize = 64 * 1024;

    /// <summary>Unmasked payloads larger than this are written from the caller's memory, after their header, without a copy.</summary>
    private const int DirectWriteThreshold = 16 * 1024;

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private bool _sendingFragmented;

    /// <summary>Sends a text message (UTF-8 encoded).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int length = Encoding.UTF8.GetBytes(text, buffer);
            await SendAsync(WebSocketMessageType.Text, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends a binary message.</summary>
    public ValueTask SendBinaryAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendAsync(WebSocketMessageType.Binary, data, cancellationToken);

    /// <summary>Sends a received message back with its type (an echo).</summary>
    public ValueTask SendAsync(WebSocketMessage message, CancellationToken cancellationToken = default) =>
        SendAsync(message.Type, message.Data, cancellationToken);

    /// <summary>
    /// Sends a message framed once for many connections: a server writes the shared frame bytes
    /// as they are; a client (which must mask) or a connection that would compress it sends
    /// the payload the ordinary way.
    /// </summary>
    public ValueTask SendAsync(PreparedMessage message, CancellationToken cancellationToken = default) =>
        SendAsync(message, flush: !HasBufferedInput, cancellationToken);

    /// <summary>
    /// Sends a prepared message; with <paramref name="flush"/> false it is only buffered, to be
    /// written with what follows (call <see cref="FlushAsync"/> at the end of a burst; a flush is
    /// also queued so that nothing waits long).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(PreparedMessage message, bool flush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_role == Role.Client || (Compressing && message.Data.Length >= _minimumCompressedSize))
        {
            await SendAsync(message.Type, message.Data, cancellationToken).ConfigureAwait(false);
            return;
        }

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_handshake.CanSendData || _sendingFragmented)
            {
                throw _sendingFragmented
                    ? new InvalidOperationException("A fragmented message is being sent; finish it before sending another.")
                    : new WebSocketClosedException();
            }

            if (message.Frame.Length <= DirectWriteThreshold)
            {
                AppendRaw(message.Frame.Span);
                await CompleteAppendAsync(flush, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await FlushOutputLockedAsync(cancellationToken).ConfigureAwait(false);
                await _stream.WriteAsync(message.Frame, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a whole message of the given type as one frame.</summary>
    public ValueTask SendAsync(WebSocketMessageType type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendAsync(type, data, endOfMessage: true, cancellationToken);

    /// <summary>
    /// Sends one fragment of a message (RFC 6455 §5.4). The first call of a message gives its
    /// type; later fragments go out as continuation frames; <paramref name="endOfMessage"/> ends
    /// it. Fragments of different messages must not be interleaved by concurrent callers.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(WebSocketMessageType type, ReadOnlyMemory<byte> data, bool endOfMessage, CancellationToken cancellationToken = default)
    {
        if (type == WebSocketMessageType.Close)
        {
            throw new ArgumentException("Use CloseAsync to close the connection.", nameof(type));
        }

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_handshake.CanSendData)
            {
                throw new WebSocketClosedException();
            }

            Opcode opcode = _sendingFragmented ? Opcode.Continuation : type == WebSocketMessageType.Text ? Opcode.Text : Opcode.Binary;
            bool whole = !_sendingFragmented && endOfMessage;
            _sendingFragmented = !endOfMessage;
            if (whole && Compressing && data.Length >= _minimumCompressedSize)
            {
                await WriteCompressedAsync(opcode, data, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Fragments are sent uncompressed: RSV1 is chosen per message (RFC 7692 §6.1).
                await WriteFrameAsync(opcode, endOfMessage, data, cancellationToken, flush: !HasBufferedInput).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a ping with an optional payload of at most 125 bytes; the peer answers with a pong.</summary>
    public async ValueTask PingAsync(ReadOnlyMemory<byte> payload = default, CancellationToken cancellationToken = default)
    {
        if (payload.Length > FrameHeader.MaxControlPayload)
        {
            throw new ArgumentException("A ping carries at most 125 bytes (RFC 6455 §5.5).", nameof(payload));
        }

        await SendControlAsync(Opcode.Ping, payload, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the closing handshake (RFC 6455 §7.1.2) and waits for it to finish: sends a close
    /// frame with <paramref name="status"/> and <paramref name="reason"/> (cut to 123 UTF-8
    /// bytes), waits for the peer's close frame (reading and dropping any messages still in
    /// flight when no receive is pending), then closes TCP (a client first waits for the server to
    /// do so). Bounded by <see cref="WebSocketOptions.CloseTimeout"/>.
    /// </summary>
    public async Task CloseAsync(CloseStatus status, string? reason = null, CancellationToken cancellationToken = default)
    {
        if (!CloseStatusRules.IsValidOnWire((int)status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "This close code may not be sent (RFC 6455 §7.4).");
        }

        await CloseOutputAsync(status, reason, cancellationToken).ConfigureAwait(false);
        await FinishClosingAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a close frame without waiting for the peer's answer; receiving goes on until it arrives.</summary>
    public async Task CloseOutputAsync(CloseStatus status, string? reason = null, CancellationToken cancellationToken = default) =>
        await SendCloseFrameAsync((ushort)status, reason, cancellationToken).ConfigureAwait(false);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendControlAsync(Opcode opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_handshake.State is WebSocketState.CloseSent or WebSocketState.Closed)
            {
                // RFC 6455 §5.5.1: after a close frame an endpoint sends nothing more.
                return;
            }

            await WriteFrameAsync(opcode, true, payload, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task SendKeepAlivePingAsync()
    {
        try
        {
            await SendControlAsync(Opcode.Ping, ReadOnlyMemory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Abort();
        }
    }

    /// <summary>Sends the close frame that answers the peer's (same code, or none when the peer gave none).</summary>
    private ValueTask SendCloseEchoAsync(ushort? code, CancellationToken cancellationToken) =>
        SendCloseFrameAsync(code, null, cancellationToken);

    /// <summary>Sends this end's one close frame (RFC 6455 §5.5.1), unless one was sent already.</summary>
    private async ValueTask SendCloseFrameAsync(ushort? code, string? reason, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_handshake.TrySendClose())
            {
                return;
            }

            byte[] payload = ArrayPool<byte>.Shared.Rent(FrameHeader.MaxControlPayload);
            try
            {
                int length = code.HasValue ? ClosePayload.Write(payload, code.Value, reason) : 0;
                await WriteFrameAsync(Opcode.Close, true, payload.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(payload);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Compresses a whole message (RFC 7692 §7.2.1) and sends it as one frame with RSV1; the caller holds the send lock.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteCompressedAsync(Opcode opcode, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var compressed = new PooledBufferWriter(Math.Max(256, data.Length / 2));
        try
        {
            if (_deflater is null)
            {
                MessageDeflater borrowed = DeflaterPool.Rent(_pooledDeflaterShape.GetValueOrDefault());
                try
                {
                    borrowed.Compress(data.Span, compressed);
                }
                finally
                {
                    DeflaterPool.Return(borrowed);
                }
            }
            else
            {
                lock (_deflater)
                {
                    _deflater.Compress(data.Span, compressed);
                }
            }

            await WriteFrameAsync(opcode, true, compressed.WrittenMemory, cancellationToken, rsv: 0x4, flush: !HasBufferedInput).ConfigureAwait(false);
        }
        finally
        {
            compressed.Dispose();
        }
    }

    /// <summary>Writes one frame; the caller holds the send lock.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteFrameAsync(Opcode opcode, bool fin, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken, byte rsv = 0, bool flush = true)
    {
        if (payload.Length <= DirectWriteThreshold)
        {
            AppendFrame(opcode, fin, payload.Span, rsv);
            await CompleteAppendAsync(flush, cancellationToken).ConfigureAwait(false);
            return;
        }

        // What is buffered goes first: frames leave in the order they were sent.
        await FlushOutputLockedAsync(cancellationToken).ConfigureAwait(false);
        bool masked = _role == Role.Client;
        uint? key = masked ? NewMaskKey() : null;
        int headerSize = FrameHeader.SizeOf(payload.Length, masked);

        if (!masked && payload.Length > DirectWriteThreshold)
        {
            byte[] header = ArrayPool<byte>.Shared.Rent(FrameHeader.MaxSize);
            try
            {
                int written = FrameHeaderWriter.Write(header, fin, opcode, rsv, payload.Length, null);
                if (_stream is Transport.SocketStream socket)
                {
                    // Header and payload in one gathered send: no copy, no header-only segment.
                    await socket.WriteAsync(header.AsMemory(0, written), payload, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _stream.WriteAsync(header.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
                    await _stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(header);
            }

            return;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(headerSize + Math.Min(payload.Length, SendChunkSize));
        try
        {
            int pos = FrameHeaderWriter.Write(buffer, fin, opcode, rsv, payload.Length, key);
            int offset = 0;
            do
            {
                int take = Math.Min(payload.Length - offset, buffer.Length - pos);
                ReadOnlySpan<byte> source = payload.Span.Slice(offset, take);
                Span<byte> destination = buffer.AsSpan(pos, take);
                if (key.HasValue)
                {
                    Masking.Apply(source, destination, key.Value, offset & 3);
                }
                else
                {
                    source.CopyTo(destination);
                }

                await _stream.WriteAsync(buffer.AsMemory(0, pos + take), cancellationToken).ConfigureAwait(false);
                offset += take;
                pos = 0;
            }
            while (offset < payload.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReleaseCompression()
    {
        if (_deflater is not null)
        {
            lock (_deflater)
            {
                _deflater.Dispose();
            }
        }

        RetireReceiver();
    }

    private static uint NewMaskKey()
    {
        // RFC 6455 §5.3: the key must be unpredictable, from a strong source of entropy.
        Span<byte> key = stackalloc byte[4];
        RandomNumberGenerator.Fill(key);
        return BitConverter.ToUInt32(key);
    }
}
