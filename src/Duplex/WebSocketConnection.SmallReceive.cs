using System.Buffers;
using System.Diagnostics;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;
using Duplex.Timers;

namespace Duplex;

/// <summary>
/// The common case, received without the asynchronous receive layers: the next message is one
/// final, uncompressed text or binary frame of at most 16 KiB, perhaps after pings and pongs
/// (answered here). On a plain socket its bytes are read with non-blocking reads onto the end
/// of the input buffer until the frame is whole, and when nothing has arrived the connection
/// waits for the socket with a wait of its own (<see cref="MessageWait"/>): no state machine,
/// no allocation per message. Anything else (a close frame, a fragment, a compressed or large
/// frame, a frame the receiver finds wrong, a receive already running) goes to the full path,
/// which meets it with the same receiver state.
/// </summary>
public sealed partial class WebSocketConnection
{
    /// <summary>The largest payload received here.</summary>
    private const int SmallMessageMaxPayload = 16 * 1024;

    /// <summary>The least room a read onto the end of the input buffer should have.</summary>
    private const int MinimumReadRoom = 1024;

    private MessageWait? _messageWait;

    private enum SmallReceive
    {
        /// <summary>A whole message was received.</summary>
        Received,

        /// <summary>The socket has nothing more yet: wait until it is readable, then try again.</summary>
        NotReady,

        /// <summary>The full receive path must take it from here.</summary>
        FullPath,

        /// <summary>A pong is being written (the output buffer is full or the socket is not ready): wait for it, then go on.</summary>
        PongPending,
    }

    private enum ReceiveStepResult
    {
        /// <summary>A message was received.</summary>
        Message,

        /// <summary>The full path (or, over TLS, its wait) goes on with the returned task.</summary>
        Task,

        /// <summary>Nothing has arrived on the plain socket: resume after the returned wait.</summary>
        Wait,

        /// <summary>Buffered output is being written (a pong, or replies before a wait): resume after it.</summary>
        Drain,
    }

    /// <summary>
    /// One step of a message receive: the message, or the full path's task, or what to resume
    /// after (on a plain socket): the socket wait, or a write of buffered output (replies go out
    /// before any wait, and a pong that fills the output buffer holds the receive back, so a
    /// peer that pings without reading cannot grow it).
    /// </summary>
    private ReceiveStepResult ReceiveStep(
        CancellationToken cancellationToken,
        out WebSocketMessage message,
        out ValueTask<WebSocketMessage> task,
        out ValueTask<int> readable,
        out ValueTask drain)
    {
        bool socket = _stream is Transport.SocketStream;
        task = default;
        readable = default;
        while (true)
        {
            SmallReceive small = TryReceiveSmall(read: socket, out message, out drain);
            if (small == SmallReceive.Received)
            {
                return ReceiveStepResult.Message;
            }

            if (small == SmallReceive.PongPending)
            {
                return ReceiveStepResult.Drain;
            }

            if (small == SmallReceive.FullPath && (socket || !IdleWaitNeeded))
            {
                task = ReceiveMessageAsync(cancellationToken);
                return ReceiveStepResult.Task;
            }

            drain = DrainAsync(wait: false, cancellationToken);
            if (!drain.IsCompletedSuccessfully)
            {
                return ReceiveStepResult.Drain;
            }

            drain.GetAwaiter().GetResult();
            if (!socket)
            {
                task = WaitThenReceiveAsync(cancellationToken);
                return ReceiveStepResult.Task;
            }

            readable = WaitReadableAsync(cancellationToken);
            if (!readable.IsCompleted)
            {
                return ReceiveStepResult.Wait;
            }

            if (!ObserveReadable(readable))
            {
                // Canceled: the full path reports it.
                task = ReceiveMessageAsync(cancellationToken);
                return ReceiveStepResult.Task;
            }
        }
    }

    /// <summary>Takes the outcome of a write of buffered output; a transport failure is logged and left for the next read to meet.</summary>
    private void ObserveDrain(ValueTask drain)
    {
        try
        {
            drain.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Log.TransportError(_diagnostics, RemoteEndPoint, ex.Message);
        }
    }

    /// <summary>
    /// Takes the outcome of a socket wait: false when it was canceled (the caller then reports
    /// that); a transport failure is left for the read that follows to meet.
    /// </summary>
    private bool ObserveReadable(ValueTask<int> readable)
    {
        try
        {
            readable.GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            return true;
        }
    }

    /// <summary>
    /// Receives the next message if it is a small whole frame in the input buffer, reading more
    /// onto the buffer's end (when <paramref name="read"/>) while the frame is incomplete, and
    /// answering pings on the way. Runs as a receive (it holds the receive flag), so it never
    /// races the full path.
    /// </summary>
    private SmallReceive TryReceiveSmall(bool read, out WebSocketMessage message, out ValueTask pong)
    {
        message = default;
        pong = default;
        if (Interlocked.CompareExchange(ref _receiving, ReceiveRunning, ReceiveIdle) != ReceiveIdle)
        {
            return SmallReceive.FullPath;
        }

        try
        {
            while (true)
            {
                if (_receiveEnded || _inputAdopted || Receiver.InMessage || Receiver.HasPendingOutput || Receiver.Failed)
                {
                    return SmallReceive.FullPath;
                }

                int frameSize = 0;
                bool mayWait = true;
                if (_inputCount > 0)
                {
                    switch (TakeBufferedFrame(out message, out pong, out frameSize, out mayWait))
                    {
                        case BufferedFrame.Message:
                            return SmallReceive.Received;
                        case BufferedFrame.Control:
                            continue;
                        case BufferedFrame.PongPending:
                            return SmallReceive.PongPending;
                        case BufferedFrame.Other:
                            return SmallReceive.FullPath;
                    }
                }

                if (!read)
                {
                    return SmallReceive.FullPath;
                }

                int got = ReadMore(frameSize);
                if (got == 0 || (got < 0 && !mayWait))
                {
                    return SmallReceive.FullPath;
                }

                if (got < 0)
                {
                    return SmallReceive.NotReady;
                }
            }
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

    private enum BufferedFrame
    {
        /// <summary>A whole small message was taken.</summary>
        Message,

        /// <summary>A ping or pong was taken (and a ping answered).</summary>
        Control,

        /// <summary>A ping was taken; its pong's write must be waited for.</summary>
        PongPending,

        /// <summary>The frame's start only: read on.</summary>
        Incomplete,

        /// <summary>A frame for the full path.</summary>
        Other,
    }

    /// <summary>
    /// Takes the frame at the start of the input buffer if it is a whole small message or a
    /// ping or pong; otherwise says how large it is (<paramref name="frameSize"/>, a header's
    /// worth while the header itself is partial) and whether it may wait here for its rest.
    /// </summary>
    private BufferedFrame TakeBufferedFrame(out WebSocketMessage message, out ValueTask pong, out int frameSize, out bool mayWait)
    {
        message = default;
        pong = default;
        frameSize = FrameHeader.MaxSize;
        mayWait = false;
        ReadOnlySpan<byte> input = _input.AsSpan(_inputOffset, _inputCount);
        OperationStatus status = FrameHeaderReader.TryRead(input, out FrameHeader header, out int headerSize);
        if (status != OperationStatus.Done)
        {
            // A partial header is read on while more is there; then the receiver takes it.
            return status == OperationStatus.NeedMoreData ? BufferedFrame.Incomplete : BufferedFrame.Other;
        }

        bool control = header.Opcode is Opcode.Ping or Opcode.Pong;
        if (!control && (!header.Fin || header.Rsv != 0 || header.Opcode is not (Opcode.Text or Opcode.Binary)
            || header.PayloadLength is 0 or > SmallMessageMaxPayload))
        {
            return BufferedFrame.Other;
        }

        frameSize = headerSize + (int)Math.Min(header.PayloadLength, SmallMessageMaxPayload);
        if (frameSize > input.Length)
        {
            // Only a frame the receiver would accept so far, and need not see early, waits here
            // for its rest; anything else goes to the receiver now (it reports errors at the
            // header and checks text as it arrives).
            mayWait = Receiver.MayDeferPayload(header);
            return BufferedFrame.Incomplete;
        }

        if (!control)
        {
            return TakeSmallFrame((int)header.PayloadLength, out message) ? BufferedFrame.Message : BufferedFrame.Other;
        }

        // A keepalive between messages: answered here, so that a connection that is only
        // pinged keeps waiting on this path.
        return TakeControlFrame(input, out pong);
    }

    /// <summary>
    /// Takes the whole ping or pong at the start of the input buffer, sending what the protocol
    /// owes for a ping (its pong):
    /// <see cref="BufferedFrame.PongPending"/> when the pong's write must be waited for (the
    /// output buffer is full: a peer that pings without reading is held back),
    /// <see cref="BufferedFrame.Other"/> when the receiver refused the frame.
    /// </summary>
    private BufferedFrame TakeControlFrame(ReadOnlySpan<byte> input, out ValueTask pong)
    {
        pong = default;
        ReceiveEvent ev = _protocol.Receive(input, Span<byte>.Empty, out int consumed, out _);
        ConsumeInput(consumed);

        if (ev == ReceiveEvent.Pong)
        {
            Receiver.ReleaseControlPayload();
            return BufferedFrame.Control;
        }

        if (ev != ReceiveEvent.Ping)
        {
            // Refused: the receiver's error stays its state, and the full path reports it.
            return BufferedFrame.Other;
        }

        ValueTask drain = AppendOwedFrame() ? DrainAsync(wait: false, CancellationToken.None) : ValueTask.CompletedTask;
        Receiver.ReleaseControlPayload();
        if (drain.IsCompletedSuccessfully)
        {
            drain.GetAwaiter().GetResult();
            return BufferedFrame.Control;
        }

        pong = drain;
        return BufferedFrame.PongPending;
    }

    /// <summary>Receives the whole small frame at the start of the input buffer.</summary>
    private bool TakeSmallFrame(int payloadLength, out WebSocketMessage message)
    {
        message = default;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(payloadLength);
        ReceiveEvent ev = _protocol.Receive(_input.AsSpan(_inputOffset, _inputCount), buffer, out int consumed, out int written);
        ConsumeInput(consumed);

        if (ev != ReceiveEvent.MessageEnd)
        {
            // Whatever the receiver found wrong stays its state: the full path reports it.
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }

        _message = buffer;
        _lastMessageSize = Math.Min(written + FrameHeader.MaxSize, LargeFirstReadSize);
        message = new WebSocketMessage(MessageType, buffer.AsMemory(0, written));
        return true;
    }

    /// <summary>
    /// Reads what the socket holds onto the end of the input buffer (renting one when there is
    /// none), making room for a frame of <paramref name="frameSize"/> bytes (0 when not yet
    /// known) by moving or growing it: the
    /// byte count, -1 when nothing has arrived, 0 at the end of the stream or on a failure (which
    /// the full path then meets). An idle connection is left holding no buffer.
    /// </summary>
    private int ReadMore(int frameSize)
    {
        Debug.Assert(Volatile.Read(ref _receiving) == ReceiveRunning, "Only the receive that holds the flag reads the input.");
        var socket = (Transport.SocketStream)_stream;
        byte[]? input = _input;
        if (input is null)
        {
            input = _input = ArrayPool<byte>.Shared.Rent(Math.Max(NextReadSize, frameSize));
            _inputOffset = 0;
            _inputCount = 0;
        }
        else if (_inputCount == 0)
        {
            _inputOffset = 0;
        }
        else
        {
            int wanted = Math.Max(frameSize, _inputCount + MinimumReadRoom);
            if (_inputOffset + wanted > input.Length)
            {
                if (wanted <= input.Length)
                {
                    Buffer.BlockCopy(input, _inputOffset, input, 0, _inputCount);
                }
                else
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent(wanted);
                    Buffer.BlockCopy(input, _inputOffset, larger, 0, _inputCount);
                    ArrayPool<byte>.Shared.Return(input);
                    input = _input = larger;
                }

                _inputOffset = 0;
            }
        }

        int read;
        try
        {
            read = socket.TryRead(input.AsSpan(_inputOffset + _inputCount));
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            read = 0;
        }

        if (read > 0)
        {
            _inputCount += read;
            Volatile.Write(ref _lastReceiveMs, ConnectionTimer.NowMs);
        }
        else if (_inputCount == 0)
        {
            ReleaseInputBuffer();
        }

        return read;
    }
}
