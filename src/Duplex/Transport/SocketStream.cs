using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Duplex.Transport;

/// <summary>
/// A stream over a connected TCP socket that tries every read and write as one non-blocking
/// system call on the calling thread first, and waits asynchronously only when the socket is not
/// ready. A WebSocket connection reads and writes in small pieces that are nearly always ready
/// (bytes are buffered by the kernel, replies fit its send buffer), so this skips the
/// asynchronous machinery on the hot path, and a connection that never has to wait for a write
/// never keeps the socket's cached send state (memory per idle connection).
/// </summary>
/// <remarks>
/// A zero-byte <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> completes when data is
/// available without consuming it (the wait an idle connection uses, holding no buffer).
/// </remarks>
internal sealed class SocketStream : Stream
{
    [ThreadStatic]
    private static ArraySegment<byte>[]? t_pair;

    private readonly Socket _socket;
    private readonly ReadinessEngine? _readEngine;
    private readonly ReadinessEngine? _writeEngine;
    private ReadinessWait? _readable;
    private ReadinessWait? _writable;
    private int _disposed;

    public SocketStream(Socket socket, SocketEngine engine = SocketEngine.Auto)
    {
        _socket = socket;
        if (engine == SocketEngine.Auto)
        {
            _readEngine = ReadinessEngine.Readable;
            _writeEngine = ReadinessEngine.Writable;
        }

        // Synchronous calls now return WouldBlock instead of waiting; asynchronous calls are unaffected.
        socket.Blocking = false;
    }

    public Socket Socket => _socket;

    /// <summary>Whether waits go through Duplex's readiness engine (false: the socket's own waits).</summary>
    public bool UsesReadinessEngine => _readEngine is not null;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Reads what the socket holds now into <paramref name="buffer"/> without waiting: the byte
    /// count (0 at the end of the stream), or -1 when nothing has arrived yet.
    /// </summary>
    public int TryRead(Span<byte> buffer)
    {
        int read = _socket.Receive(buffer, SocketFlags.None, out SocketError error);
        return error switch
        {
            SocketError.Success => read,
            SocketError.WouldBlock => -1,
            _ => throw Failure(error),
        };
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return WaitReadableAsync(cancellationToken);
        }

        try
        {
            int read = TryRead(buffer.Span);
            return read >= 0 ? new ValueTask<int>(read) : ReceiveSlowAsync(buffer, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return ValueTask.FromException<int>(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            while (!buffer.IsEmpty)
            {
                int sent = _socket.Send(buffer.Span, SocketFlags.None, out SocketError error);
                if (error == SocketError.WouldBlock)
                {
                    return SendSlowAsync(buffer, cancellationToken);
                }

                if (error != SocketError.Success)
                {
                    throw Failure(error);
                }

                buffer = buffer[sent..];
            }

            return ValueTask.CompletedTask;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return ValueTask.FromException(ex);
        }
    }

    /// <summary>
    /// Writes <paramref name="first"/> then <paramref name="second"/> as one gathered send where
    /// both live in arrays (a frame header and its payload: one system call, one TCP segment
    /// train, no copy); what the kernel does not take at once is sent asynchronously.
    /// </summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second, CancellationToken cancellationToken)
    {
        if (!MemoryMarshal.TryGetArray(first, out ArraySegment<byte> a) || !MemoryMarshal.TryGetArray(second, out ArraySegment<byte> b))
        {
            return WriteBothAsync(first, second, cancellationToken);
        }

        int sent;
        SocketError error;
        ArraySegment<byte>[] pair = t_pair ??= new ArraySegment<byte>[2];
        pair[0] = a;
        pair[1] = b;
        try
        {
            sent = _socket.Send(pair, SocketFlags.None, out error);
        }
        catch (ObjectDisposedException ex)
        {
            return ValueTask.FromException(ex);
        }
        finally
        {
            pair[0] = default;
            pair[1] = default;
        }

        if (error == SocketError.WouldBlock)
        {
            sent = 0;
        }
        else if (error != SocketError.Success)
        {
            return ValueTask.FromException(Failure(error));
        }

        if (sent >= first.Length)
        {
            return WriteAsync(second[(sent - first.Length)..], cancellationToken);
        }

        return WriteBothAsync(first[sent..], second, cancellationToken);
    }

    private async ValueTask WriteBothAsync(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second, CancellationToken cancellationToken)
    {
        await WriteAsync(first, cancellationToken).ConfigureAwait(false);
        await WriteAsync(second, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            int read = TryRead(buffer);
            if (read >= 0)
            {
                return read;
            }

            _socket.Poll(-1, SelectMode.SelectRead);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int sent = _socket.Send(buffer, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                _socket.Poll(-1, SelectMode.SelectWrite);
                continue;
            }

            if (error != SocketError.Success)
            {
                throw Failure(error);
            }

            buffer = buffer[sent..];
        }
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Stop watching the descriptor before it is closed (its number may be reused at once).
            Volatile.Read(ref _readable)?.Close();
            Volatile.Read(ref _writable)?.Close();
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Completes when data (or the end of the stream) is available, without consuming it and
    /// without a buffer: through the read engine (one reused wait per socket), or the socket's
    /// own zero-byte receive where there is none. Failures come as <see cref="SocketException"/>.
    /// </summary>
    public ValueTask<int> WaitReadableRawAsync(CancellationToken cancellationToken)
    {
        // Two waits at once (a receive loop waiting while a close drains the input) are rare:
        // the second takes the socket's own wait.
        return _readEngine is not null && Wait(ref _readable, _readEngine).TryWait(cancellationToken, out ValueTask<int> task)
            ? task
            : _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
    }

    /// <summary>This socket's wait with <paramref name="engine"/> (one reused object per socket and direction, created at the first wait).</summary>
    private ReadinessWait Wait(ref ReadinessWait? field, ReadinessEngine engine)
    {
        ReadinessWait? wait = Volatile.Read(ref field);
        if (wait is not null)
        {
            return wait;
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var created = new ReadinessWait(engine, (int)_socket.SafeHandle.DangerousGetHandle());
        wait = Interlocked.CompareExchange(ref field, created, null) ?? created;
        if (wait != created)
        {
            // Lost a race with another first wait: never armed, so only its slot goes.
            created.Discard();
        }
        else if (Volatile.Read(ref _disposed) != 0)
        {
            // Disposed while it was being created: Dispose may not have seen it.
            created.Close();
        }

        return wait;
    }

    private async ValueTask<int> WaitReadableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await WaitReadableRawAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveSlowAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            if (_readEngine is null)
            {
                return await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }

            while (true)
            {
                await WaitReadableRawAsync(cancellationToken).ConfigureAwait(false);
                int read = TryRead(buffer.Span);
                if (read >= 0)
                {
                    return read;
                }
            }
        }
        catch (SocketException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    /// <summary>
    /// Sends what the kernel did not take at once: waits until the socket is writable (through
    /// the write engine, or the socket's own send where there is none, or while another write
    /// waits), then sends without blocking again.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendSlowAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            while (!buffer.IsEmpty)
            {
                if (_writeEngine is null || !Wait(ref _writable, _writeEngine).TryWait(cancellationToken, out ValueTask<int> writable))
                {
                    int sent = await _socket.SendAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                    buffer = buffer[sent..];
                    continue;
                }

                await writable.ConfigureAwait(false);
                while (!buffer.IsEmpty)
                {
                    int sent = _socket.Send(buffer.Span, SocketFlags.None, out SocketError error);
                    if (error == SocketError.WouldBlock)
                    {
                        break;
                    }

                    if (error != SocketError.Success)
                    {
                        throw Failure(error);
                    }

                    buffer = buffer[sent..];
                }
            }
        }
        catch (SocketException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    private static IOException Failure(SocketError error)
    {
        var inner = new SocketException((int)error);
        return new IOException($"Unable to transfer data on the transport connection: {inner.Message}.", inner);
    }
}
