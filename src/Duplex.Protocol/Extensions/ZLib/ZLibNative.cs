using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Duplex.Protocol.Extensions.ZLib;

/// <summary>
/// The system zlib, bound by hand. System.IO.Compression cannot set the deflate window size,
/// and RFC 7692 §7.1.2 negotiates it, so permessage-deflate talks to zlib's own
/// <c>deflateInit2_</c>/<c>inflateInit2_</c>. The library is loaded with
/// <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/> and its exports are called through
/// unmanaged function pointers: no process-wide DllImport resolver is installed, and when no
/// zlib is found <see cref="IsAvailable"/> is false instead of a call failing later.
/// </summary>
internal static unsafe class ZLibNative
{
    /// <summary>Z_OK.</summary>
    internal const int Ok = 0;

    /// <summary>Z_STREAM_END: inflate reached the end of a block with BFINAL set.</summary>
    internal const int StreamEnd = 1;

    /// <summary>Z_BUF_ERROR: no progress was possible; not fatal.</summary>
    internal const int BufError = -5;

    /// <summary>Z_MEM_ERROR.</summary>
    internal const int MemError = -4;

    /// <summary>Z_NO_FLUSH.</summary>
    internal const int NoFlush = 0;

    /// <summary>Z_SYNC_FLUSH: flush to a byte boundary with an empty stored block (RFC 7692 §7.2.1).</summary>
    internal const int SyncFlush = 2;

    /// <summary>Z_DEFAULT_STRATEGY: LZ77 string matching plus Huffman coding.</summary>
    internal const int DefaultStrategy = 0;

    /// <summary>
    /// Z_HUFFMAN_ONLY: Huffman coding of literals only, no string matching (zlib.h, deflateInit2),
    /// so the output holds no back-reference at all.
    /// </summary>
    internal const int HuffmanOnly = 2;

    /// <summary>The smallest windowBits zlib's raw deflate accepts (zlib.h, deflateInit2: 8 is refused for raw deflate).</summary>
    internal const int MinDeflateWindowBits = 9;

    private const int Deflated = 8;

    // Each allocation zlib asks for carries its size in front, so zfree can subtract it from the
    // per-stream count; 16 bytes keeps the returned pointer 16-byte aligned like malloc's.
    private const int AllocationHeader = 16;

    private static readonly string[] s_libraryNames = OperatingSystem.IsWindows()
        ? ["zlib1.dll", "zlib.dll"]
        : OperatingSystem.IsMacOS() || OperatingSystem.IsIOS()
            ? ["libz.dylib", "/usr/lib/libz.dylib", "libz.1.dylib"]
            : ["libz.so.1", "libz.so"];

    private static readonly delegate* unmanaged[Cdecl]<byte*> s_zlibVersion;
    private static readonly delegate* unmanaged[Cdecl]<ZStream*, int, int, int, int, int, byte*, int, int> s_deflateInit2;
    private static readonly delegate* unmanaged[Cdecl]<ZStream*, int, int> s_deflate;
    private static readonly delegate* unmanaged[Cdecl]<ZStream*, int> s_deflateReset;
    private static readonly delegate* unmanaged[Cdecl]<ZStream*, int> s_deflateEnd;
    private static readonly delegate* unmanaged[Cdecl]<ZStream*, int, byte*, int, int> s_inflateInit2;
    private static readonly delegate* unmanaged[Cdecl]<ZStream*, int, int> s_inflate;
    private static readonly delegate* unmanaged[Cdecl]<ZStream*, int> s_inflateReset;
    private static readonly delegate* unmanaged[Cdecl]<ZStream*, int> s_inflateEnd;
    private static readonly delegate* unmanaged[Cdecl]<ZStream*, byte*, uint*, int> s_inflateGetDictionary;
    private static readonly delegate* unmanaged[Cdecl]<ZStream*, byte*, uint, int> s_inflateSetDictionary;

    static ZLibNative()
    {
        foreach (string name in s_libraryNames)
        {
            if (!NativeLibrary.TryLoad(name, out IntPtr library))
            {
                continue;
            }

            if (TryGet(library, "zlibVersion", out IntPtr zlibVersion)
                && TryGet(library, "deflateInit2_", out IntPtr deflateInit2)
                && TryGet(library, "deflate", out IntPtr deflate)
                && TryGet(library, "deflateReset", out IntPtr deflateReset)
                && TryGet(library, "deflateEnd", out IntPtr deflateEnd)
                && TryGet(library, "inflateInit2_", out IntPtr inflateInit2)
                && TryGet(library, "inflate", out IntPtr inflate)
                && TryGet(library, "inflateReset", out IntPtr inflateReset)
                && TryGet(library, "inflateEnd", out IntPtr inflateEnd))
            {
                byte* version = ((delegate* unmanaged[Cdecl]<byte*>)zlibVersion)();

                // zlib.h: deflateInit2_ checks only the first character of the version against
                // the library's; every 1.x keeps the z_stream layout this file declares.
                if (version is null || version[0] != (byte)'1')
                {
                    NativeLibrary.Free(library);
                    continue;
                }

                s_zlibVersion = (delegate* unmanaged[Cdecl]<byte*>)zlibVersion;
                s_deflateInit2 = (delegate* unmanaged[Cdecl]<ZStream*, int, int, int, int, int, byte*, int, int>)deflateInit2;
                s_deflate = (delegate* unmanaged[Cdecl]<ZStream*, int, int>)deflate;
                s_deflateReset = (delegate* unmanaged[Cdecl]<ZStream*, int>)deflateReset;
                s_deflateEnd = (delegate* unmanaged[Cdecl]<ZStream*, int>)deflateEnd;
                s_inflateInit2 = (delegate* unmanaged[Cdecl]<ZStream*, int, byte*, int, int>)inflateInit2;
                s_inflate = (delegate* unmanaged[Cdecl]<ZStream*, int, int>)inflate;
                s_inflateReset = (delegate* unmanaged[Cdecl]<ZStream*, int>)inflateReset;
                s_inflateEnd = (delegate* unmanaged[Cdecl]<ZStream*, int>)inflateEnd;

                // zlib 1.2.7.1+: used only to keep the window across a BFINAL block (RFC 7692 §7.2.3.4).
                if (TryGet(library, "inflateGetDictionary", out IntPtr getDictionary)
                    && TryGet(library, "inflateSetDictionary", out IntPtr setDictionary))
                {
                    s_inflateGetDictionary = (delegate* unmanaged[Cdecl]<ZStream*, byte*, uint*, int>)getDictionary;
                    s_inflateSetDictionary = (delegate* unmanaged[Cdecl]<ZStream*, byte*, uint, int>)setDictionary;
                }

                IsAvailable = true;
                Version = Marshal.PtrToStringUTF8((IntPtr)version);
                return;
            }

            NativeLibrary.Free(library);
        }
    }

    /// <summary>Whether a usable zlib was found on this system.</summary>
    internal static bool IsAvailable { get; }

    /// <summary>The version string of the loaded zlib, or null.</summary>
    internal static string? Version { get; }

    /// <summary>Whether the window can be carried across a BFINAL block.</summary>
    internal static bool CanKeepDictionary => s_inflateGetDictionary is not null && s_inflateSetDictionary is not null;

    /// <summary>deflateInit2_ for raw deflate (negative windowBits: no zlib header or trailer, RFC 7692 §7.2.1).</summary>
    /// <param name="stream">The stream to initialize.</param>
    /// <param name="level">The compression level, 1 to 9.</param>
    /// <param name="windowBits">The window, 9 to 15 (<see cref="MinDeflateWindowBits"/>).</param>
    /// <param name="memLevel">The memLevel, 1 to 9.</param>
    /// <param name="strategy"><see cref="DefaultStrategy"/> or <see cref="HuffmanOnly"/>.</param>
    internal static int DeflateInit2(ZStream* stream, int level, int windowBits, int memLevel, int strategy) =>
        s_deflateInit2(stream, level, Deflated, -windowBits, memLevel, strategy, s_zlibVersion(), sizeof(ZStream));

    /// <summary>deflate.</summary>
    internal static int Deflate(ZStream* stream, int flush) => s_deflate(stream, flush);

    /// <summary>deflateReset: forget the history, keep the allocations.</summary>
    internal static int DeflateReset(ZStream* stream) => s_deflateReset(stream);

    /// <summary>deflateEnd.</summary>
    internal static int DeflateEnd(ZStream* stream) => s_deflateEnd(stream);

    /// <summary>inflateInit2_ for raw inflate.</summary>
    internal static int InflateInit2(ZStream* stream, int windowBits) =>
        s_inflateInit2(stream, -windowBits, s_zlibVersion(), sizeof(ZStream));

    /// <summary>inflate.</summary>
    internal static int Inflate(ZStream* stream, int flush) => s_inflate(stream, flush);

    /// <summary>inflateReset: forget the history, keep the allocations.</summary>
    internal static int InflateReset(ZStream* stream) => s_inflateReset(stream);

    /// <summary>inflateEnd.</summary>
    internal static int InflateEnd(ZStream* stream) => s_inflateEnd(stream);

    /// <summary>inflateGetDictionary: copies the sliding window out.</summary>
    internal static int InflateGetDictionary(ZStream* stream, byte* dictionary, uint* length) => s_inflateGetDictionary(stream, dictionary, length);

    /// <summary>inflateSetDictionary: on raw inflate, presets the sliding window.</summary>
    internal static int InflateSetDictionary(ZStream* stream, byte* dictionary, uint length) => s_inflateSetDictionary(stream, dictionary, length);

    /// <summary>Allocates a zeroed <see cref="NativeState"/> whose allocator counts zlib's memory.</summary>
    internal static NativeState* AllocateState()
    {
        var state = (NativeState*)NativeMemory.AllocZeroed((nuint)sizeof(NativeState));
        state->Stream.ZAlloc = (delegate* unmanaged[Cdecl]<void*, uint, uint, void*>)&Allocate;
        state->Stream.ZFree = (delegate* unmanaged[Cdecl]<void*, void*, void>)&Free;
        state->Stream.Opaque = &state->AllocatedBytes;
        return state;
    }

    /// <summary>The message zlib left in the stream, or a generic one.</summary>
    internal static string ErrorText(ZStream* stream, int code) =>
        stream->Msg is not null ? Marshal.PtrToStringUTF8((IntPtr)stream->Msg) ?? $"zlib error {code}" : $"zlib error {code}";

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* Allocate(void* opaque, uint items, uint size)
    {
        ulong bytes = (ulong)items * size;
        try
        {
            byte* block = (byte*)NativeMemory.Alloc((nuint)(bytes + AllocationHeader));
            *(ulong*)block = bytes;
            *(long*)opaque += (long)bytes;
            return block + AllocationHeader;
        }
        catch (OutOfMemoryException)
        {
            // zlib reports Z_MEM_ERROR; an exception must not cross into native code.
            return null;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Free(void* opaque, void* address)
    {
        if (address is null)
        {
            return;
        }

        byte* block = (byte*)address - AllocationHeader;
        *(long*)opaque -= (long)*(ulong*)block;
        NativeMemory.Free(block);
    }

    private static bool TryGet(IntPtr library, string name, out IntPtr address) =>
        NativeLibrary.TryGetExport(library, name, out address);

    /// <summary>
    /// zlib's z_stream. C <c>unsigned long</c> is 32 bits on Windows and 64 on LP64 Unix, hence
    /// <see cref="CULong"/>.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ZStream
    {
        /// <summary>next_in.</summary>
        public byte* NextIn;

        /// <summary>avail_in.</summary>
        public uint AvailIn;

        /// <summary>total_in.</summary>
        public CULong TotalIn;

        /// <summary>next_out.</summary>
        public byte* NextOut;

        /// <summary>avail_out.</summary>
        public uint AvailOut;

        /// <summary>total_out.</summary>
        public CULong TotalOut;

        /// <summary>msg.</summary>
        public byte* Msg;

        /// <summary>state (internal to zlib).</summary>
        public void* State;

        /// <summary>zalloc.</summary>
        public delegate* unmanaged[Cdecl]<void*, uint, uint, void*> ZAlloc;

        /// <summary>zfree.</summary>
        public delegate* unmanaged[Cdecl]<void*, void*, void> ZFree;

        /// <summary>opaque, passed to zalloc and zfree.</summary>
        public void* Opaque;

        /// <summary>data_type.</summary>
        public int DataType;

        /// <summary>adler.</summary>
        public CULong Adler;

        /// <summary>reserved.</summary>
        public CULong Reserved;
    }

    /// <summary>
    /// A z_stream and the count of bytes zlib has allocated for it. It lives in native memory
    /// because zlib keeps a pointer back to the z_stream in its internal state.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeState
    {
        /// <summary>The stream; first, so a pointer to the state is a pointer to the stream.</summary>
        public ZStream Stream;

        /// <summary>Bytes zlib currently holds for this stream (the opaque of its allocator).</summary>
        public long AllocatedBytes;
    }
}
