using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex;

/// <summary>
/// The output buffer: small frames are appended to one pooled buffer under a short lock and
/// written together, so a burst of messages (echoes of pipelined requests, a broadcast burst)
/// costs one system call rather than one per frame. One writer at a time holds the write lock
/// and writes until the buffer is empty; a send that finds another writer at work leaves its
/// frame to that writer instead of waiting for it (no waiting, no allocation on the hot path), and
/// waits only when the buffer is past its bound (backpressure from a slow peer). A send flushes
/// at once unless this connection still has received bytes waiting to be processed (more replies
/// are about to follow) or the caller asked it not to; buffered frames are then written when the
/// receive side runs out of input, by the next flushing send, by <see cref="FlushAsync"/>, or by
/// a flush queued to the thread pool, whichever comes first. Large payloads bypass the buffer,
/// in order, with the write lock. An idle connection holds no output buffer.
/// </summary>
public sealed partial class WebSocketConnection
{
    /// <summary>Buffered output past which a send waits for the writer: bounds memory per connection.</summary>
    private const int OutputFlushThreshold = 64 * 1024;

    /// <summary>Held by the one writer at a time; frames reach the stream only under it, in the order they were taken.</summary>
    private Threading.AsyncExclusiveLock _writeLock;

    /// <summary>Frames decided and not yet taken for writing, <c>_out[0.._outCount]</c>; under the output lock; null when empty (an idle connection holds none).</summary>
    private byte[]? _out;

    /// <summary>Bytes in <see cref="_out"/>; written under the output lock, read without it to decide whether to flush.</summary>
    private int _outCount;

    /// <summary>1 while a deferred flush is queued to the thread pool (at most one at a time).</summary>
    private int _flushQueued;

    /// <summary>1 when a send left its frame to the writer at work; that writer checks it after letting go.</summary>
    private int _flushWanted;

    /// <summary>The work item that writes buffered frames from the thread pool; made on first use (an idle connection has none).</summary>
    private DeferredFlush? _deferredFlush;

    /// <summary>
    /// The lock over the output buffer and the protocol's send side (what may still be sent, the
    /// fragmentation state, the order frames are decided in): the protocol object itself, so that
    /// it costs no object of its own.
    /// </summary>
    private object OutputLock => _protocol;

    /// <summary>
    /// Whether received bytes are waiting to be processed: replies sent now will be followed by
    /// more, so they are buffered and written together.
    /// </summary>
    public bool HasBufferedInput => Volatile.Read(ref _inputCount) > 0 || Receiver.HasPendingOutput;

    /// <summary>Writes any buffered frames now; completes once they are written.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        DrainAsync(wait: true, cancellationToken);

    /// <summary>Runs on the thread pool: writes what is buffered (see <see cref="QueueDeferredFlush"/>).</summary>
    private void FlushDeferred()
    {
        Volatile.Write(ref _flushQueued, 0);
        ValueTask drain = DrainAsync(wait: false, CancellationToken.None);
        if (!drain.IsCompletedSuccessfully)
        {
            _ = ObserveDeferredFlushAsync(drain);
        }
    }

    private async Task ObserveDeferredFlushAsync(ValueTask drain)
    {
        try
        {
            await drain.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Log.TransportError(_diagnostics, RemoteEndPoint, ex.Message);
            Abort();
        }
    }

    /// <summary>Makes sure buffered frames get written soon even if nothing else flushes them.</summary>
    private void QueueDeferredFlush()
    {
        if (Interlocked.Exchange(ref _flushQueued, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_deferredFlush ??= new DeferredFlush(this), preferLocal: false);
        }
    }

    /// <summary>
    /// Writes what is buffered. Without <paramref name="wait"/>, when another writer holds the
    /// write lock this returns at once and that writer writes it before letting go (unless the
    /// buffer is past its bound: then this waits, which is the backpressure).
    /// </summary>
    private ValueTask DrainAsync(bool wait, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _outCount) == 0)
        {
            return ValueTask.CompletedTask;
        }

        if (wait)
        {
            return DrainWaitingAsync(cancellationToken);
        }

        // Ask first, then try: the writer checks the request after it lets go, so one of the two sees the other.
        Interlocked.Exchange(ref _flushWanted, 1);
        if (_writeLock.TryEnter())
        {
            return DrainHeldAsync(cancellationToken);
        }

        return Volatile.Read(ref _outCount) >= OutputFlushThreshold ? DrainWaitingAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainWaitingAsync(CancellationToken cancellationToken)
    {
        await _writeLock.EnterAsync(cancellationToken).ConfigureAwait(false);
        await DrainHeldAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>With the write lock: writes until the buffer is empty, then lets go.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainHeldAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Volatile.Write(ref _flushWanted, 0);
                byte[]? buffer;
                int count;
                lock (OutputLock)
                {
                    (buffer, count) = TakeOutputLocked();
                }

                if (buffer is null)
                {
                    return;
                }

                await WritePendingAsync(buffer, count, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ReleaseWriter();
        }
    }

    /// <summary>Lets go of the write lock; a flush asked for meanwhile (by a send that did not wait) is queued.</summary>
    private void ReleaseWriter()
    {
        _writeLock.Exit();
        if (Volatile.Read(ref _flushWanted) != 0 && Volatile.Read(ref _outCount) != 0)
        {
            QueueDeferredFlush();
        }
    }

    /// <summary>Takes the output buffer (null when empty); under the output lock.</summary>
    private (byte[]? Buffer, int Count) TakeOutputLocked()
    {
        Debug.Assert(Monitor.IsEntered(OutputLock));
        byte[]? buffer = _out;
        int count = _outCount;
        if (buffer is null || count == 0)
        {
            return (null, 0);
        }

        _out = null;
        Volatile.Write(ref _outCount, 0);
        return (buffer, count);
    }

    /// <summary>Writes a taken output buffer and returns it to the pool; the caller holds the write lock.</summary>
    private async ValueTask WritePendingAsync(byte[]? buffer, int count, CancellationToken cancellationToken)
    {
        Debug.Assert(_writeLock.IsHeld, "Output reaches the stream only under the write lock.");
        if (buffer is null)
        {
            return;
        }

        try
        {
            await _stream.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Appends bytes already framed (by the protocol, or a prepared broadcast frame); under the output lock.</summary>
    private void AppendRaw(ReadOnlySpan<byte> frame)
    {
        frame.CopyTo(ReserveOutput(frame.Length));
        CommitOutput(frame.Length);
    }

    /// <summary>
    /// Counts <paramref name="written"/> bytes the protocol wrote into the room <see cref="ReserveOutput"/>
    /// gave; with none (the send was refused) a buffer rented just for it goes back, so that an
    /// idle connection holds none. Under the output lock.
    /// </summary>
    private void CommitOutput(int written)
    {
        Debug.Assert(Monitor.IsEntered(OutputLock));
        Debug.Assert(written == 0 || (_out is not null && _outCount + written <= _out.Length), "The protocol wrote only into the room reserved.");
        if (written > 0)
        {
            Volatile.Write(ref _outCount, _outCount + written);
        }
        else if (_outCount == 0 && _out is { } unused)
        {
            _out = null;
            ArrayPool<byte>.Shared.Return(unused);
        }
    }

    /// <summary>Room for <paramref name="size"/> bytes at the end of the output buffer (renting or growing it); under the output lock.</summary>
    private Span<byte> ReserveOutput(int size)
    {
        Debug.Assert(Monitor.IsEntered(OutputLock));
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

    /// <summary>After appending: write now, or leave it for a flush that comes soon.</summary>
    private ValueTask CompleteAppendAsync(bool flush, CancellationToken cancellationToken)
    {
        if (flush || Volatile.Read(ref _outCount) >= OutputFlushThreshold)
        {
            return DrainAsync(wait: false, cancellationToken);
        }

        QueueDeferredFlush();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Writes a connection's buffered frames from the thread pool, so that nothing buffered waits
    /// on the application; a work item of its own keeps <see cref="IThreadPoolWorkItem"/> off the
    /// connection's public surface.
    /// </summary>
    private sealed class DeferredFlush(WebSocketConnection connection) : IThreadPoolWorkItem
    {
        public void Execute() => connection.FlushDeferred();
    }
}
