using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;
using Duplex.Timers;

namespace Duplex;

public sealed partial class WebSocketConnection
{
    private const int InitialMessageBuffer = 4 * 1024;
    private const int LargeReadSize = 64 * 1024;

    /// <summary>The most the first read of a message takes when the last message was large.</summary>
    private const int LargeFirstReadSize = 128 * 1024;

    /// <summary>The size of the last whole message received (with room for its header), as a guess at the next one's.</summary>
    private int _lastMessageSize;

    /// <summary>Whether the input buffer is also the message being received (see <see cref="CanAdoptInput"/>).</summary>
    private bool _inputAdopted;

    /// <summary>
    /// How much the first read of the next message asks for: the receive buffer size, or enough
    /// for a message as large as the last one (up to 128 KiB), so that a peer exchanging large
    /// messages gets each in one read rather than a small read and then the rest.
    /// </summary>
    private int NextReadSize => Math.Max(_options.ReceiveBufferSize, _lastMessageSize);

    // The receive side's fields are touched only by the caller that holds the receive flag
    // (_receiving == ReceiveRunning), except where noted.

    /// <summary>Bytes read and not yet consumed: <c>_input[_inputOffset.._inputOffset+_inputCount]</c>; null while idle (no buffer held).</summary>
    private byte[]? _input;
    private int _inputOffset;

    /// <summary>How many bytes of <see cref="_input"/> wait; read without the flag by <see cref="HasBufferedInput"/> (a hint to buffer replies).</summary>
    private int _inputCount;

    /// <summary>The buffer of the message last returned, valid until the next receive.</summary>
    private byte[]? _message;

    /// <summary>ReceiveIdle, ReceiveRunning or ReceiveRetired; moved by compare-and-swap: one receive at a time.</summary>
    private int _receiving;

    /// <summary>Set once the peer's close, a protocol error or the end of the stream was met: every receive after returns a close.</summary>
    private bool _receiveEnded;

    /// <summary>When bytes last arrived (ConnectionTimer ms); written by the receive side, read by the timer.</summary>
    private long _lastReceiveMs;

    /// <summary>When the keepalive ping went out (0: none outstanding); the timer's own.</summary>
    private long _pingSentMs;
    private TaskCompletionSource? _closeFrameReceived;

    /// <summary>
    /// Receives the next whole message. Pings are answered and the peer's close is echoed while
    /// it waits. When the connection closes it returns a message of type
    /// <see cref="MessageType.Close"/> (and does so again on every later call). The
    /// returned data is valid until the next receive call. One receive at a time.
    /// </summary>
    public ValueTask<WebSocketMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        if (_messageWait is { Pending: true })
        {
            return ValueTask.FromException<WebSocketMessage>(new InvalidOperationException("Another receive is already pending on this connection."));
        }

        ReleaseMessageBuffer();
        return ReceiveNextAsync(cancellationToken);
    }

    private ValueTask<WebSocketMessage> ReceiveNextAsync(CancellationToken cancellationToken) =>
        ReceiveStep(cancellationToken, out WebSocketMessage message, out ValueTask<WebSocketMessage> task, out ValueTask<int> readable, out ValueTask drain) switch
        {
            ReceiveStepResult.Message => new ValueTask<WebSocketMessage>(message),
            ReceiveStepResult.Wait => (_messageWait ??= new MessageWait(this)).Start(readable, cancellationToken),
            ReceiveStepResult.Drain => DrainThenReceiveAsync(drain, cancellationToken),
            _ => task,
        };

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<WebSocketMessage> DrainThenReceiveAsync(ValueTask drain, CancellationToken cancellationToken)
    {
        try
        {
            await drain.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The receive below meets the same failure and ends the connection.
            Log.TransportError(_diagnostics, RemoteEndPoint, ex.Message);
        }

        return await ReceiveNextAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The idle wait: as few locals as possible, since this is what an idle connection keeps.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<WebSocketMessage> WaitThenReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WaitReadableAsync(cancellationToken).ConfigureAwait(false);
            _dataReady = true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The receive below meets the same failure and ends the connection.
        }

        return await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<WebSocketMessage> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        // Wait for the message to begin before renting a buffer for it.
        ReceiveResult start = await ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        if (start.Type == MessageType.Close)
        {
            return new WebSocketMessage(MessageType.Close, ReadOnlyMemory<byte>.Empty);
        }

        if (start.EndOfMessage)
        {
            return new WebSocketMessage(start.Type, ReadOnlyMemory<byte>.Empty);
        }

        // Where the input buffer holds nothing but this frame's payload (a large message read
        // whole, or its start), it becomes the message buffer: the payload is unmasked where it
        // lies and the rest of the frame is read in behind it, no copy. Otherwise size the
        // buffer to what the frame header announced (compressed messages start small and grow).
        int offset = 0;
        byte[] buffer;
        if (CanAdoptInput())
        {
            buffer = _input!;
            offset = _inputOffset;
            _inputAdopted = true;
        }
        else
        {
            buffer = ArrayPool<byte>.Shared.Rent(AnnouncedSize(0));
        }

        int count = 0;
        try
        {
            while (true)
            {
                if (offset + count == buffer.Length)
                {
                    byte[] larger = Grow(buffer, offset, count);
                    ReturnMessageBuffer(buffer);
                    buffer = larger;
                    offset = 0;
                }

                ReceiveResult result = await ReceiveAsync(buffer.AsMemory(offset + count), cancellationToken).ConfigureAwait(false);
                count += result.Count;
                if (result.Type == MessageType.Close)
                {
                    ReturnMessageBuffer(buffer);
                    return new WebSocketMessage(MessageType.Close, ReadOnlyMemory<byte>.Empty);
                }

                if (result.EndOfMessage)
                {
                    _message = buffer;
                    _lastMessageSize = Math.Min(count + FrameHeader.MaxSize, LargeFirstReadSize);
                    return new WebSocketMessage(result.Type, buffer.AsMemory(offset, count));
                }
            }
        }
        catch
        {
            ReturnMessageBuffer(buffer);
            throw;
        }
    }

    /// <summary>
    /// Whether the input buffer can become the message buffer: it holds only payload of the
    /// current uncompressed data frame (at least a few KiB of it), so unmasking it in place and
    /// reading the rest behind it is safe (the receiver accepts input aliased with its output).
    /// </summary>
    private bool CanAdoptInput() =>
        _input is not null && _inputCount > 0 && !Receiver.HasPendingOutput && !Receiver.MessageCompressed
        && Receiver.FrameRemaining >= DirectReadMinimum && _inputCount <= Receiver.FrameRemaining;

    /// <summary>Returns a message buffer to the pool, unless it is still the input buffer (adopted, not yet consumed): that one is released with the input.</summary>
    private void ReturnMessageBuffer(byte[] buffer)
    {
        if (ReferenceEquals(buffer, _input))
        {
            _inputAdopted = false;
            return;
        }

        ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>
    /// The messages of this connection as they arrive, until it closes (the close itself is not
    /// yielded; see <see cref="CloseStatus"/>). Each message's data is valid until the next one is requested.
    /// </summary>
    public async IAsyncEnumerable<WebSocketMessage> ReadMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            WebSocketMessage message = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (message.IsClose)
            {
                yield break;
            }

            yield return message;
        }
    }

    /// <summary>
    /// Opens the next message as a stream, for messages too large to hold whole: read it to its
    /// end before receiving again. Returns null when the connection closed instead.
    /// </summary>
    public async ValueTask<WebSocketMessageStream?> ReceiveStreamAsync(CancellationToken cancellationToken = default)
    {
        ReleaseMessageBuffer();
        ReceiveResult start = await ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        if (start.Type == MessageType.Close)
        {
            return null;
        }

        byte[] first = ArrayPool<byte>.Shared.Rent(InitialMessageBuffer);
        ReceiveResult result = start.EndOfMessage
            ? start
            : await ReceiveAsync(first, cancellationToken).ConfigureAwait(false);
        if (result.Type == MessageType.Close)
        {
            ArrayPool<byte>.Shared.Return(first);
            return null;
        }

        return new WebSocketMessageStream(this, result.Type, first, result.Count, result.EndOfMessage);
    }

    /// <summary>
    /// Receives the next piece of a message into <paramref name="buffer"/>: as many bytes as are
    /// available, up to the buffer's size. The lowest-level receive; the others are built on it.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int previous = Interlocked.CompareExchange(ref _receiving, ReceiveRunning, ReceiveIdle);
        if (previous == ReceiveRetired)
        {
            return new ReceiveResult(0, MessageType.Close, true);
        }

        if (previous == ReceiveRunning)
        {
            if (Volatile.Read(ref _draining))
            {
                // CloseAsync is reading the peer's last frames; this receive ends with the close.
                await WaitForCloseAsync(cancellationToken).ConfigureAwait(false);
                return new ReceiveResult(0, MessageType.Close, true);
            }

            throw new InvalidOperationException("Another receive is already pending on this connection.");
        }

        try
        {
            Debug.Assert(Volatile.Read(ref _receiving) == ReceiveRunning);
            return await ReceiveCoreAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _receiving, ReceiveIdle);
            if (Volatile.Read(ref _disposed) != 0)
            {
                RetireReceiver();
            }
        }
    }

    private async Task WaitForCloseAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CloseTimeout);
        try
        {
            await Completion.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Abort();
        }
    }

    private bool _draining;

    private const int ReceiveIdle = 0;
    private const int ReceiveRunning = 1;
    private const int ReceiveRetired = 2;

    /// <summary>
    /// Frees the receive path's native state (the inflater) once no receive is running: the
    /// transport is gone, and freeing zlib state under a running inflate would be a use after free.
    /// </summary>
    private void RetireReceiver()
    {
        if (Interlocked.CompareExchange(ref _receiving, ReceiveRetired, ReceiveIdle) == ReceiveIdle)
        {
            _inflater?.Dispose();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReceiveResult> ReceiveCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int written = 0;
        while (true)
        {
            if (_receiveEnded)
            {
                return new ReceiveResult(0, MessageType.Close, true);
            }

            ReceiveEvent ev;
            int count;
            int direct = _inputCount == 0 && !Receiver.HasPendingOutput && !Receiver.Failed ? DirectPayloadSize(buffer.Length - written) : 0;
            if (direct > 0)
            {
                // The rest of a large frame's payload: read straight into the caller's buffer and
                // unmask it there (the receiver accepts payload aliased with its output), no copy.
                int read = await ReadPayloadDirectAsync(buffer.Slice(written, direct), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    await OnTransportEndedAsync().ConfigureAwait(false);
                    continue;
                }

                Span<byte> landed = buffer.Span.Slice(written, read);
                ev = _protocol.Receive(landed, landed, out _, out count);
            }
            else
            {
                if (_inputCount == 0 && !Receiver.HasPendingOutput && !Receiver.Failed && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    await OnTransportEndedAsync().ConfigureAwait(false);
                    continue;
                }

                ev = _protocol.Receive(
                    _input.AsSpan(_inputOffset, _inputCount),
                    buffer.Span[written..],
                    out int consumed,
                    out count);
                ConsumeInput(consumed);
            }

            written += count;

            switch (ev)
            {
                case ReceiveEvent.NeedMoreData:
                    if (written > 0)
                    {
                        return new ReceiveResult(written, MessageType, false);
                    }

                    break;
                case ReceiveEvent.OutputFull:
                    return new ReceiveResult(written, MessageType, false);
                case ReceiveEvent.MessageEnd:
                    if (_inflater is { NoContextTakeover: true })
                    {
                        // The peer resets its compressor after each message, so the inflater's
                        // window is useless until the next one: an idle connection holds no zlib state.
                        _inflater.ReleaseIdle();
                    }

                    return new ReceiveResult(written, MessageType, true);
                case ReceiveEvent.Ping:
                    await SendOwedPongAsync(cancellationToken).ConfigureAwait(false);
                    Receiver.ReleaseControlPayload();
                    break;
                case ReceiveEvent.Pong:
                    Receiver.ReleaseControlPayload();
                    break;
                case ReceiveEvent.Close:
                    await OnCloseFrameAsync().ConfigureAwait(false);
                    break;
                case ReceiveEvent.Error:
                    await OnProtocolErrorAsync().ConfigureAwait(false);
                    break;
            }

            if (written > 0 && ev != ReceiveEvent.NeedMoreData)
            {
                return new ReceiveResult(written, MessageType, false);
            }
        }
    }

    private MessageType MessageType => Receiver.MessageOpcode == Opcode.Text ? MessageType.Text : MessageType.Binary;

    /// <summary>Whether nothing is buffered and no receive is running, so the next receive would wait for the peer.</summary>
    private bool IdleWaitNeeded =>
        _input is null && _inputCount == 0 && !_receiveEnded && !Receiver.HasPendingOutput
        && Volatile.Read(ref _receiving) == ReceiveIdle;

    private bool _dataReady;

    /// <summary>Waits for bytes with a zero-byte read (no buffer held while idle), then reads them into a pooled buffer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_input is null)
            {
                // While a large frame is arriving, read it in larger pieces (up to 64 KiB):
                // fewer reads per message; an idle connection still holds no buffer.
                int size = (int)Math.Max(_options.ReceiveBufferSize, Math.Min(Receiver.FrameRemaining, LargeReadSize));
                if (!_dataReady)
                {
                    await DrainAsync(wait: false, cancellationToken).ConfigureAwait(false);
                    if (_stream is Transport.SocketStream && ReadMore(size) > 0)
                    {
                        return true;
                    }

                    await WaitReadableAsync(cancellationToken).ConfigureAwait(false);
                }

                _dataReady = false;
                _input = ArrayPool<byte>.Shared.Rent(size);
            }

            int read = await _stream.ReadAsync(_input, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            _inputOffset = 0;
            _inputCount = read;
            Volatile.Write(ref _lastReceiveMs, ConnectionTimer.NowMs);
            return true;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            Log.TransportError(_diagnostics, RemoteEndPoint, ex.Message);
            return false;
        }
    }

    /// <summary>Below this, payload is read through the input buffer (a read per few bytes would cost more than the copy).</summary>
    private const int DirectReadMinimum = 4 * 1024;

    /// <summary>
    /// How much of the current frame's payload may be read straight into the caller's buffer
    /// with <paramref name="room"/> left in it: on a plain socket, inside an uncompressed data
    /// frame, with nothing buffered; 0 when the input buffer should be used.
    /// </summary>
    private int DirectPayloadSize(int room)
    {
        if (_stream is not Transport.SocketStream || Receiver.MessageCompressed || room < DirectReadMinimum)
        {
            return 0;
        }

        long remaining = Receiver.FrameRemaining;
        return remaining < DirectReadMinimum ? 0 : (int)Math.Min(remaining, room);
    }

    /// <summary>Reads payload bytes into <paramref name="destination"/>, waiting (holding no other buffer) until some arrive; 0 at the end of the stream or on a failure.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadPayloadDirectAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var socket = (Transport.SocketStream)_stream;
        try
        {
            while (true)
            {
                int read = socket.TryRead(destination.Span);
                if (read >= 0)
                {
                    _dataReady = false;
                    Volatile.Write(ref _lastReceiveMs, ConnectionTimer.NowMs);
                    return read;
                }

                await DrainAsync(wait: false, cancellationToken).ConfigureAwait(false);
                await socket.WaitReadableRawAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            Log.TransportError(_diagnostics, RemoteEndPoint, ex.Message);
            return 0;
        }
    }

    /// <summary>
    /// Waits until bytes (or the end of the stream) can be read, holding no buffer: straight on
    /// the socket where there is one (no wrapper state kept while idle).
    /// </summary>
    private ValueTask<int> WaitReadableAsync(CancellationToken cancellationToken) =>
        _stream is Transport.SocketStream socket
            ? socket.WaitReadableRawAsync(cancellationToken)
            : _stream.ReadAsync(Memory<byte>.Empty, cancellationToken);

    /// <summary>
    /// Sends the frame the protocol owes for the ping just received (its pong, appended to the
    /// output buffer and flushed); a transport failure is logged and left for the next read to meet.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendOwedPongAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (AppendOwedFrame())
            {
                await DrainAsync(wait: false, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Log.TransportError(_diagnostics, RemoteEndPoint, ex.Message);
        }
    }

    private async ValueTask OnCloseFrameAsync()
    {
        ushort? code = Receiver.CloseCode;
        CloseStatus ??= code.HasValue ? (CloseStatus)code.Value : Duplex.CloseStatus.NoStatusReceived;
        CloseStatusDescription ??= Receiver.CloseReason;
        _receiveEnded = true;
        _closeFrameReceived?.TrySetResult();
        if (_protocol.OwesClose)
        {
            try
            {
                // The echo of the peer's close (RFC 6455 §5.5.1), after everything sent before it.
                await SendOwedCloseAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                Log.TransportError(_diagnostics, RemoteEndPoint, ex.Message);
            }
        }

        await CloseTransportAsync().ConfigureAwait(false);
    }

    private async ValueTask OnProtocolErrorAsync()
    {
        CloseStatus status = Receiver.ErrorStatus;
        Log.ProtocolError(_diagnostics, RemoteEndPoint, (int)status, Receiver.ErrorMessage);
        CloseStatus ??= status;
        CloseStatusDescription ??= Receiver.ErrorMessage;
        _receiveEnded = true;
        _closeFrameReceived?.TrySetResult();
        try
        {
            // The protocol owes the close frame that fails the connection with the error's code.
            await SendOwedCloseAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Log.TransportError(_diagnostics, RemoteEndPoint, ex.Message);
        }

        _protocol.Abort();
        await CloseTransportAsync().ConfigureAwait(false);
    }

    private ValueTask OnTransportEndedAsync()
    {
        _receiveEnded = true;
        CloseStatus ??= Duplex.CloseStatus.AbnormalClosure;
        _closeFrameReceived?.TrySetResult();
        Abort();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// After the closing handshake (or after failing the connection): the end the protocol says
    /// closes TCP first (the server) shuts down its sending side, so its FIN follows the close
    /// frame; the other waits for it to do so. Either then drains what the peer still sends until
    /// it closes too, bounded by the close timeout, so that closing never resets the connection
    /// under unread data (a reset can destroy the close frame before the peer reads it).
    /// </summary>
    private async ValueTask CloseTransportAsync()
    {
        if (_stream is Client.ExtendedConnectStream)
        {
            // A WebSocket over an HTTP/2 stream (RFC 8441 §5): the stream's end stands for TCP's,
            // with no TIME_WAIT to leave to the server and no reset of the connection under
            // unread data, and the HTTP client cannot end only its sending half. So this end ends
            // the stream at once; a server draining until the client's end meets it.
            ReleaseInputBuffer();
            ReleaseTransport();
            return;
        }

        if (_protocol.ClosesTransportFirst)
        {
            await ShutdownSendAsync().ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(_options.CloseTimeout);
        try
        {
            byte[] sink = ArrayPool<byte>.Shared.Rent(1024);
            try
            {
                while (await _stream.ReadAsync(sink, timeout.Token).ConfigureAwait(false) > 0)
                {
                    // What the peer sends after the close is read only to reach its FIN; the receiver has ended.
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(sink);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Timed out or the transport broke: close it from this side.
        }

        ReleaseInputBuffer();
        ReleaseTransport();
    }

    private async ValueTask ShutdownSendAsync()
    {
        try
        {
            if (_stream is System.Net.Security.SslStream ssl)
            {
                await ssl.ShutdownAsync().ConfigureAwait(false);
            }

            _socket?.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            if (CloseOutput is { } closeOutput)
            {
                await closeOutput().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException or OperationCanceledException)
        {
            // Already gone: nothing left to shut down.
        }
    }

    /// <summary>
    /// After sending a close frame: waits for the peer's close frame, reading (and dropping)
    /// messages still in flight when no receive is pending; bounded by the close timeout.
    /// </summary>
    private async Task FinishClosingAsync(CancellationToken cancellationToken)
    {
        if (_receiveEnded)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CloseTimeout);
        if (Volatile.Read(ref _receiving) == ReceiveIdle)
        {
            Volatile.Write(ref _draining, true);
            try
            {
                byte[] sink = ArrayPool<byte>.Shared.Rent(InitialMessageBuffer);
                try
                {
                    while ((await ReceiveAsync(sink, timeout.Token).ConfigureAwait(false)).Type != MessageType.Close)
                    {
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(sink);
                }

                return;
            }
            catch (InvalidOperationException)
            {
                // A receive started meanwhile; wait for it below.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Abort();
                return;
            }
        }

        TaskCompletionSource closeSeen = LazyInitializer.EnsureInitialized(ref _closeFrameReceived, static () => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_receiveEnded)
        {
            return;
        }

        try
        {
            await closeSeen.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            await Completion.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Abort();
        }
    }

    /// <summary>Drops <paramref name="consumed"/> bytes from the front of the input buffer, releasing it once empty.</summary>
    private void ConsumeInput(int consumed)
    {
        Debug.Assert(consumed >= 0 && consumed <= _inputCount, "The receiver consumes only what it was given.");
        _inputOffset += consumed;
        _inputCount -= consumed;
        if (_inputCount == 0)
        {
            ReleaseInputBuffer();
        }
    }

    private void ReleaseInputBuffer()
    {
        byte[]? input = _input;
        if (input is not null && _inputCount == 0)
        {
            _input = null;
            _inputOffset = 0;
            if (_inputAdopted)
            {
                // It is the message buffer now: the message returns it.
                _inputAdopted = false;
                return;
            }

            ArrayPool<byte>.Shared.Return(input);
        }
    }

    private void ReleaseMessageBuffer()
    {
        byte[]? message = _message;
        if (message is not null)
        {
            _message = null;
            ReturnMessageBuffer(message);
        }
    }

    /// <summary>
    /// A buffer size for a message of which <paramref name="count"/> bytes are in hand: what the
    /// current frame still announces, but never more than 64 KiB ahead of the bytes that actually
    /// arrived, so that a peer cannot make the server allocate by announcing a large frame.
    /// </summary>
    private int AnnouncedSize(int count)
    {
        long announced = Receiver.MessageCompressed ? 0 : Math.Min(Receiver.FrameRemaining, LargeReadSize);
        long wanted = Math.Clamp(count + announced, InitialMessageBuffer, Math.Max(_options.MaxMessageSize, InitialMessageBuffer));
        return (int)Math.Min(wanted, Array.MaxLength);
    }

    /// <summary>A larger message buffer holding the <paramref name="count"/> bytes at <paramref name="offset"/> at its start; the caller returns the old one.</summary>
    private byte[] Grow(byte[] buffer, int offset, int count)
    {
        long wanted = Math.Max(Math.Min((long)buffer.Length * 2, Math.Max(_options.MaxMessageSize, buffer.Length + 1)), AnnouncedSize(count));
        byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(wanted, Array.MaxLength));
        buffer.AsSpan(offset, count).CopyTo(larger);
        return larger;
    }
}
