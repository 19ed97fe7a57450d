namespace Duplex.AspNetCore;

/// <summary>
/// The stream of an upgraded HTTP/1.1 request as the WebSocket engine sees it: Kestrel's, with a
/// local end of input. After the closing handshake the server gives up the connection first (RFC
/// 6455 §7.1.1); the engine then reads to the peer's end, which Kestrel only reports once the
/// client closes. <see cref="EndInput"/> ends those reads at once, so the request completes and
/// Kestrel closes the connection, with everything written before still sent. The engine calls it
/// when its receiving has ended (the close frame came or the connection failed), so no read is
/// pending then, and the reads before it pass straight through. Released without that end (the
/// peer never answered the close, the connection was dropped), the stream aborts its request:
/// Kestrel does not end a pending read when its stream is disposed, and a read left waiting on a
/// silent client would keep the request, and the app's stop, waiting with it.
/// </summary>
internal sealed class UpgradedStream(Stream inner, Action abort) : Stream
{
    private volatile bool _inputEnded;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void EndInput() => _inputEnded = true;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inputEnded ? ValueTask.FromResult(0) : inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            AbortUnlessEnded();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        AbortUnlessEnded();
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void AbortUnlessEnded()
    {
        if (!_inputEnded)
        {
            _inputEnded = true;
            abort();
        }
    }
}
