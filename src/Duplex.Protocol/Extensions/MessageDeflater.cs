using System.Buffers;
using Duplex.Protocol.Extensions.ZLib;

namespace Duplex.Protocol.Extensions;

/// <summary>
/// Compresses the messages one endpoint sends with permessage-deflate (RFC 7692 §7.2.1): raw
/// deflate, flushed to a byte boundary at the end of each message, with the trailing
/// <c>00 00 ff ff</c> of that flush removed. The zlib state is allocated on first use and, with
/// <see cref="ReleaseIdle"/>, can be freed between messages. Not thread-safe: one sender uses it.
/// </summary>
public sealed unsafe class MessageDeflater : IDisposable
{
    // Output is requested from the writer in pieces of this size range; the result does not
    // depend on it, only how many deflate calls a message takes.
    private const int MinOutputRequest = 64;
    private const int MaxOutputRequest = 16 * 1024;

    private ZLibStreamHandle? _stream;
    private bool _inMessage;
    private bool _inputSinceFlush;
    private bool _disposed;

    /// <summary>Creates a compressor; the native zlib state is allocated on first use.</summary>
    /// <param name="windowBits">
    /// The LZ77 window as a power of two, 8 to 15. With 8 the output holds literals only, no
    /// back-references (see <see cref="WindowBits"/>).
    /// </param>
    /// <param name="level">The compression level, 1 to 9.</param>
    /// <param name="memoryLevel">The zlib memLevel, 1 to 9.</param>
    /// <param name="noContextTakeover">Reset after every message, as the no_context_takeover parameter for this side requires (§7.1.1).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <exception cref="PlatformNotSupportedException">zlib is unavailable.</exception>
    public MessageDeflater(int windowBits, int level, int memoryLevel, bool noContextTakeover)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBits, PerMessageDeflate.MinWindowBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowBits, PerMessageDeflate.MaxWindowBits);
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(memoryLevel, 9);
        PerMessageDeflate.ThrowIfUnavailable();
        WindowBits = windowBits;
        Level = level;
        MemoryLevel = memoryLevel;
        NoContextTakeover = noContextTakeover;
    }

    /// <summary>
    /// The LZ77 window as a power of two: the largest distance the output refers back, as
    /// negotiated (RFC 7692 §7.1.2). For 8, zlib runs with a window of 9 and Huffman coding only,
    /// which never refers back at all.
    /// </summary>
    public int WindowBits { get; }

    /// <summary>The compression level.</summary>
    public int Level { get; }

    /// <summary>The zlib memLevel.</summary>
    public int MemoryLevel { get; }

    /// <summary>Whether the compressor forgets its history after each message.</summary>
    public bool NoContextTakeover { get; }

    /// <summary>The bytes of native memory zlib holds for this compressor now (0 before first use and after <see cref="ReleaseIdle"/>).</summary>
    public long NativeMemoryBytes => _stream?.AllocatedBytes ?? 0;

    /// <summary>
    /// Compresses a whole message and appends the frame payload to <paramref name="output"/>:
    /// the deflate data flushed to a byte boundary, without the trailing <c>00 00 ff ff</c>.
    /// An empty message becomes the single byte <c>00</c> (RFC 7692 §7.2.3.6).
    /// </summary>
    /// <param name="payload">The message.</param>
    /// <param name="output">Where the compressed payload is written.</param>
    /// <exception cref="InvalidOperationException">A message begun with <see cref="CompressChunk"/> is not finished.</exception>
    public void Compress(ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        if (_inMessage)
        {
            throw new InvalidOperationException("A message begun with CompressChunk is not finished; end it with endOfMessage: true first.");
        }

        CompressChunk(payload, output, endOfMessage: true);
    }

    /// <summary>
    /// Compresses one piece of a message sent in fragments. The output of every call is the
    /// payload of one frame (possibly empty while zlib gathers input); the call with
    /// <paramref name="endOfMessage"/> true flushes and leaves out the trailing <c>00 00 ff ff</c>.
    /// </summary>
    /// <param name="input">The next bytes of the message.</param>
    /// <param name="output">Where the compressed bytes are written.</param>
    /// <param name="endOfMessage">Whether this is the last piece of the message.</param>
    public void CompressChunk(ReadOnlySpan<byte> input, IBufferWriter<byte> output, bool endOfMessage)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(output);
        if (!endOfMessage)
        {
            _inMessage = true;
            if (!input.IsEmpty)
            {
                Deflate(input, output, ZLibNative.NoFlush);
                _inputSinceFlush = true;
            }

            return;
        }

        if (input.IsEmpty && !_inputSinceFlush)
        {
            // RFC 7692 §7.2.3.6: nothing to flush, so the payload is the header byte of an empty
            // stored block that the receiver's 00 00 ff ff completes. zlib itself would refuse a
            // second flush without new input (Z_BUF_ERROR) and emit nothing.
            output.GetSpan(1)[0] = 0x00;
            output.Advance(1);
        }
        else
        {
            Deflate(input, output, ZLibNative.SyncFlush);
        }

        _inputSinceFlush = false;
        _inMessage = false;
        if (NoContextTakeover && _stream is not null)
        {
            // §7.1.1: the next message must not refer to this one.
            Check(ZLibNative.DeflateReset(_stream.Stream), "deflateReset");
        }
    }

    /// <summary>
    /// Frees the native zlib state between messages; the next message allocates it again. With
    /// context takeover the next message then starts without history, which is always allowed
    /// (the sender is never obliged to refer back) but costs ratio.
    /// </summary>
    /// <returns>True when nothing is held now; false in the middle of a fragmented message.</returns>
    public bool ReleaseIdle()
    {
        if (_inMessage)
        {
            return false;
        }

        _stream?.Dispose();
        _stream = null;
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        _stream?.Dispose();
        _stream = null;
    }

    private void Deflate(ReadOnlySpan<byte> input, IBufferWriter<byte> output, int flush)
    {
        _stream ??= CreateStream();
        ZLibNative.ZStream* z = _stream.Stream;
        bool final = flush == ZLibNative.SyncFlush;

        // The last four bytes of a flush are the empty stored block's LEN/NLEN; they are held
        // back from the writer until it is known whether more output follows, then dropped.
        Span<byte> held = stackalloc byte[4];
        int heldCount = 0;
        int request = Math.Clamp(input.Length + MinOutputRequest, MinOutputRequest, MaxOutputRequest);

        fixed (byte* inputPointer = input)
        {
            z->NextIn = inputPointer;
            z->AvailIn = (uint)input.Length;
            while (true)
            {
                Span<byte> span = output.GetSpan(request);
                held[..heldCount].CopyTo(span);
                int room = span.Length - heldCount;
                int code;
                fixed (byte* outputPointer = span)
                {
                    z->NextOut = outputPointer + heldCount;
                    z->AvailOut = (uint)room;
                    code = ZLibNative.Deflate(z, flush);
                }

                if (code != ZLibNative.Ok && code != ZLibNative.BufError)
                {
                    Check(code, "deflate");
                }

                int total = heldCount + room - (int)z->AvailOut;
                heldCount = final ? Math.Min(total, held.Length) : 0;
                span.Slice(total - heldCount, heldCount).CopyTo(held);
                output.Advance(total - heldCount);

                // zlib.h: a flush is complete when deflate leaves output space unused.
                bool done = z->AvailIn == 0 && (!final || z->AvailOut != 0);
                if (done)
                {
                    break;
                }
            }

            z->NextIn = null;
            z->NextOut = null;
        }

        if (final && (heldCount != held.Length || !held.SequenceEqual(PerMessageDeflate.Trailer)))
        {
            throw new InvalidOperationException("zlib did not end the sync flush with 00 00 ff ff (RFC 7692 §7.2.1).");
        }
    }

    private ZLibStreamHandle CreateStream()
    {
        if (WindowBits >= ZLibNative.MinDeflateWindowBits)
        {
            return ZLibStreamHandle.CreateDeflate(WindowBits, Level, MemoryLevel, ZLibNative.DefaultStrategy);
        }

        // A window of 8. RFC 7692 §7.1.2 lets a peer ask for 8 (server_max_window_bits=8,
        // client_max_window_bits=8), and then it may inflate with a 256-byte window. zlib.h,
        // deflateInit2: "a windowBits value of 8 (a window size of 256 bytes) is not supported"
        // by deflate(), and "for raw deflate ... a request for a 256-byte window is rejected as
        // invalid". But the window only bounds how far a match may refer back: a stream without
        // matches is valid for every window. zlib.h: Z_HUFFMAN_ONLY "force[s] Huffman encoding
        // only (no string match)", so deflate emits literal codes only (still Huffman-coded,
        // which is what compresses text), and the window of 9 that zlib insists on never shows
        // in the output. Context takeover is moot: nothing refers back, within a message or
        // across messages. (Z_RLE, distance 1 only, would also fit and compress runs better.)
        return ZLibStreamHandle.CreateDeflate(ZLibNative.MinDeflateWindowBits, Level, MemoryLevel, ZLibNative.HuffmanOnly);
    }

    private void Check(int code, string function)
    {
        if (code != ZLibNative.Ok)
        {
            throw new InvalidOperationException($"zlib {function} failed: {ZLibNative.ErrorText(_stream!.Stream, code)}.");
        }
    }
}
