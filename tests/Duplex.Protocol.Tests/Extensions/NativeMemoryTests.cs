using System.Buffers;
using System.Globalization;
using Duplex.Protocol.Extensions;
using Xunit.Abstractions;

namespace Duplex.Protocol.Tests.Extensions;

/// <summary>Runs alone, so the process's resident set size is not disturbed by other tests.</summary>
[CollectionDefinition(nameof(NativeMemoryCollection), DisableParallelization = true)]
public class NativeMemoryCollection;

/// <summary>
/// The native memory one compressed connection costs, counted exactly through zlib's allocator
/// (<see cref="MessageDeflater.NativeMemoryBytes"/>) and checked against the resident set size.
/// zlib.h documents deflate as 2^(windowBits+2) + 2^(memLevel+9) bytes plus a few KiB, and
/// inflate as 2^windowBits plus about 7 KiB.
/// </summary>
[Collection(nameof(NativeMemoryCollection))]
public class NativeMemoryTests(ITestOutputHelper output)
{
    private const int Instances = 200;

    [Theory]
    [InlineData(15, 8)]
    [InlineData(15, 9)]
    [InlineData(12, 8)]
    [InlineData(12, 5)]
    [InlineData(10, 4)]
    [InlineData(9, 1)]
    public void Deflater_native_memory_matches_zlibs_formula(int windowBits, int memoryLevel)
    {
        using var deflater = new MessageDeflater(windowBits, 6, memoryLevel, noContextTakeover: true);
        Assert.Equal(0, deflater.NativeMemoryBytes);
        Deflate.Compress(deflater, "x"u8);
        long expected = (1L << (windowBits + 2)) + (1L << (memoryLevel + 9));
        long actual = deflater.NativeMemoryBytes;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"deflate windowBits={windowBits} memLevel={memoryLevel}: {actual} bytes ({actual / 1024.0:F1} KiB)"));
        Assert.InRange(actual, expected, expected + (8 * 1024));
        Assert.True(deflater.ReleaseIdle());
        Assert.Equal(0, deflater.NativeMemoryBytes);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(12)]
    [InlineData(10)]
    [InlineData(8)]
    public void Inflater_native_memory_matches_zlibs_formula(int windowBits)
    {
        using var inflater = new MessageInflater(windowBits, noContextTakeover: true);
        using var deflater = new MessageDeflater(windowBits, 6, 8, noContextTakeover: true);
        byte[] message = new byte[100];
        byte[] payload = Deflate.Compress(deflater, message);
        using (var fresh = new MessageInflater(windowBits, noContextTakeover: true))
        {
            // zlib allocates the window with the first output, not in inflateInit2.
            Assert.Equal(OperationStatus.DestinationTooSmall, fresh.Inflate([], [], out _, out _));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"inflate windowBits={windowBits}: {fresh.NativeMemoryBytes} bytes before the first output"));
        }

        Assert.Equal(message, Deflate.Inflate(inflater, payload));
        long actual = inflater.NativeMemoryBytes;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"inflate windowBits={windowBits}: {actual} bytes ({actual / 1024.0:F1} KiB) with the window"));
        Assert.InRange(actual, 1L << windowBits, (1L << windowBits) + (8 * 1024));
        Assert.True(inflater.ReleaseIdle());
        Assert.Equal(0, inflater.NativeMemoryBytes);
    }

    [Fact]
    public void Inflater_with_context_takeover_keeps_its_state()
    {
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        Assert.True(inflater.ReleaseIdle());
        Deflate.Inflate(inflater, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
        Assert.False(inflater.ReleaseIdle());
        Assert.NotEqual(0, inflater.NativeMemoryBytes);
    }

    [Fact]
    public void Deflater_in_the_middle_of_a_fragmented_message_keeps_its_state()
    {
        using var deflater = new MessageDeflater(15, 6, 8, noContextTakeover: true);
        deflater.CompressChunk("Hel"u8, new ArrayBufferWriter<byte>(), endOfMessage: false);
        Assert.False(deflater.ReleaseIdle());
        Assert.Throws<InvalidOperationException>(() => deflater.Compress("x"u8, new ArrayBufferWriter<byte>()));
        deflater.CompressChunk("lo"u8, new ArrayBufferWriter<byte>(), endOfMessage: true);
        Assert.True(deflater.ReleaseIdle());
    }

    [Theory]
    [InlineData(15, 8)]
    [InlineData(12, 5)]
    [InlineData(9, 1)]
    public void Resident_memory_per_active_deflater_and_inflater_pair(int windowBits, int memoryLevel)
    {
        // Each pair compresses and inflates 64 KiB of poorly compressible data, touching every page zlib allocated.
        byte[] message = new byte[64 * 1024];
        new Random(windowBits).NextBytes(message);
        for (int i = 0; i < message.Length; i += 3)
        {
            message[i] = (byte)'a';
        }

        var pairs = new List<(MessageDeflater Deflater, MessageInflater Inflater)>();
        GC.Collect();
        long before = ResidentBytes();
        long counted = 0;
        for (int i = 0; i < Instances; i++)
        {
            var deflater = new MessageDeflater(windowBits, 6, memoryLevel, noContextTakeover: false);
            var inflater = new MessageInflater(windowBits, noContextTakeover: false);
            Deflate.Inflate(inflater, Deflate.Compress(deflater, message));
            counted += deflater.NativeMemoryBytes + inflater.NativeMemoryBytes;
            pairs.Add((deflater, inflater));
        }

        GC.Collect();
        long after = ResidentBytes();
        long perPairRss = (after - before) / Instances;
        long perPairCounted = counted / Instances;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"windowBits={windowBits} memLevel={memoryLevel}: counted {perPairCounted / 1024.0:F1} KiB per deflater+inflater, VmRSS delta {perPairRss / 1024.0:F1} KiB per pair over {Instances}"));

        long idleBefore = ResidentBytes();
        foreach (var (deflater, inflater) in pairs)
        {
            deflater.Dispose();
            inflater.Dispose();
        }

        Assert.True(perPairCounted > 0);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  after freeing all: VmRSS {(idleBefore - ResidentBytes()) / 1024.0 / Instances:F1} KiB per pair returned"));
    }

    private static long ResidentBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return Environment.WorkingSet;
        }

        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
