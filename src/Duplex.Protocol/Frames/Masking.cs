using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Duplex.Protocol.Frames;

/// <summary>
/// The masking of RFC 6455 §5.3: each payload octet <c>i</c> is XORed with octet <c>i mod 4</c> of
/// the 32-bit masking key. Masking and unmasking are the same operation.
/// </summary>
/// <remarks>
/// <para>
/// A masking key is passed as a <see cref="uint"/> holding the 4 key octets in the order they
/// appear on the wire, read as a little-endian number: key octet <c>j</c> is
/// <c>(byte)(maskKey &gt;&gt; (8 * j))</c>. Read it from a frame header with
/// <see cref="BinaryPrimitives.ReadUInt32LittleEndian(ReadOnlySpan{byte})"/>.
/// </para>
/// <para>
/// The <c>offset</c> parameters are the position within the frame payload of the first octet
/// passed, so a payload can be masked in chunks as it arrives: pass 0 for the first chunk and
/// <see cref="NextOffset"/> after each. Only <c>offset mod 4</c> matters.
/// </para>
/// </remarks>
public static class Masking
{
    // RFC 6455 §5.3: the masking key is 4 octets long and repeats along the payload.
    private const int KeyLength = 4;
    private const int KeyIndexMask = KeyLength - 1;
    private const int BitsPerByte = 8;

    /// <summary>Reads a masking key from its 4 octets as they appear in a frame header.</summary>
    /// <param name="keyOctets">The 4 masking-key octets of RFC 6455 §5.2.</param>
    /// <returns>The key in the form the other members of <see cref="Masking"/> take.</returns>
    public static uint ReadKey(ReadOnlySpan<byte> keyOctets) => BinaryPrimitives.ReadUInt32LittleEndian(keyOctets);

    /// <summary>Masks or unmasks <paramref name="data"/> in place.</summary>
    /// <param name="data">Payload octets.</param>
    /// <param name="maskKey">The key octets in wire order, read as a little-endian <see cref="uint"/>.</param>
    /// <param name="offset">The position of <c>data[0]</c> within the frame payload.</param>
    public static void Apply(Span<byte> data, uint maskKey, int offset) => Apply(data, data, maskKey, offset);

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>, masking or unmasking it.</summary>
    /// <param name="source">Payload octets.</param>
    /// <param name="destination">
    /// Where the result goes; at least as long as <paramref name="source"/>. It may be the very
    /// same memory as <paramref name="source"/>, or overlap it starting before it (to unmask
    /// while moving a payload towards the front of a buffer), but may not overlap it starting after it.
    /// </param>
    /// <param name="maskKey">The key octets in wire order, read as a little-endian <see cref="uint"/>.</param>
    /// <param name="offset">The position of <c>source[0]</c> within the frame payload.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="destination"/> is shorter than <paramref name="source"/>, or overlaps it starting after it.
    /// </exception>
    public static void Apply(ReadOnlySpan<byte> source, Span<byte> destination, uint maskKey, int offset)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("The destination is shorter than the source.", nameof(destination));
        }

        // Octets are read before they are written, front to back, so a destination that starts
        // at or before the source is safe (in-place, or compacting a buffer); one after it is not.
        if (source.Overlaps(destination, out int elementOffset) && elementOffset > 0)
        {
            throw new ArgumentException("The destination overlaps the source and starts after it.", nameof(destination));
        }

        // Rotate the key so that its lowest octet is the one for source[0].
        uint key = BitOperations.RotateRight(maskKey, (offset & KeyIndexMask) * BitsPerByte);

        // The same octets as they lie in memory, for whole-word and vector XORs.
        uint memoryKey = BitConverter.IsLittleEndian ? key : BinaryPrimitives.ReverseEndianness(key);

        ref byte from = ref MemoryMarshal.GetReference(source);
        ref byte to = ref MemoryMarshal.GetReference(destination);
        int length = source.Length;
        int i = 0;

        // Every step below advances by a multiple of 4, so the rotated key stays aligned with i.
        if (Vector256.IsHardwareAccelerated && length >= Vector256<byte>.Count)
        {
            Vector256<byte> keys = Vector256.Create(memoryKey).AsByte();
            int last = length - Vector256<byte>.Count;
            for (; i <= last; i += Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref from, (nuint)i) ^ keys).StoreUnsafe(ref to, (nuint)i);
            }
        }

        if (Vector128.IsHardwareAccelerated && length - i >= Vector128<byte>.Count)
        {
            Vector128<byte> keys = Vector128.Create(memoryKey).AsByte();
            int last = length - Vector128<byte>.Count;
            for (; i <= last; i += Vector128<byte>.Count)
            {
                (Vector128.LoadUnsafe(ref from, (nuint)i) ^ keys).StoreUnsafe(ref to, (nuint)i);
            }
        }

        ulong wideKey = ((ulong)memoryKey << (KeyLength * BitsPerByte)) | memoryKey;
        for (; i <= length - sizeof(ulong); i += sizeof(ulong))
        {
            ulong word = MemoryMarshal.Read<ulong>(source[i..]);
            MemoryMarshal.Write(destination[i..], word ^ wideKey);
        }

        if (i <= length - sizeof(uint))
        {
            uint word = MemoryMarshal.Read<uint>(source[i..]);
            MemoryMarshal.Write(destination[i..], word ^ memoryKey);
            i += sizeof(uint);
        }

        // At most 3 octets remain, starting on a key boundary.
        for (int k = 0; i < length; i++, k++)
        {
            destination[i] = (byte)(source[i] ^ (byte)(key >> (k * BitsPerByte)));
        }
    }

    /// <summary>The offset for the chunk that follows <paramref name="length"/> octets masked at <paramref name="offset"/>.</summary>
    /// <param name="offset">The offset the previous chunk was masked at.</param>
    /// <param name="length">The length of the previous chunk.</param>
    /// <returns>The offset to pass for the next chunk, in 0..3.</returns>
    public static int NextOffset(int offset, int length) => (offset + length) & KeyIndexMask;
}
