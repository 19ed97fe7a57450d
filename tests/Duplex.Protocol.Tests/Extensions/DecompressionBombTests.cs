using System.Buffers;
using System.Globalization;
using Duplex.Protocol.Extensions;
using Xunit.Abstractions;

namespace Duplex.Protocol.Tests.Extensions;

/// <summary>
/// A small compressed message that inflates to far more than the message-size limit must be
/// stopped at the limit, with memory bounded by the caller's output span (the bomb test).
/// </summary>
public class DecompressionBombTests(ITestOutputHelper output)
{
    private const int Budget = 1024 * 1024;
    private static readonly Lazy<byte[]> s_bomb = new(CompressHundredMiBOfZeros);

    private static byte[] CompressHundredMiBOfZeros()
    {
        using var deflater = new MessageDeflater(15, 9, 9, noContextTakeover: false);
        var compressed = new ArrayBufferWriter<byte>();
        byte[] zeros = new byte[1024 * 1024];
        for (int i = 0; i < 100; i++)
        {
            deflater.CompressChunk(zeros, compressed, endOfMessage: i == 99);
        }

        return compressed.WrittenSpan.ToArray();
    }

    [Fact]
    public void Hundred_MiB_of_zeros_compresses_to_a_few_hundred_KiB()
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"100 MiB of zeros compress to {s_bomb.Value.Length} bytes"));
        Assert.InRange(s_bomb.Value.Length, 50 * 1024, 500 * 1024);
    }

    [Fact]
    public void Bomb_inflated_with_a_1_MiB_budget_stops_at_the_budget_with_bounded_memory()
    {
        byte[] bomb = s_bomb.Value;
        using var inflater = new MessageInflater(15, noContextTakeover: false);

        // The receiver's output: 64 KiB spans inside guard bytes that must stay untouched.
        const int SpanSize = 64 * 1024;
        const int Guard = 64;
        byte[] buffer = new byte[SpanSize + (2 * Guard)];
        buffer.AsSpan().Fill(0xA5);

        // Warm up the JIT and zlib's lazy window so only the steady state is measured.
        inflater.Inflate(bomb.AsSpan(0, 16), buffer.AsSpan(Guard, 16), out int warmConsumed, out int warmWritten);

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long total = warmWritten;
        int at = warmConsumed;
        OperationStatus status = OperationStatus.DestinationTooSmall;
        while (total < Budget)
        {
            int room = (int)Math.Min(SpanSize, Budget - total);
            Span<byte> span = buffer.AsSpan(Guard, room);
            status = inflater.Inflate(bomb.AsSpan(at), span, out int consumed, out int written);
            Assert.NotEqual(OperationStatus.InvalidData, status);
            Assert.True(span[..written].IndexOfAnyExcept((byte)0) < 0);
            at += consumed;
            total += written;
            if (status == OperationStatus.Done)
            {
                break;
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped at {total} bytes after {at} of {bomb.Length} compressed bytes; {allocated} managed bytes allocated; inflater holds {inflater.NativeMemoryBytes} native bytes"));

        // Stopped at the limit: output full with compressed input left over; a receiver closes with 1009 here.
        Assert.Equal(OperationStatus.DestinationTooSmall, status);
        Assert.Equal(Budget, total);
        Assert.True(at < bomb.Length, $"consumed {at} of {bomb.Length}");
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} managed bytes while inflating");
        Assert.InRange(inflater.NativeMemoryBytes, 1, 64 * 1024);
        Assert.True(buffer.AsSpan(0, Guard).IndexOfAnyExcept((byte)0xA5) < 0);
        Assert.True(buffer.AsSpan(Guard + SpanSize).IndexOfAnyExcept((byte)0xA5) < 0);
    }

    [Fact]
    public void Bomb_inflated_to_the_end_in_a_fixed_span_gives_exactly_100_MiB()
    {
        byte[] bomb = s_bomb.Value;
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        byte[] output = new byte[256 * 1024];
        long total = 0;
        ReadOnlySpan<byte> input = bomb;
        while (true)
        {
            OperationStatus status = inflater.Inflate(input, output, out int consumed, out int written);
            Assert.NotEqual(OperationStatus.InvalidData, status);
            input = input[consumed..];
            total += written;
            if (status == OperationStatus.Done)
            {
                break;
            }
        }

        OperationStatus finish;
        do
        {
            finish = inflater.Finish(output, out int written);
            total += written;
        }
        while (finish == OperationStatus.DestinationTooSmall);

        Assert.Equal(OperationStatus.Done, finish);

        Assert.Equal(100L * 1024 * 1024, total);
    }
}
