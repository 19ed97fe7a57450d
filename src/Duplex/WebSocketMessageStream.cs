using System.Buffers;

namespace Duplex;

/// <summary>
/// One received message read as a stream, piece by piece as its frames arrive, for messages too
/// large to hold whole. Read it to its end (a read returning 0) before the next receive.
/// </summary>
public sealed class WebSocketMessageStream : Stream
{
    private readonly WebSocketConnection _connection;
    private byte[]? _first;
    private int _firstOffset;
    private int _firstCount;
    private bool _ended;

    internal WebSocketMessageStream(WebSocketConnection connection, MessageType type, byte[] first, int firstCount, bool ended)
    {
        _connection = connection;
        MessageType = type;
        _first = first;
        _firstCount = firstCount;
        _ended = ended;
    }

    /// <summary>Text or binary.</summary>
    public MessageType MessageType { get; }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_first is not null)
        {
            int take = Math.Min(buffer.Length, _firstCount - _firstOffset);
            _first.AsSpan(_firstOffset, take).CopyTo(buffer.Span);
            _firstOffset += take;
            if (_firstOffset == _firstCount)
            {
                ArrayPool<byte>.Shared.Return(_first);
                _first = null;
            }

            return take;
        }

        if (_ended || buffer.IsEmpty)
        {
            return 0;
        }

        ReceiveResult result = await _connection.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (result.Type == MessageType.Close)
        {
            throw new IOException("The connection closed in the middle of a message.");
        }

        _ended = result.EndOfMessage;
        return result.Count;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _first is not null)
        {
            ArrayPool<byte>.Shared.Return(_first);
            _first = null;
        }

        base.Dispose(disposing);
    }
}
