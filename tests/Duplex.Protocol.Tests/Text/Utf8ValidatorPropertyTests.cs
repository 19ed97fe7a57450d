using System.Buffers;
using System.Text;
using System.Text.Unicode;
using CsCheck;
using Duplex.Protocol.Text;

namespace Duplex.Protocol.Tests.Text;

/// <summary>
/// RFC 6455 §8.1: the verdict on a text message must not depend on how it is fragmented, and
/// failing fast must fail at the same byte whatever the fragmentation.
/// </summary>
public class Utf8ValidatorPropertyTests
{
    private const int NoFailure = -1;
    private const int Iterations = 1000;

    // Random bytes are almost always invalid early; mix in valid text, valid text with one byte
    // changed or cut short, and text behind long ASCII runs that reach the vectorized path.
    private static readonly Gen<byte[]> RandomBytes = Gen.Byte.Array[0, 300];

    private static readonly Gen<byte[]> ValidFromStrings = Gen.String[0, 120].Select(s => Encoding.UTF8.GetBytes(s));

    private static readonly Gen<byte[]> ValidFromCodePoints =
        Gen.Int[0, 0x10FFFF].Where(Rune.IsValid).Select(codePoint => new Rune(codePoint))
            .Array[0, 80]
            .Select(EncodeRunes);

    private static readonly Gen<byte[]> ValidWithAsciiRuns =
        Gen.Select(Gen.Int[0, 70], ValidFromCodePoints, Gen.Int[0, 70], ValidFromCodePoints)
            .Select((a, x, b, y) => (byte[])[.. Ascii(a), .. x, .. Ascii(b), .. y]);

    private static readonly Gen<byte[]> Valid = Gen.OneOf(ValidFromStrings, ValidFromCodePoints, ValidWithAsciiRuns);

    private static readonly Gen<byte[]> Corrupted =
        Gen.Select(Valid.Where(b => b.Length > 0), Gen.Int.Uniform, Gen.Byte)
            .Select((bytes, at, value) =>
            {
                byte[] copy = (byte[])bytes.Clone();
                copy[(int)((uint)at % (uint)copy.Length)] = value;
                return copy;
            });

    private static readonly Gen<byte[]> Truncated =
        Gen.Select(Valid.Where(b => b.Length > 0), Gen.Int.Uniform)
            .Select((bytes, at) => bytes[..(int)((uint)at % (uint)bytes.Length)]);

    private static readonly Gen<byte[]> AnyBytes = Gen.OneOf(RandomBytes, Valid, Corrupted, Truncated);

    [Fact]
    public void Byte_by_byte_fails_exactly_where_the_bytes_stop_being_a_valid_prefix()
    {
        AnyBytes.Sample(bytes =>
        {
            int failing = Utf8ValidatorTests.FirstFailingIndexByteByByte(bytes, out bool complete);
            Assert.Equal(ReferenceFirstFailingIndex(bytes), failing);
            Assert.Equal(Utf8.IsValid(bytes), failing == NoFailure && complete);
        }, iter: Iterations);
    }

    [Fact]
    public void Whole_message_in_one_frame_agrees_with_the_BCL()
    {
        AnyBytes.Sample(bytes =>
        {
            var validator = new Utf8Validator();
            bool appended = validator.Append(bytes);
            Assert.Equal(Utf8.IsValid(bytes), appended && validator.IsComplete);
            Assert.Equal(ReferenceFirstFailingIndex(bytes) == NoFailure, appended);
        }, iter: Iterations);
    }

    [Fact]
    public void Message_split_in_two_at_every_point_fails_in_the_frame_holding_the_first_bad_byte()
    {
        AnyBytes.Sample(bytes =>
        {
            int failing = ReferenceFirstFailingIndex(bytes);
            bool valid = Utf8.IsValid(bytes);
            for (int split = 0; split <= bytes.Length; split++)
            {
                int[] chunks = [split, bytes.Length - split];
                AssertChunkedVerdict(bytes, chunks, failing, valid);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Message_in_random_fragments_fails_in_the_frame_holding_the_first_bad_byte()
    {
        Gen.Select(AnyBytes, Gen.Int[0, 40].Array[1, 20]).Sample((bytes, sizes) =>
        {
            AssertChunkedVerdict(bytes, Chunks(bytes.Length, sizes), ReferenceFirstFailingIndex(bytes), Utf8.IsValid(bytes));
        }, iter: Iterations);
    }

    private static void AssertChunkedVerdict(byte[] bytes, int[] chunkLengths, int failingIndex, bool valid)
    {
        var validator = new Utf8Validator();
        int start = 0;
        foreach (int length in chunkLengths)
        {
            bool appended = validator.Append(bytes.AsSpan(start, length));
            bool holdsFailure = failingIndex != NoFailure && failingIndex < start + length;
            Assert.Equal(!holdsFailure, appended);
            if (!appended)
            {
                Assert.False(validator.IsComplete);
                return;
            }

            start += length;
        }

        Assert.Equal(bytes.Length, start);
        Assert.Equal(valid, validator.IsComplete);
    }

    // Cycles through the sizes until the message is used up; zero-length frames are allowed.
    private static int[] Chunks(int total, int[] sizes)
    {
        var chunks = new List<int>();
        int used = 0;
        for (int i = 0; used < total; i++)
        {
            int size = Math.Min(sizes[i % sizes.Length], total - used);
            if (size == 0 && sizes.All(s => s == 0))
            {
                size = total - used;
            }

            chunks.Add(size);
            used += size;
        }

        return [.. chunks];
    }

    /// <summary>
    /// An oracle independent of <see cref="Utf8Validator"/>: the BCL transcoder, told more data may
    /// follow, reports <see cref="OperationStatus.InvalidData"/> only for bytes that cannot be the
    /// start of valid UTF-8. The first failing index is the last byte of the shortest such prefix.
    /// </summary>
    private static int ReferenceFirstFailingIndex(byte[] bytes)
    {
        char[] scratch = new char[bytes.Length];
        for (int length = 1; length <= bytes.Length; length++)
        {
            OperationStatus status = Utf8.ToUtf16(
                bytes.AsSpan(0, length), scratch, out _, out _, replaceInvalidSequences: false, isFinalBlock: false);
            if (status == OperationStatus.InvalidData)
            {
                return length - 1;
            }
        }

        return NoFailure;
    }

    private static byte[] EncodeRunes(Rune[] runes)
    {
        var bytes = new List<byte>();
        Span<byte> buffer = stackalloc byte[4];
        foreach (Rune rune in runes)
        {
            int written = rune.EncodeToUtf8(buffer);
            bytes.AddRange(buffer[..written]);
        }

        return [.. bytes];
    }

    private static byte[] Ascii(int length)
    {
        byte[] bytes = new byte[length];
        bytes.AsSpan().Fill((byte)'x');
        return bytes;
    }
}
