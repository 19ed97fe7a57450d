using System.Text;
using System.Text.Unicode;
using BenchmarkDotNet.Attributes;
using Duplex.Protocol.Text;

namespace Duplex.Benchmarks;

/// <summary>The kinds of text a text message carries.</summary>
public enum TextKind
{
    /// <summary>ASCII only: JSON and most chat.</summary>
    Ascii,

    /// <summary>A mix of 1-, 2-, 3- and 4-byte sequences (Latin, Cyrillic, Greek, CJK, emoji).</summary>
    Mixed,
}

/// <summary>
/// <see cref="Utf8Validator.Append"/> on a whole message against
/// <see cref="Utf8.IsValid(ReadOnlySpan{byte})"/>, the vectorized check it delegates to (the
/// baseline): the difference is the validator's own cost (looking for a split code point at the
/// end, and its state).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class Utf8ValidationBenchmarks
{
    // Code points of every encoded length: ASCII, é ö (2), П Р Ж α (2), 你 好 世 界 (3), 😀 🎉 (4).
    private const string MixedSample = "Hello, wörld! Привет, мир. Γειά σου κόσμε. 你好，世界。 😀🎉 café ÅÄÖ ✓ ";

    private byte[] _text = [];

    [Params(TextKind.Ascii, TextKind.Mixed)]
    public TextKind Text { get; set; }

    [Params(125, 4 * 1024, 64 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = Text == TextKind.Ascii ? MakeAscii(Size) : MakeMixed(Size);
        var validator = default(Utf8Validator);
        if (_text.Length != Size || !Utf8.IsValid(_text) || !validator.Append(_text) || !validator.IsComplete)
        {
            throw new InvalidOperationException("The sample text is not valid UTF-8 of the requested size.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool Utf8_IsValid() => Utf8.IsValid(_text);

    [Benchmark]
    public bool Validator_Append()
    {
        var validator = default(Utf8Validator);
        return validator.Append(_text) && validator.IsComplete;
    }

    private static byte[] MakeAscii(int size)
    {
        byte[] json = Encoding.ASCII.GetBytes("""{"type":"chat","room":"lobby","user":"alice","text":"hello there, how are you today?","ts":1700000000123},""");
        var bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = json[i % json.Length];
        }

        return bytes;
    }

    /// <summary>Whole code points of <see cref="MixedSample"/> up to <paramref name="size"/>, padded with ASCII to exactly that size.</summary>
    private static byte[] MakeMixed(int size)
    {
        byte[] sample = Encoding.UTF8.GetBytes(MixedSample);
        var bytes = new byte[size];
        int pos = 0;
        int from = 0;
        while (true)
        {
            int length = SequenceLength(sample[from]);
            if (pos + length > size)
            {
                break;
            }

            sample.AsSpan(from, length).CopyTo(bytes.AsSpan(pos));
            pos += length;
            from = (from + length) % sample.Length;
        }

        bytes.AsSpan(pos).Fill((byte)'.');
        return bytes;
    }

    private static int SequenceLength(byte lead) => lead switch
    {
        < 0x80 => 1,
        < 0xE0 => 2,
        < 0xF0 => 3,
        _ => 4,
    };
}
