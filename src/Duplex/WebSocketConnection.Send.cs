using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Frames;

namespace Duplex;

/// <summary>
/// Sending: every frame's bytes come from <see cref="WebSocketProtocol"/> (opcode, fragments,
/// compression bit, mask, what may still be sent); this part decides only where they go (the
/// output buffer, or straight to the stream for large payloads) and when they are written.
/// </summary>
public sealed partial class WebSocketConnection
{
    /// <summary>The largest piece of payload copied (and masked) per write.</summary>
    private const int SendChunkSize = 64 * 1024;

    /// <summary>
    /// Frames up to this size are appended to the output buffer (one copy, written with their
    /// neighbours); larger payloads are written from the caller's memory, after what is buffered.
    /// </summary>
    private const int DirectWriteThreshold = 16 * 1024;

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
        if (!_protocol.AcceptsPreparedFrame(message.Data.Length))
        {
            return SendAsync(message.Type, message.Data, cancellationToken);
        }

        if (message.Frame.Length > DirectWriteThreshold)
        {
            return SendPreparedDirectAsync(message, cancellationToken);
        }

        SendStatus status;
        lock (OutputLock)
        {
            status = _protocol.BeginWholeMessage();
            if (status == SendStatus.Done)
            {
                AppendRaw(message.Frame.Span);
            }
        }

        return status == SendStatus.Done ? CompleteAppendAsync(flush, cancellationToken) : ValueTask.FromException(Refusal(status));
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
        Opcode opcode = DataOpcode(type);
        if (data.Length > DirectWriteThreshold || _protocol.WouldCompress(data.Length))
        {
            return SendHeldAsync(opcode, data, endOfMessage, cancellationToken);
        }

        SendStatus status;
        lock (OutputLock)
        {
            status = _protocol.WriteDataFrame(opcode, endOfMessage, compressed: false, data.Span, ReserveOutput(_protocol.DataFrameSize(data.Length)), out int written);
            CommitOutput(written);
        }

        return status == SendStatus.Done ? CompleteAppendAsync(!HasBufferedInput, cancellationToken) : ValueTask.FromException(Refusal(status));
    }

    private static Opcode DataOpcode(MessageType type) => type switch
    {
        MessageType.Text => Opcode.Text,
        MessageType.Binary => Opcode.Binary,
        _ => throw new ArgumentException("Use CloseAsync to close the connection.", nameof(type)),
    };

    /// <summary>The exception for a send the protocol refused.</summary>
    private static Exception Refusal(SendStatus status) => status == SendStatus.FragmentedMessageOpen
        ? new InvalidOperationException("A fragmented message is being sent; finish it before sending another.")
        : new WebSocketClosedException();

    /// <summary>A large or compressed data frame: with the write lock, after what is buffered.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendHeldAsync(Opcode type, ReadOnlyMemory<byte> data, bool endOfMessage, CancellationToken cancellationToken)
    {
        await _writeLock.EnterAsync(cancellationToken).ConfigureAwait(false);
        PooledBufferWriter? compressed = null;
        try
        {
            bool compress;
            lock (OutputLock)
            {
                if (!_protocol.CanSendData)
                {
                    throw new WebSocketClosedException();
                }

                compress = _protocol.CompressesMessage(data.Length, endOfMessage);
            }

            ReadOnlyMemory<byte> payload = data;
            if (compress)
            {
                // The write lock is held, so with context takeover the compressor sees messages
                // in the order they go on the wire (RFC 7692 §7.2.1).
                compressed = Compress(data.Span);
                payload = compressed.WrittenMemory;
            }

            await WriteFrameHeldAsync(type, endOfMessage, payload, compress, cancellationToken).ConfigureAwait(false);
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
                SendStatus status = _protocol.BeginWholeMessage();
                if (status != SendStatus.Done)
                {
                    throw Refusal(status);
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
    public ValueTask PingAsync(ReadOnlyMemory<byte> payload = default, CancellationToken cancellationToken = default)
    {
        WebSocketProtocol.CheckControlPayload(payload.Length, nameof(payload));
        return SendPingAsync(payload.Span, cancellationToken);
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
        WebSocketProtocol.CheckCloseCode((int)status);
        await SendCloseFrameAsync((ushort)status, reason, cancellationToken).ConfigureAwait(false);
        await FinishClosingAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a close frame without waiting for the peer's answer; receiving goes on until it arrives.</summary>
    public ValueTask CloseOutputAsync(CloseStatus status, string? reason = null, CancellationToken cancellationToken = default)
    {
        WebSocketProtocol.CheckCloseCode((int)status);
        return SendCloseFrameAsync((ushort)status, reason, cancellationToken);
    }

    /// <summary>A ping, appended and flushed at once, unless the protocol drops it (after this end's close).</summary>
    private ValueTask SendPingAsync(ReadOnlySpan<byte> payload, CancellationToken cancellationToken)
    {
        Span<byte> frame = stackalloc byte[WebSocketProtocol.MaxControlFrameSize];
        lock (OutputLock)
        {
            if (!_protocol.TryWritePing(payload, frame, out int written))
            {
                return ValueTask.CompletedTask;
            }

            AppendRaw(frame[..written]);
        }

        return DrainAsync(wait: false, cancellationToken);
    }

    private async Task SendKeepAlivePingAsync()
    {
        try
        {
            await SendPingAsync(ReadOnlySpan<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Abort();
        }
    }

    /// <summary>
    /// Appends the frame the protocol owes for what was just received (a pong: see
    /// <see cref="WebSocketProtocol.PendingFrameLength"/>) to the output buffer; false when none is owed.
    /// </summary>
    private bool AppendOwedFrame()
    {
        Span<byte> frame = stackalloc byte[WebSocketProtocol.MaxControlFrameSize];
        lock (OutputLock)
        {
            int written = _protocol.WritePendingFrame(frame);
            if (written == 0)
            {
                return false;
            }

            AppendRaw(frame[..written]);
            return true;
        }
    }

    /// <summary>
    /// Sends this end's one close frame (RFC 6455 §5.5.1): with <paramref name="code"/> and
    /// <paramref name="reason"/>, or (<paramref name="owed"/>) the one the protocol owes, the echo
    /// of the peer's close or the close that fails the connection. Nothing when a close was sent
    /// already. Returns once it is written, after everything sent before it, so that the
    /// transport may be shut down behind it.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendCloseFrameAsync(ushort? code, string? reason, CancellationToken cancellationToken, bool owed = false)
    {
        await _writeLock.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            (byte[]? pending, int count) = TakeOutputWithClose(owed, code, reason);
            await WritePendingAsync(pending, count, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseWriter();
        }
    }

    /// <summary>Sends the close frame the protocol owes (see <see cref="SendCloseFrameAsync"/>).</summary>
    private ValueTask SendOwedCloseAsync() => SendCloseFrameAsync(null, null, CancellationToken.None, owed: true);

    /// <summary>Appends the close frame (asked for, or owed) and takes the output buffer with it; the caller holds the write lock.</summary>
    private (byte[]? Buffer, int Count) TakeOutputWithClose(bool owed, ushort? code, string? reason)
    {
        Span<byte> frame = stackalloc byte[WebSocketProtocol.MaxControlFrameSize];
        lock (OutputLock)
        {
            int written = 0;
            bool write = owed ? (written = _protocol.WritePendingFrame(frame)) > 0 : _protocol.TryWriteClose(code, reason, frame, out written);
            if (!write)
            {
                return (null, 0);
            }

            AppendRaw(frame[..written]);
            return TakeOutputLocked();
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
    /// Writes one data frame after what is buffered, the protocol deciding it now; the caller
    /// holds the write lock. Small frames join the buffer; a large payload goes behind its header
    /// from the caller's memory (a server's) or copied in masked pieces (a client's).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteFrameHeldAsync(Opcode type, bool fin, ReadOnlyMemory<byte> payload, bool compressed, CancellationToken cancellationToken)
    {
        bool direct = payload.Length > DirectWriteThreshold;

        // The header and, for a masked payload, its first piece share one pooled buffer.
        byte[]? frame = direct ? ArrayPool<byte>.Shared.Rent(FrameHeader.MaxSize + (_protocol.Masks ? Math.Min(payload.Length, SendChunkSize) : 0)) : null;
        try
        {
            byte[]? pending;
            int count;
            int headerLength = 0;
            PayloadMask mask = default;
            lock (OutputLock)
            {
                SendStatus status;
                if (frame is null)
                {
                    status = _protocol.WriteDataFrame(type, fin, compressed, payload.Span, ReserveOutput(_protocol.DataFrameSize(payload.Length)), out int written);
                    CommitOutput(written);
                }
                else
                {
                    status = _protocol.BeginDataFrame(type, fin, compressed, payload.Length, frame, out headerLength, out mask);
                }

                if (status != SendStatus.Done)
                {
                    throw Refusal(status);
                }

                (pending, count) = TakeOutputLocked();
            }

            await WritePendingAsync(pending, count, cancellationToken).ConfigureAwait(false);
            if (frame is not null)
            {
                await WriteDirectPayloadAsync(frame, headerLength, mask, payload, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (frame is not null)
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
        }
    }

    /// <summary>Writes a large frame's header (at the start of <paramref name="frame"/>) and its payload as the protocol said: as it is, or masked piece by piece through <paramref name="frame"/>.</summary>
    private async ValueTask WriteDirectPayloadAsync(byte[] frame, int headerLength, PayloadMask mask, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!mask.IsMasked)
        {
            if (_stream is Transport.SocketStream socket)
            {
                // Header and payload in one gathered send: no copy, no header-only segment.
                await socket.WriteAsync(frame.AsMemory(0, headerLength), payload, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _stream.WriteAsync(frame.AsMemory(0, headerLength), cancellationToken).ConfigureAwait(false);
                await _stream.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        int pos = headerLength;
        int offset = 0;
        do
        {
            int take = Math.Min(payload.Length - offset, frame.Length - pos);
            mask.Apply(payload.Span.Slice(offset, take), frame.AsSpan(pos, take));
            await _stream.WriteAsync(frame.AsMemory(0, pos + take), cancellationToken).ConfigureAwait(false);
            offset += take;
            pos = 0;
        }
        while (offset < payload.Length);
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
}
