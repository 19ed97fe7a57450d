using System.Buffers;
using Duplex.Protocol.Http;

namespace Duplex.Cli.Relay;

/// <summary>
/// Reads HTTP/1.1 message heads out of a byte stream that arrives in pieces of any size, without
/// I/O: the bytes of a head not yet whole are kept until the rest comes. A head that arrives whole
/// in one piece is parsed where it lies.
/// </summary>
internal sealed class HttpHeadBuffer
{
    private readonly ArrayBufferWriter<byte> _pending = new();

    private delegate OperationStatus Parse<THead>(ReadOnlySpan<byte> buffer, HttpLimits limits, out THead? head, out int consumed, out HttpParseError error);

    /// <summary>Whether part of a head is being kept.</summary>
    public bool IsEmpty => _pending.WrittenCount == 0;

    /// <summary>Takes bytes toward a request head; <paramref name="used"/> is how many of them belong to it (all of them while it is not whole).</summary>
    public OperationStatus TakeRequest(ReadOnlySpan<byte> bytes, out HttpRequestHead? head, out int used) =>
        Take(bytes, HttpHeadParser.TryParseRequest, out head, out used);

    /// <summary>Takes bytes toward a response head; <paramref name="used"/> is how many of them belong to it (all of them while it is not whole).</summary>
    public OperationStatus TakeResponse(ReadOnlySpan<byte> bytes, out HttpResponseHead? head, out int used) =>
        Take(bytes, HttpHeadParser.TryParseResponse, out head, out used);

    /// <summary>Forgets the part of a head kept.</summary>
    public void Clear() => _pending.Clear();

    private OperationStatus Take<THead>(ReadOnlySpan<byte> bytes, Parse<THead> parse, out THead? head, out int used)
        where THead : class
    {
        int before = _pending.WrittenCount;
        ReadOnlySpan<byte> input = bytes;
        if (before > 0)
        {
            _pending.Write(bytes);
            input = _pending.WrittenSpan;
        }

        OperationStatus status = parse(input, HttpLimits.Default, out head, out int consumed, out _);
        switch (status)
        {
            case OperationStatus.NeedMoreData:
                if (before == 0)
                {
                    _pending.Write(bytes);
                }

                used = bytes.Length;
                break;
            case OperationStatus.Done when head is not null:
                used = consumed - before;
                _pending.Clear();
                break;
            default:
                used = 0;
                head = null;
                status = OperationStatus.InvalidData;
                _pending.Clear();
                break;
        }

        return status;
    }
}
