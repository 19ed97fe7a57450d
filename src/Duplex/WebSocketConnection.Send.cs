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

    /// <summary>
    /// Frames up to this size are appended to the output buffer (one copy, written with their
    /// neighbours); larger payloads are written from the caller's memory, after what is buffered.
    /// </summary>
    private const int DirectWriteThreshold = 16 * 1024;

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
            await SendAsync(MessageType.Text, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sends a binary message.</summary>
    public ValueTask SendBinaryAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendAsync(MessageType.Binary, data, cancellationToken);

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
    public ValueTask SendAsync(PreparedMessage message, bool flush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_role == Role.Client || (Compressing && message.Data.Length >= _minimumCompressedSize))
        {
            return SendAsync(message.Type, message.Data, cancellationToken);
        }

        if (message.Frame.Length > DirectWriteThreshold)
        {
            return SendPreparedDirectAsync(message, cancellationToken);
        }

        Exception? refused;
        lock (OutputLock)
        {
            refused = WholeMessageRefusal();
            if (refused is null)
            {
                AppendRaw(message.Frame.Span);
            }
        }

        return refused is null ? CompleteAppendAsync(flush, cancellationToken) : ValueTask.FromException(refused);
    }

    /// <summary>Sends a whole message of the given type as one frame.</summary>
    public ValueTask SendAsync(MessageType type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        SendAsync(type, data, endOfMessage: true, cancellationToken);

    /// <summary>
    /// Sends one fragment of a message (RFC 6455 §5.4). The first call of a message gives its
    /// type; later fragments go out as continuation frames; <paramref name="endOfMessage"/> ends
    /// it. Fragments of different messages must not be interleaved by concurrent callers.
    /// </summary>
    /// <remarks>
    /// A small frame is appended to the output buffer under a short lock and written by this call
    /// or, when another write is under way, by that writer as soon as it finishes: a send waits
    /// only when the output buffer is full (backpressure from a slow peer) or the frame is large.
    /// </remarks>
    public ValueTask SendAsync(MessageType type, ReadOnlyMemory<byte> data, bool endOfMessage, CancellationToken cancellationToken = default)
    {
        if (type == MessageType.Close)
        {
            throw new ArgumentException("Use CloseAsync to close the connection.", nameof(type));
        }

        if (data.Length > DirectWriteThreshold || (Compressing && data.Length >= _minimumCompressedSize))
        {
            return SendHeldAsync(type, data, endOfMessage, cancellationToken);
        }

        Exception? refused;
        lock (OutputLock)
        {
            refused = DataRefusal();
            if (refused is null)
            {
                AppendFrame(NextOpcode(type, endOfMessage), endOfMessage, data.Span, 0);
            }
        }

        return refused is null ? CompleteAppendAsync(!HasBufferedInput, cancellationToken) : ValueTask.FromException(refused);
    }

    /// <summary>Why data may not be sent now (the connection is closing or closed), or null; under the output lock.</summary>
    private Exception? DataRefusal() => _handshake.CanSendData ? null : new WebSocketClosedException();

    /// <summary>Like <see cref="DataRefusal"/>, also refusing while a fragmented message is being sent; under the output lock.</summary>
    private Exception? WholeMessageRefusal() =>
        _sendingFragmented
            ? new InvalidOperationException("A fragmented message is being sent; finish it before sending another.")
            : DataRefusal();

    /// <summary>The opcode of the next data frame, and whether a fragmented message goes on after it; under the output lock.</summary>
    private Opcode NextOpcode(MessageType type, bool endOfMessage)
    {
        Opcode opcode = _sendingFragmented ? Opcode.Continuation : type == MessageType.Text ? Opcode.Text : Opcode.Binary;
        _sendingFragmented = !endOfMessage;
        return opcode;
    }

    /// <summary>A large or compressed data frame: with the write lock, after what is buffered.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendHeldAsync(MessageType type, ReadOnlyMemory<byte> data, bool endOfMessage, CancellationToken cancellationToken)
    {
        await _writeLock.EnterAsync(cancellationToken).ConfigureAwait(false);
        PooledBufferWriter? compressed = null;
        try
        {
            bool compress;
            lock (OutputLock)
            {
                if (DataRefusal() is { } refused)
                {
                    throw refused;
                }

                // Fragments are sent uncompressed: RSV1 is chosen per message (RFC 7692 §6.1).
                compress = !_sendingFragmented && endOfMessage && Compressing && data.Length >= _minimumCompressedSize;
            }

            ReadOnlyMemory<byte> payload = data;
            if (compress)
            {
                // The write lock is held, so with context takeover the compressor sees messages
                // in the order they go on the wire (RFC 7692 §7.2.1).
                compressed = Compress(data.Span);
                payload = compressed.WrittenMemory;
            }

            await WriteFrameHeldAsync(type, endOfMessage, payload, compress ? (byte)0x4 : (byte)0, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            compressed?.Dispose();
            ReleaseWriter();
        }
    }

    /// <summary>A prepared frame too large for the output buffer: with the write lock, after what is buffered.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendPreparedDirectAsync(PreparedMessage message, CancellationToken cancellationToken)
    {
        await _writeLock.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            (byte[]? pending, int count) = (null, 0);
            lock (OutputLock)
            {
                if (WholeMessageRefusal() is { } refused)
                {
                    throw refused;
                }

                (pending, count) = TakeOutputLocked();
            }

            await WritePendingAsync(pending, count, cancellationToken).ConfigureAwait(false);
            await _stream.WriteAsync(message.Frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseWriter();
        }
    }

    /// <summary>Sends a ping with an optional payload of at most 125 bytes; the peer answers with a pong.</summary>
    public async ValueTask PingAsync(ReadOnlyMemory<byte> payload = default, CancellationToken cancellationToken = default)
    {
        if (payload.Length > FrameHeader.MaxControlPayload)
        {
            throw new ArgumentException("A ping carries at most 125 bytes (RFC 6455 §5.5).", nameof(payload));
        }

        await SendControlAsync(Opcode.Ping, payload.Span, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the closing handshake (RFC 6455 §7.1.2) and waits for it to finish: sends a close
    /// frame with <paramref name="status"/> and <paramref name="reason"/> (cut to 123 UTF-8
    /// bytes), waits for the peer's close frame (reading and dropping any messages still in
    /// flight when no receive is pending), then closes TCP (a client first waits for the server to
    /// do so). Bounded by <see cref="WebSocketConnectionOptions.CloseTimeout"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask CloseAsync(CloseStatus status, string? reason = null, CancellationToken cancellationToken = default)
    {
        if (!CloseStatusRules.IsValidOnWire((int)status))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "This close code may not be sent (RFC 6455 §7.4).");
        }

        await CloseOutputAsync(status, reason, cancellationToken).ConfigureAwait(false);
        await FinishClosingAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a close frame without waiting for the peer's answer; receiving goes on until it arrives.</summary>
    public ValueTask CloseOutputAsync(CloseStatus status, string? reason = null, CancellationToken cancellationToken = default)
    {
        if (!CloseStatusRules.IsValidOnWire((int)status))
        {
            return ValueTask.FromException(new ArgumentOutOfRangeException(nameof(status), status, "This close code may not be sent (RFC 6455 §7.4)."));
        }

        return SendCloseFrameAsync((ushort)status, reason, cancellationToken);
    }

    /// <summary>A ping or a pong: appended and flushed at once; dropped after this end's close frame (RFC 6455 §5.5.1).</summary>
    private ValueTask SendControlAsync(Opcode opcode, ReadOnlySpan<byte> payload, CancellationToken cancellationToken)
    {
        lock (OutputLock)
        {
            if (_handshake.State is WebSocketConnectionState.CloseSent or WebSocketConnectionState.Closed)
            {
                return ValueTask.CompletedTask;
            }

            AppendFrame(opcode, true, payload, 0);
        }

        return DrainAsync(wait: false, cancellationToken);
    }

    private async Task SendKeepAlivePingAsync()
    {
        try
        {
            await SendControlAsync(Opcode.Ping, ReadOnlySpan<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Abort();
        }
    }

    /// <summary>Sends the close frame that answers the peer's (same code, or none when the peer gave none).</summary>
    private ValueTask SendCloseEchoAsync(ushort? code, CancellationToken cancellationToken) =>
        SendCloseFrameAsync(code, null, cancellationToken);

    /// <summary>
    /// Sends this end's one close frame (RFC 6455 §5.5.1), unless one was sent already, and
    /// returns once it is written (after everything sent before it), so the transport may be
    /// shut down behind it.
    /// </summary>
    private async ValueTask SendCloseFrameAsync(ushort? code, string? reason, CancellationToken cancellationToken)
    {
        await _writeLock.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            byte[]? pending;
            int count;
            lock (OutputLock)
            {
                if (!_handshake.TrySendClose())
                {
                    return;
                }

                Span<byte> payload = stackalloc byte[FrameHeader.MaxControlPayload];
                int length = code.HasValue ? ClosePayload.Write(payload, code.Value, reason) : 0;
                AppendFrame(Opcode.Close, true, payload[..length], 0);
                (pending, count) = TakeOutputLocked();
            }

            await WritePendingAsync(pending, count, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseWriter();
        }
    }

    /// <summary>Compresses a whole message (RFC 7692 §7.2.1) with this connection's compressor or a pooled one; the caller holds the write lock.</summary>
    private PooledBufferWriter Compress(ReadOnlySpan<byte> data)
    {
        var compressed = new PooledBufferWriter(Math.Max(256, data.Length / 2));
        try
        {
            if (_deflater is null)
            {
                MessageDeflater borrowed = DeflaterPool.Rent(_pooledDeflaterShape.GetValueOrDefault());
                try
                {
                    borrowed.Compress(data, compressed);
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
                    _deflater.Compress(data, compressed);
                }
            }

            return compressed;
        }
        catch
        {
            compressed.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes one data frame after what is buffered, deciding its opcode now; the caller holds
    /// the write lock. Small frames join the buffer; a server writes a large payload from the
    /// caller's memory behind its header, a client copies it in masked chunks.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteFrameHeldAsync(MessageType type, bool fin, ReadOnlyMemory<byte> payload, byte rsv, CancellationToken cancellationToken)
    {
        bool direct = payload.Length > DirectWriteThreshold;
        byte[]? pending;
        int count;
        Opcode opcode;
        lock (OutputLock)
        {
            if (DataRefusal() is { } refused)
            {
                throw refused;
            }

            opcode = NextOpcode(type, fin);
            if (!direct)
            {
                AppendFrame(opcode, fin, payload.Span, rsv);
            }

            (pending, count) = TakeOutputLocked();
        }

        await WritePendingAsync(pending, count, cancellationToken).ConfigureAwait(false);
        if (!direct)
        {
            return;
        }

        bool masked = _role == Role.Client;
        if (!masked)
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

        uint key = NewMaskKey();
        int headerSize = FrameHeader.SizeOf(payload.Length, masked);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(headerSize + Math.Min(payload.Length, SendChunkSize));
        try
        {
            int pos = FrameHeaderWriter.Write(buffer, fin, opcode, rsv, payload.Length, key);
            int offset = 0;
            do
            {
                int take = Math.Min(payload.Length - offset, buffer.Length - pos);
                Masking.Apply(payload.Span.Slice(offset, take), buffer.AsSpan(pos, take), key, offset & 3);
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
