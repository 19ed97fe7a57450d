using System.Runtime.InteropServices;

namespace Duplex.Protocol.Extensions.ZLib;

/// <summary>
/// Owns one native zlib stream (deflate or inflate) and frees it exactly once, also when its
/// owner is never disposed.
/// </summary>
internal sealed unsafe class ZLibStreamHandle : SafeHandle
{
    private readonly bool _isDeflate;
    private bool _initialized;

    private ZLibStreamHandle(bool isDeflate)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _isDeflate = isDeflate;
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The z_stream; valid until the handle is disposed.</summary>
    public ZLibNative.ZStream* Stream => (ZLibNative.ZStream*)handle;

    /// <summary>Bytes zlib currently holds for this stream.</summary>
    public long AllocatedBytes => IsInvalid || IsClosed ? 0 : ((ZLibNative.NativeState*)handle)->AllocatedBytes;

    /// <summary>A raw-deflate compressor (RFC 7692 §7.2.1).</summary>
    /// <param name="windowBits">zlib's windowBits, 9 to 15.</param>
    /// <param name="level">The compression level.</param>
    /// <param name="memoryLevel">The memLevel.</param>
    /// <param name="strategy">The zlib strategy (<see cref="ZLibNative.DefaultStrategy"/> or <see cref="ZLibNative.HuffmanOnly"/>).</param>
    /// <exception cref="OutOfMemoryException">zlib could not allocate its state.</exception>
    public static ZLibStreamHandle CreateDeflate(int windowBits, int level, int memoryLevel, int strategy)
    {
        var result = new ZLibStreamHandle(isDeflate: true);
        result.SetHandle((IntPtr)ZLibNative.AllocateState());
        result.Initialize(ZLibNative.DeflateInit2(result.Stream, level, windowBits, memoryLevel, strategy), "deflateInit2");
        return result;
    }

    /// <summary>A raw-deflate decompressor (RFC 7692 §7.2.2).</summary>
    /// <exception cref="OutOfMemoryException">zlib could not allocate its state.</exception>
    public static ZLibStreamHandle CreateInflate(int windowBits)
    {
        var result = new ZLibStreamHandle(isDeflate: false);
        result.SetHandle((IntPtr)ZLibNative.AllocateState());
        result.Initialize(ZLibNative.InflateInit2(result.Stream, windowBits), "inflateInit2");
        return result;
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        var stream = (ZLibNative.ZStream*)handle;
        if (_initialized)
        {
            _ = _isDeflate ? ZLibNative.DeflateEnd(stream) : ZLibNative.InflateEnd(stream);
        }

        NativeMemory.Free(stream);
        return true;
    }

    private void Initialize(int code, string function)
    {
        if (code == ZLibNative.Ok)
        {
            _initialized = true;
            return;
        }

        Dispose();
        if (code == ZLibNative.MemError)
        {
            throw new OutOfMemoryException($"zlib {function} could not allocate its state.");
        }

        // The arguments are validated before this call, so this is a zlib that behaves unlike zlib.h says.
        throw new InvalidOperationException($"zlib {function} failed with code {code}.");
    }
}
