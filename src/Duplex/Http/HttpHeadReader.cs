using System.Buffers;
using Duplex.Protocol.Http;

namespace Duplex.Http;

/// <summary>The shape of <see cref="HttpHeadParser"/>'s request and response parsers.</summary>
internal delegate OperationStatus HeadParser<T>(ReadOnlySpan<byte> buffer, HttpLimits limits, out T? head, out int consumed, out HttpParseError error)
    where T : class;

/// <summary>What reading a message head from a stream gave.</summary>
internal readonly record struct HeadReadResult<T>(T? Head, HttpParseError Error, bool EndOfStream, ReadOnlyMemory<byte> Leftover)
    where T : class;

/// <summary>Reads one HTTP/1.1 message head from a stream into a pooled buffer, within the limits.</summary>
internal static class HttpHeadReader
{
    public static async ValueTask<HeadReadResult<T>> ReadAsync<T>(Stream stream, HttpLimits limits, HeadParser<T> parser, CancellationToken cancellationToken)
        where T : class
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(limits.MaxHeadSize + 1);
        try
        {
            int count = 0;
            while (true)
            {
                int read = await stream.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return new HeadReadResult<T>(null, HttpParseError.None, true, ReadOnlyMemory<byte>.Empty);
                }

                count += read;
                OperationStatus status = parser(buffer.AsSpan(0, count), limits, out T? head, out int consumed, out HttpParseError error);
                switch (status)
                {
                    case OperationStatus.Done:
                        ReadOnlyMemory<byte> leftover = count > consumed ? buffer.AsSpan(consumed, count - consumed).ToArray() : ReadOnlyMemory<byte>.Empty;
                        return new HeadReadResult<T>(head, HttpParseError.None, false, leftover);
                    case OperationStatus.NeedMoreData when count < buffer.Length:
                        continue;
                    case OperationStatus.NeedMoreData:
                        return new HeadReadResult<T>(null, HttpParseError.HeadTooLarge, false, ReadOnlyMemory<byte>.Empty);
                    default:
                        return new HeadReadResult<T>(null, error, false, ReadOnlyMemory<byte>.Empty);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes what <paramref name="write"/> produces to the stream in one write.</summary>
    public static ValueTask WriteAsync(Stream stream, Action<IBufferWriter<byte>> write, CancellationToken cancellationToken) =>
        WriteAsync(stream, write, static (writer, write) => write(writer), cancellationToken);

    /// <summary>
    /// Writes what <paramref name="write"/> produces from <paramref name="state"/> to the stream in
    /// one write, from a pooled buffer: a static writer with its state allocates nothing (every
    /// accepted connection writes a 101 this way).
    /// </summary>
    public static async ValueTask WriteAsync<TState>(Stream stream, TState state, Action<IBufferWriter<byte>, TState> write, CancellationToken cancellationToken)
    {
        using var writer = new PooledBufferWriter(512);
        write(writer, state);
        await stream.WriteAsync(writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }
}
