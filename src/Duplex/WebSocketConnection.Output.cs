using System.Buffers;
using System.Runtime.CompilerServices;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex;

/// <summary>
/// The output buffer: small frames are appended to one pooled buffer and written together, so a
/// burst of messages (echoes of pipelined requests, a broadcast burst) costs one system call
/// rather than one per frame. A send flushes at once unless this connection still has received
/// bytes waiting to be processed (more replies are about to follow) or the caller asked it not
/// to; buffered frames are then written when the receive side runs out of input, by the next
/// flushing send, by <see cref="FlushAsync"/>, or by a flush queued to the thread pool, whichever
/// comes first. Large payloads bypass the buffer. An idle connection holds no output buffer.
/// </summary>
public sealed partial class WebSocketConnection : IThreadPoolWorkItem
{
    /// <summary>Buffered output past which a send writes at once: bounds memory per connection.</summary>
    private const int OutputFlushThreshold = 64 * 1024;

    private byte[]? _out;
    private int _outCount;
    private int _flushQueued;

    /// <summary>
    /// Whether received bytes are waiting to be processed: replies sent now will be followed by
    /// more, so they are buffered and written together.
    /// </summary>
    public bool HasBufferedInput => Volatile.Read(ref _inputCount) > 0 || _receiver.HasPendingOutput;

    /// <summary>Writes any buffered frames now.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _outCount) == 0)
        {
            return;
        }

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushOutputLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        ValueTask flush = DeferredFlushAsync();
        if (!flush.IsCompleted)
        {
            _ = flush.AsTask();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DeferredFlushAsync()
    {
        try
        {
            await _sendLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                Volatile.Write(ref _flushQueued, 0);
                await FlushOutputLockedAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Log.TransportError(_logger, RemoteEndPoint, ex.Message);
            Abort();
        }
    }

    /// <summary>Makes sure buffered frames get written soon even if nothing else flushes them.</summary>
    private void QueueDeferredFlush()
    {
        if (Interlocked.Exchange(ref _flushQueued, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Appends one frame to the output buffer, masking a client's payload; the caller holds the send lock.</summary>
    private void AppendFrame(Opcode opcode, bool fin, ReadOnlySpan<byte> payload, byte rsv)
    {
        bool masked = _role == Role.Client;
        Span<byte> destination = ReserveOutput(FrameHeader.SizeOf(payload.Length, masked) + payload.Length);
        uint? key = masked ? NewMaskKey() : null;
        int header = FrameHeaderWriter.Write(destination, fin, opcode, rsv, payload.Length, key);
        if (key.HasValue)
        {
            Masking.Apply(payload, destination.Slice(header, payload.Length), key.Value, 0);
        }
        else
        {
            payload.CopyTo(destination[header..]);
        }

        Volatile.Write(ref _outCount, _outCount + header + payload.Length);
    }

    /// <summary>Appends bytes already framed (a prepared broadcast frame); the caller holds the send lock.</summary>
    private void AppendRaw(ReadOnlySpan<byte> frame)
    {
        frame.CopyTo(ReserveOutput(frame.Length));
        Volatile.Write(ref _outCount, _outCount + frame.Length);
    }

    private Span<byte> ReserveOutput(int size)
    {
        byte[]? buffer = _out;
        if (buffer is null)
        {
            buffer = _out = ArrayPool<byte>.Shared.Rent(Math.Max(size, 4096));
        }
        else if (buffer.Length - _outCount < size)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, _outCount + size));
            buffer.AsSpan(0, _outCount).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = _out = larger;
        }

        return buffer.AsSpan(_outCount, size);
    }

    /// <summary>Writes what the output buffer holds and returns it to the pool; the caller holds the send lock.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushOutputLockedAsync(CancellationToken cancellationToken)
    {
        byte[]? buffer = _out;
        int count = _outCount;
        if (buffer is null || count == 0)
        {
            return;
        }

        _out = null;
        Volatile.Write(ref _outCount, 0);
        try
        {
            await _stream.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>After appending: write now, or leave it for a flush that comes soon.</summary>
    private ValueTask CompleteAppendAsync(bool flush, CancellationToken cancellationToken)
    {
        if (flush || _outCount >= OutputFlushThreshold)
        {
            return FlushOutputLockedAsync(cancellationToken);
        }

        QueueDeferredFlush();
        return ValueTask.CompletedTask;
    }
}
