using System.Buffers;
using BenchmarkDotNet.Attributes;
using Duplex.Protocol.Frames;

namespace Duplex.Benchmarks;

/// <summary>The three length encodings of RFC 6455 §5.2.</summary>
public enum LengthEncoding
{
    /// <summary>A payload of 100 bytes: the length fits the 7 bits of the second byte (2-byte header).</summary>
    Bits7,

    /// <summary>A payload of 1,000 bytes: 126 and a 16-bit length (4-byte header).</summary>
    Bits16,

    /// <summary>A payload of 100,000 bytes: 127 and a 64-bit length (10-byte header).</summary>
    Bits64,
}

/// <summary>
/// <see cref="FrameHeaderReader.TryRead"/> and <see cref="FrameHeaderWriter.Write"/>, one header
/// per operation. Each invocation handles <see cref="Batch"/> headers in a loop
/// (OperationsPerInvoke), so the call overhead of the harness does not swamp a few nanoseconds.
/// </summary>
[MemoryDiagnoser]
public class FrameHeaderBenchmarks
{
    private const int Batch = 64;
    private const uint Key = 0x9A_3C_51_E7;

    private readonly byte[] _encoded = new byte[FrameHeader.MaxSize];
    private readonly byte[] _destination = new byte[FrameHeader.MaxSize];
    private long _payloadLength;
    private uint? _maskKey;

    [Params(LengthEncoding.Bits7, LengthEncoding.Bits16, LengthEncoding.Bits64)]
    public LengthEncoding Length { get; set; }

    [Params(false, true)]
    public bool Masked { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payloadLength = Length switch
        {
            LengthEncoding.Bits7 => 100,
            LengthEncoding.Bits16 => 1_000,
            _ => 100_000,
        };
        _maskKey = Masked ? Key : null;
        int size = FrameHeaderWriter.Write(_encoded, fin: true, Opcode.Binary, rsv: 0, _payloadLength, _maskKey);
        if (FrameHeaderReader.TryRead(_encoded.AsSpan(0, size), out FrameHeader header, out int consumed) != OperationStatus.Done
            || consumed != size || header.PayloadLength != _payloadLength || header.Masked != Masked)
        {
            throw new InvalidOperationException("The header does not round-trip.");
        }
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long Parse()
    {
        ReadOnlySpan<byte> input = _encoded;
        long sum = 0;
        for (int i = 0; i < Batch; i++)
        {
            FrameHeaderReader.TryRead(input, out FrameHeader header, out int consumed);
            sum += header.PayloadLength + consumed + header.MaskKey;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int Write()
    {
        Span<byte> destination = _destination;
        long payloadLength = _payloadLength;
        uint? maskKey = _maskKey;
        int sum = 0;
        for (int i = 0; i < Batch; i++)
        {
            sum += FrameHeaderWriter.Write(destination, fin: true, Opcode.Binary, rsv: 0, payloadLength, maskKey);
        }

        return sum;
    }
}
