using System.Buffers;
using Duplex.Protocol.Extensions.ZLib;

namespace Duplex.Protocol.Extensions;

/// <summary>
/// Decompresses the messages one endpoint receives with permessage-deflate (RFC 7692 §7.2.2),
/// a piece at a time into output the caller provides: it never allocates in proportion to the
/// output, so the caller's message-size limit stops a decompression bomb before its memory is
/// spent. Feed a message's payload with <see cref="Inflate"/>, then end it with
/// <see cref="Finish"/>, which appends the <c>00 00 ff ff</c> the sender removed. Not thread-safe.
/// </summary>
public sealed unsafe class MessageInflater : IDisposable
{
    private ZLibStreamHandle? _stream;
    private int _trailerFed;
    private bool _inMessage;
    private bool _streamEnded;
    private bool _disposed;

    /// <summary>Creates a decompressor; the native zlib state is allocated on first use.</summary>
    /// <param name="windowBits">The peer's negotiated LZ77 window as a power of two, 8 to 15.</param>
    /// <param name="noContextTakeover">Whether the peer resets its compressor after each message (§7.1.1); if so, so does this.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="windowBits"/> is outside 8 to 15.</exception>
    /// <exception cref="PlatformNotSupportedException">zlib is unavailable.</exception>
    public MessageInflater(int windowBits, bool noContextTakeover)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowBits, PerMessageDeflate.MinWindowBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(windowBits, PerMessageDeflate.MaxWindowBits);
        PerMessageDeflate.ThrowIfUnavailable();
        WindowBits = windowBits;
        NoContextTakeover = noContextTakeover;
    }

    /// <summary>The LZ77 window as a power of two.</summary>
    public int WindowBits { get; }

    /// <summary>Whether the history is forgotten after each message.</summary>
    public bool NoContextTakeover { get; }

    /// <summary>Why the compressed data was rejected, after a call returned <see cref="OperationStatus.InvalidData"/>.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary>The bytes of native memory zlib holds for this decompressor now (the window appears with the first output).</summary>
    public long NativeMemoryBytes => _stream?.AllocatedBytes ?? 0;

    /// <summary>
    /// Decompresses the next bytes of a message's payload into <paramref name="output"/>.
    /// </summary>
    /// <param name="input">The next compressed bytes.</param>
    /// <param name="output">Where decompressed bytes go; nothing outside it is written.</param>
    /// <param name="consumed">How many bytes of <paramref name="input"/> were used.</param>
    /// <param name="written">How many bytes of <paramref name="output"/> were filled.</param>
    /// <returns>
    /// <see cref="OperationStatus.Done"/> when all input is used and no output is pending;
    /// <see cref="OperationStatus.DestinationTooSmall"/> when the output is full, with input
    /// left or output possibly pending: call again with the rest of the input and more room;
    /// <see cref="OperationStatus.InvalidData"/> when the data is not valid deflate (see
    /// <see cref="ErrorMessage"/>); the decompressor is then unusable.
    /// </returns>
    public OperationStatus Inflate(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_trailerFed > 0)
        {
            throw new InvalidOperationException("Finish has begun ending this message; call Finish until it returns Done.");
        }

        _inMessage = true;
        return Run(input, output, out consumed, out written);
    }

    /// <summary>
    /// Ends the message: feeds the <c>00 00 ff ff</c> the sender removed (RFC 7692 §7.2.2) and
    /// writes what remains. Call again with more room while it returns
    /// <see cref="OperationStatus.DestinationTooSmall"/>. On <see cref="OperationStatus.Done"/> the
    /// next message may begin; with no context takeover the history is forgotten.
    /// </summary>
    /// <param name="output">Where decompressed bytes go.</param>
    /// <param name="written">How many bytes of <paramref name="output"/> were filled.</param>
    /// <returns>Done, DestinationTooSmall or InvalidData, as for <see cref="Inflate"/>.</returns>
    public OperationStatus Finish(Span<byte> output, out int written)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (ErrorMessage is not null)
        {
            written = 0;
            return OperationStatus.InvalidData;
        }

        if (_streamEnded && _trailerFed == 0)
        {
            // The payload ended with a BFINAL block and nothing after it (a sender that used
            // Z_FINISH); the deflate stream is complete and the trailer has nothing to finish.
            written = 0;
        }
        else
        {
            OperationStatus status = Run(PerMessageDeflate.Trailer[_trailerFed..], output, out int consumed, out written);
            _trailerFed += consumed;
            if (status != OperationStatus.Done)
            {
                return status;
            }
        }

        _trailerFed = 0;
        _inMessage = false;
        if (NoContextTakeover && _stream is not null)
        {
            ResetStream();
        }

        return OperationStatus.Done;
    }

    /// <summary>
    /// Frees the native zlib state between messages when the peer does not take over context
    /// (the next message allocates it again). With context takeover the history must be kept.
    /// </summary>
    /// <returns>True when nothing is held now; false when the state must be kept.</returns>
    public bool ReleaseIdle()
    {
        if (_inMessage || (!NoContextTakeover && _stream is not null))
        {
            return false;
        }

        _stream?.Dispose();
        _stream = null;
        _streamEnded = false;
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        _stream?.Dispose();
        _stream = null;
    }

    private OperationStatus Run(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        consumed = 0;
        written = 0;
        if (ErrorMessage is not null)
        {
            return OperationStatus.InvalidData;
        }

        _stream ??= ZLibStreamHandle.CreateInflate(WindowBits);
        ZLibNative.ZStream* z = _stream.Stream;

        // zlib.h: inflate refuses a null next_out even with avail_out 0.
        byte placeholder = 0;
        OperationStatus status;
        fixed (byte* inputPointer = input)
        fixed (byte* outputPointer = output)
        {
            z->NextIn = inputPointer;
            z->AvailIn = (uint)input.Length;
            z->NextOut = output.IsEmpty ? &placeholder : outputPointer;
            z->AvailOut = (uint)output.Length;
            status = OperationStatus.Done;
            while (true)
            {
                if (_streamEnded)
                {
                    if (z->AvailIn == 0 || z->AvailOut == 0)
                    {
                        break;
                    }

                    // RFC 7692 §7.2.3.4: a block with BFINAL set may be followed by more blocks
                    // (at least the empty one the trailer completes): they are a new deflate stream.
                    RestartAfterFinalBlock();
                }

                int code = ZLibNative.Inflate(z, ZLibNative.SyncFlush);
                if (code == ZLibNative.StreamEnd)
                {
                    _streamEnded = true;
                    continue;
                }

                if (code is ZLibNative.Ok or ZLibNative.BufError)
                {
                    break;
                }

                ErrorMessage = $"Invalid compressed data: {ZLibNative.ErrorText(z, code)} (RFC 7692 §7.2.2).";
                status = OperationStatus.InvalidData;
                break;
            }

            consumed = input.Length - (int)z->AvailIn;
            written = output.Length - (int)z->AvailOut;
            z->NextIn = null;
            z->NextOut = null;
            z->AvailIn = 0;
            z->AvailOut = 0;
        }

        if (status == OperationStatus.Done && (consumed < input.Length || written == output.Length))
        {
            // Output full: input is left, or zlib may hold more output for the next call.
            status = OperationStatus.DestinationTooSmall;
        }

        return status;
    }

    private void RestartAfterFinalBlock()
    {
        ZLibNative.ZStream* z = _stream!.Stream;
        _streamEnded = false;
        if (!ZLibNative.CanKeepDictionary)
        {
            _ = ZLibNative.InflateReset(z);
            return;
        }

        // Later blocks may refer back to earlier output, so the window survives the reset.
        byte[] window = ArrayPool<byte>.Shared.Rent(1 << WindowBits);
        try
        {
            fixed (byte* windowPointer = window)
            {
                uint length = 0;
                _ = ZLibNative.InflateGetDictionary(z, windowPointer, &length);
                _ = ZLibNative.InflateReset(z);
                _ = ZLibNative.InflateSetDictionary(z, windowPointer, length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }

    private void ResetStream()
    {
        _ = ZLibNative.InflateReset(_stream!.Stream);
        _streamEnded = false;
    }
}
