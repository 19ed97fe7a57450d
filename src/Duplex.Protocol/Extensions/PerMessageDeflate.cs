using Duplex.Protocol.Extensions.ZLib;

namespace Duplex.Protocol.Extensions;

/// <summary>The permessage-deflate extension (RFC 7692) as a whole: its name and whether this system can speak it.</summary>
public static class PerMessageDeflate
{
    /// <summary>The extension token of RFC 7692 §7.</summary>
    public const string ExtensionName = "permessage-deflate";

    /// <summary>
    /// Whether a system zlib was found (libz.so.1 on Linux, libz.dylib on macOS, zlib1.dll on
    /// Windows). When false, permessage-deflate is never offered or accepted: the window-size
    /// parameters of RFC 7692 §7.1.2 cannot be honoured without it.
    /// </summary>
    public static bool IsAvailable => ZLibNative.IsAvailable;

    /// <summary>The version of the zlib in use, or null when none was found.</summary>
    public static string? ZLibVersion => ZLibNative.Version;

    /// <summary>
    /// RFC 7692 §7.1.2: the smallest LZ77 window a peer may negotiate, 2^8 bytes. Duplex both
    /// compresses and inflates with every window from this to <see cref="MaxWindowBits"/>; a
    /// compressor held to 8 sends literals only (see <see cref="MessageDeflater"/>).
    /// </summary>
    public const int MinWindowBits = 8;

    /// <summary>RFC 7692 §7.1.2: the largest LZ77 window, 2^15 bytes, and the value when none is negotiated.</summary>
    public const int MaxWindowBits = 15;

    /// <summary>The trailer a sender removes and a receiver appends (RFC 7692 §7.2.1, §7.2.2).</summary>
    internal static ReadOnlySpan<byte> Trailer => [0x00, 0x00, 0xFF, 0xFF];

    /// <summary>Throws when zlib is missing.</summary>
    internal static void ThrowIfUnavailable()
    {
        if (!IsAvailable)
        {
            throw new PlatformNotSupportedException("permessage-deflate needs the system zlib (libz.so.1, libz.dylib or zlib1.dll), which was not found.");
        }
    }
}
