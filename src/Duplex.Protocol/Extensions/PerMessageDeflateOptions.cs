using Duplex.Protocol.Extensions;

namespace Duplex;

/// <summary>
/// What one side wants from permessage-deflate (RFC 7692) and how it compresses. A server passes
/// it to <see cref="PerMessageDeflateNegotiation.Accept"/>, a client to
/// <see cref="PerMessageDeflateNegotiation.BuildOffer"/> and
/// <see cref="PerMessageDeflateNegotiation.ValidateResponse"/>.
/// </summary>
public sealed class PerMessageDeflateOptions
{
    private readonly int _serverMaxWindowBits = PerMessageDeflate.MaxWindowBits;
    private readonly int _clientMaxWindowBits = PerMessageDeflate.MaxWindowBits;
    private readonly int _compressionLevel = 6;
    private readonly int _memoryLevel = 8;
    private readonly int _minimumMessageSize = 32;

    /// <summary>
    /// Whether the server resets its compressor after every message (§7.1.1.1). Default false:
    /// context takeover is what makes repetitive chat and JSON traffic shrink; true lets the
    /// server free its compressor between messages at some cost in ratio.
    /// </summary>
    public bool ServerNoContextTakeover { get; init; }

    /// <summary>
    /// Whether the client resets its compressor after every message (§7.1.1.2). Default false,
    /// for the same ratio reason; true lets the server free its decompressor between messages.
    /// </summary>
    public bool ClientNoContextTakeover { get; init; }

    /// <summary>
    /// The largest LZ77 window, as a power of two, that the server compresses with
    /// (§7.1.2.1), 8 to 15. Default 15: the RFC's default and the best ratio; each step down
    /// halves the window memory, down to 9. 8 is honoured by compressing without back-references
    /// (Huffman-coded literals only, see <see cref="MessageDeflater"/>): the memory of 9, and
    /// repetitive text shrinks to about 60% instead of a few percent.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 8 to 15.</exception>
    public int ServerMaxWindowBits
    {
        get => _serverMaxWindowBits;
        init => _serverMaxWindowBits = CheckWindowBits(value);
    }

    /// <summary>
    /// The largest LZ77 window, as a power of two, that the client compresses with
    /// (§7.1.2.2), 8 to 15. Default 15: the RFC's default and the best ratio. 8 is honoured by
    /// compressing without back-references (see <see cref="MessageDeflater"/>); some other
    /// zlib-based clients refuse a server's client_max_window_bits=8. A server can only lower
    /// it when the client offered client_max_window_bits.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 8 to 15.</exception>
    public int ClientMaxWindowBits
    {
        get => _clientMaxWindowBits;
        init => _clientMaxWindowBits = CheckWindowBits(value);
    }

    /// <summary>
    /// The zlib compression level, 1 (fastest) to 9 (smallest). Default 6: zlib's own default
    /// and what browsers, Node's ws and Python's websockets use; above 6 the CPU cost grows much
    /// faster than the ratio for message-sized inputs.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1 to 9.</exception>
    public int CompressionLevel
    {
        get => _compressionLevel;
        init => _compressionLevel = CheckRange(value, 1, 9);
    }

    /// <summary>
    /// The zlib memLevel, 1 to 9: the size of the compressor's hash table and buffers,
    /// 2^(memLevel+9) bytes. Default 8: zlib's default (128 KiB); lower trades ratio for memory
    /// per connection (5 gives 16 KiB).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1 to 9.</exception>
    public int MemoryLevel
    {
        get => _memoryLevel;
        init => _memoryLevel = CheckRange(value, 1, 9);
    }

    /// <summary>
    /// Messages shorter than this many bytes are sent uncompressed (RSV1 clear). Default 32:
    /// below that the deflate block header and the flush cost about as much as they save, while
    /// short JSON messages above it still shrink well with context takeover.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MinimumMessageSize
    {
        get => _minimumMessageSize;
        init => _minimumMessageSize = CheckRange(value, 0, int.MaxValue);
    }

    private static int CheckWindowBits(int value) => CheckRange(value, PerMessageDeflate.MinWindowBits, PerMessageDeflate.MaxWindowBits);

    private static int CheckRange(int value, int min, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, min);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, max);
        return value;
    }
}
