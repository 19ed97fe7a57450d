using BenchmarkDotNet.Attributes;
using Duplex.Protocol.Frames;

namespace Duplex.Benchmarks;

/// <summary>
/// <see cref="Masking.Apply(Span{byte}, uint, int)"/> in place (how a receiver unmasks in its own
/// buffer) and <see cref="Masking.Apply(ReadOnlySpan{byte}, Span{byte}, uint, int)"/> copying
/// (how a client masks as it encodes, and how the receiver unmasks into the caller's output).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class MaskingBenchmarks
{
    private const uint Key = 0x9A_3C_51_E7;

    private byte[] _source = [];
    private byte[] _destination = [];

    [Params(16, 1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _source = new byte[Size];
        _destination = new byte[Size];
        new Random(42).NextBytes(_source);
    }

    [Benchmark]
    public void InPlace() => Masking.Apply(_source.AsSpan(), Key, 0);

    [Benchmark]
    public void Copy() => Masking.Apply(_source, _destination, Key, 0);
}
