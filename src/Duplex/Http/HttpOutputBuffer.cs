using System.Buffers;
using System.Diagnostics;

namespace Duplex.Http;

/// <summary>
/// The bytes of one connection's responses waiting to be written, in an array rented from the
/// shared pool on the first write and returned by <see cref="Reset"/>, so that a connection with
/// nothing to send holds no buffer.
/// </summary>
internal sealed class HttpOutputBuffer : IBufferWriter<byte>
{
    private readonly int _initialSize;

    // Null while empty; only the connection's current writer touches it.
    private byte[]? _buffer;
    private int _count;

    public HttpOutputBuffer(int initialSize)
    {
        _initialSize = initialSize;
    }

    /// <summary>The bytes written since the last <see cref="Reset"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, _count);

    public int Length => _count;

    public bool IsEmpty => _count == 0;

    public void Advance(int count)
    {
        Debug.Assert(_buffer is not null && _count + count <= _buffer.Length, "Advance past what GetSpan gave.");
        _count += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_count);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_count);
    }

    /// <summary>Forgets what was written and returns the array to the pool.</summary>
    public void Reset()
    {
        byte[]? buffer = _buffer;
        _buffer = null;
        _count = 0;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_buffer))]
    private void Ensure(int sizeHint)
    {
        int wanted = Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(wanted, _initialSize));
            return;
        }

        if (_buffer.Length - _count >= wanted)
        {
            return;
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _count + wanted));
        _buffer.AsSpan(0, _count).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
