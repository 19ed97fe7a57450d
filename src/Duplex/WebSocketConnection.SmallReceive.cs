using System.Buffers;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;
using Duplex.Timers;

namespace Duplex;

/// <summary>
/// The common case, received without the asynchronous receive layers: the next message is one
/// final, uncompressed text or binary frame of at most 16 KiB. On a plain socket its bytes are
/// read with non-blocking reads onto the end of the input buffer until the frame is whole, and
/// when nothing has arrived the connection waits for the socket with a wait of its own
/// (<see cref="MessageWait"/>): no state machine, no allocation per message. Anything else (a
/// control frame, a fragment, a compressed or large frame, a frame the receiver finds wrong, a
/// receive already running) goes to the full path, which meets it with the same receiver state.
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
    }

    private enum ReceiveStepResult
    {
        Message,
        Task,
        Wait,
    }

    /// <summary>
    /// One step of a message receive: the message, or the full path's task, or (on a plain
    /// socket with nothing there yet) the socket wait to resume after. Replies still buffered go
    /// out before any wait.
    /// </summary>
    private ReceiveStepResult ReceiveStep(
        CancellationToken cancellationToken,
        out WebSocketMessage message,
        out ValueTask<WebSocketMessage> task,
        out ValueTask<int> readable)
    {
        bool socket = _stream is Transport.SocketStream;
        task = default;
        readable = default;
        while (true)
        {
            SmallReceive small = TryReceiveSmall(read: socket, out message);
            if (small == SmallReceive.Received)
            {
                return ReceiveStepResult.Message;
            }

            if (small == SmallReceive.FullPath && (socket || !IdleWaitNeeded))
            {
                task = ReceiveMessageAsync(cancellationToken);
                return ReceiveStepResult.Task;
            }

            ValueTask drain = DrainAsync(wait: false, cancellationToken);
            if (!drain.IsCompletedSuccessfully)
            {
                task = DrainThenReceiveAsync(drain, cancellationToken);
                return ReceiveStepResult.Task;
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
    /// onto the buffer's end (when <paramref name="read"/>) while the frame is incomplete. Runs
    /// as a receive (it holds the receive flag), so it never races the full path.
    /// </summary>
    private SmallReceive TryReceiveSmall(bool read, out WebSocketMessage message)
    {
        message = default;
        if (Interlocked.CompareExchange(ref _receiving, ReceiveRunning, ReceiveIdle) != ReceiveIdle)
        {
            return SmallReceive.FullPath;
        }

        try
        {
            while (true)
            {
                if (_receiveEnded || _inputAdopted || _receiver.InMessage || _receiver.HasPendingOutput || _receiver.Failed)
                {
                    return SmallReceive.FullPath;
                }

                int frameSize = 0;
                bool mayWait = _inputCount == 0;
                if (_inputCount > 0)
                {
                    ReadOnlySpan<byte> input = _input.AsSpan(_inputOffset, _inputCount);
                    if (FrameHeaderReader.TryRead(input, out FrameHeader header, out int headerSize) != OperationStatus.Done
                        || !header.Fin || header.Rsv != 0 || header.Opcode is not (Opcode.Text or Opcode.Binary)
                        || header.PayloadLength is 0 or > SmallMessageMaxPayload)
                    {
                        // A partial header, or a frame for the full path.
                        return SmallReceive.FullPath;
                    }

                    frameSize = headerSize + (int)header.PayloadLength;
                    if (frameSize <= input.Length)
                    {
                        return TakeSmallFrame((int)header.PayloadLength, out message);
                    }

                    // Only a frame the receiver would so far accept waits here for its rest: one
                    // it would refuse at its header, or text it could find invalid in the bytes
                    // already in (RFC 6455 §8.1: fail fast), goes to the receiver now.
                    mayWait = header.Opcode == Opcode.Binary && header.Masked == (_role == Role.Server)
                        && header.PayloadLength <= _options.MaxMessageSize;
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

    /// <summary>Receives the whole small frame at the start of the input buffer.</summary>
    private SmallReceive TakeSmallFrame(int payloadLength, out WebSocketMessage message)
    {
        message = default;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(payloadLength);
        ReceiveEvent ev = _receiver.Receive(_input.AsSpan(_inputOffset, _inputCount), buffer, out int consumed, out int written);
        _inputOffset += consumed;
        _inputCount -= consumed;
        if (_inputCount == 0)
        {
            ReleaseInputBuffer();
        }

        if (ev != ReceiveEvent.MessageEnd)
        {
            // Whatever the receiver found wrong stays its state: the full path reports it.
            ArrayPool<byte>.Shared.Return(buffer);
            return SmallReceive.FullPath;
        }

        _message = buffer;
        _lastMessageSize = Math.Min(written + FrameHeader.MaxSize, LargeFirstReadSize);
        message = new WebSocketMessage(MessageType, buffer.AsMemory(0, written));
        return SmallReceive.Received;
    }

    /// <summary>
    /// Reads what the socket holds onto the end of the input buffer, making room for a frame of
    /// <paramref name="frameSize"/> bytes (0 when not yet known) by moving or growing it: the
    /// byte count, -1 when nothing has arrived, 0 at the end of the stream or on a failure (which
    /// the full path then meets). An idle connection is left holding no buffer.
    /// </summary>
    private int ReadMore(int frameSize)
    {
        var socket = (Transport.SocketStream)_stream;
        byte[]? input = _input;
        if (input is null)
        {
            input = _input = ArrayPool<byte>.Shared.Rent(NextReadSize);
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
