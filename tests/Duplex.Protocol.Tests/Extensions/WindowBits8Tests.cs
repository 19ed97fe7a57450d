using System.Buffers;
using System.Globalization;
using System.Text;
using CsCheck;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Extensions;
using Xunit.Abstractions;

namespace Duplex.Protocol.Tests.Extensions;

/// <summary>
/// A compressor held to a 256-byte window (RFC 7692 §7.1.2, window bits 8), which zlib's raw
/// deflate refuses: Duplex runs zlib with window 9 and Z_HUFFMAN_ONLY, whose output never
/// refers back, so a peer inflating with a 256-byte window reads all of it.
/// </summary>
public class WindowBits8Tests(ITestOutputHelper output)
{
    private static readonly string s_text = string.Concat(Enumerable.Repeat(
        "The quick brown fox jumps over the lazy dog. {\"type\":\"chat\",\"user\":\"ada\",\"text\":\"hello there\"} ", 40));

    // Random sizes from empty to well past the window; random bytes, text, runs, and a random
    // block repeated at distances beyond 256, where a normal compressor emits long-distance matches.
    private static readonly Gen<byte[]> s_message = Gen.OneOf(
        Gen.Byte.Array[0, 2000],
        Gen.Int[0, 5000].Select(n => Encoding.UTF8.GetBytes(s_text[..Math.Min(n, s_text.Length)])),
        Gen.Select(Gen.Byte, Gen.Int[0, 20_000]).Select(t => Enumerable.Repeat(t.Item1, t.Item2).ToArray()),
        Gen.Select(Gen.Byte.Array[257, 1500], Gen.Int[2, 12]).Select(t => Enumerable.Repeat(t.Item1, t.Item2).SelectMany(b => b).ToArray()));

    private static readonly Gen<(int Level, int MemoryLevel, bool NoContextTakeover)> s_settings =
        Gen.Select(Gen.Int[1, 9], Gen.Int[1, 9], Gen.Bool);

    [Fact]
    public void Window_8_output_inflates_with_a_window_8_inflater_for_any_messages()
    {
        Gen.Select(s_settings, s_message.List[1, 6], Gen.Int[1, 300].Array[1, 4], Gen.Int[1, 600])
            .Sample((settings, messages, inputPieces, outputSize) =>
            {
                using var deflater = new MessageDeflater(8, settings.Level, settings.MemoryLevel, settings.NoContextTakeover);
                using var inflater = new MessageInflater(8, settings.NoContextTakeover);
                foreach (byte[] message in messages)
                {
                    Assert.Equal(message, Deflate.Inflate(inflater, Deflate.Compress(deflater, message), inputPieces, outputSize));
                }
            }, iter: 300);
    }

    [Fact]
    public void Window_8_output_inflates_one_byte_at_a_time_so_every_reference_must_fit_the_256_byte_window()
    {
        // zlib's inflate lets a match reach into output written by the same call, whatever its
        // window; with one byte of output per call everything before it is in the 256-byte window only.
        Gen.Select(s_settings, s_message.List[1, 4]).Sample((settings, messages) =>
        {
            using var deflater = new MessageDeflater(8, settings.Level, settings.MemoryLevel, settings.NoContextTakeover);
            using var inflater = new MessageInflater(8, settings.NoContextTakeover);
            foreach (byte[] message in messages)
            {
                byte[] payload = Deflate.Compress(deflater, message);
                Assert.Equal(message, Deflate.Inflate(inflater, payload, [Math.Max(1, payload.Length)], 1));
            }
        }, iter: 100);
    }

    [Fact]
    public void Window_8_output_has_no_back_references_at_all()
    {
        Gen.Select(s_settings, s_message.List[1, 6]).Sample((settings, messages) =>
        {
            using var deflater = new MessageDeflater(8, settings.Level, settings.MemoryLevel, settings.NoContextTakeover);
            DeflateScanner scan = DeflateScanner.Scan(Stream(deflater, messages));
            Assert.Equal(messages.SelectMany(m => m).ToArray(), scan.Output);
            Assert.Equal(0, scan.Matches);
        }, iter: 300);
    }

    [Fact]
    public void Control_a_normal_compressor_on_the_same_data_refers_back_beyond_256_bytes_and_a_window_8_inflater_rejects_it()
    {
        // Shows the two checks above can fail: the data does invite long-distance matches.
        byte[] block = new byte[600];
        new Random(8).NextBytes(block);
        byte[] message = [.. block, .. block, .. block];

        using var normal = new MessageDeflater(15, 6, 8, noContextTakeover: true);
        byte[] payload = Deflate.Compress(normal, message);
        DeflateScanner scan = DeflateScanner.Scan([.. payload, .. PerMessageDeflate.Trailer]);
        Assert.Equal(message, scan.Output);
        Assert.True(scan.Matches > 0);
        Assert.Equal(600, scan.MaxDistance);

        using var inflater = new MessageInflater(8, noContextTakeover: true);
        Assert.Equal(OperationStatus.InvalidData, InflateOneByteAtATime(inflater, payload));
        Assert.Contains("too far back", inflater.ErrorMessage, StringComparison.Ordinal);

        using var window8 = new MessageDeflater(8, 6, 8, noContextTakeover: true);
        byte[] literalsOnly = Deflate.Compress(window8, message);
        Assert.Equal(0, DeflateScanner.Scan([.. literalsOnly, .. PerMessageDeflate.Trailer]).Matches);
        using var inflater8 = new MessageInflater(8, noContextTakeover: true);
        Assert.Equal(OperationStatus.Done, InflateOneByteAtATime(inflater8, literalsOnly));
    }

    [Fact]
    public void Window_8_still_compresses_repetitive_text_with_huffman_coding()
    {
        byte[] text = Encoding.UTF8.GetBytes(s_text);
        using var window8 = new MessageDeflater(8, 6, 8, noContextTakeover: false);
        using var window9 = new MessageDeflater(9, 6, 8, noContextTakeover: false);
        using var window15 = new MessageDeflater(15, 6, 8, noContextTakeover: false);
        byte[] payload = Deflate.Compress(window8, text);
        int size9 = Deflate.Compress(window9, text).Length;
        int size15 = Deflate.Compress(window15, text).Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{text.Length} bytes of repetitive text: window 8 (Huffman only) {payload.Length} ({100.0 * payload.Length / text.Length:F1}%), window 9 {size9}, window 15 {size15}"));

        DeflateScanner scan = DeflateScanner.Scan([.. payload, .. PerMessageDeflate.Trailer]);
        Assert.Equal(text, scan.Output);
        Assert.Equal(0, scan.Matches);
        Assert.Contains(2, scan.BlockTypes);
        Assert.InRange(payload.Length, 1, text.Length * 3 / 4);
    }

    [Fact]
    public void Window_8_deflater_sends_an_empty_message_as_the_single_byte_00()
    {
        using var deflater = new MessageDeflater(8, 6, 8, noContextTakeover: false);
        Assert.Equal(new byte[] { 0x00 }, Deflate.Compress(deflater, []));
        using var inflater = new MessageInflater(8, noContextTakeover: false);
        Assert.Empty(Deflate.Inflate(inflater, [0x00]));
    }

    [Fact]
    public void Window_8_fragmented_messages_round_trip_with_a_window_8_inflater()
    {
        Gen.Select(s_settings, s_message.List[1, 4], Gen.Int[1, 400].Array[1, 5]).Sample((settings, messages, pieceSizes) =>
        {
            using var deflater = new MessageDeflater(8, settings.Level, settings.MemoryLevel, settings.NoContextTakeover);
            using var inflater = new MessageInflater(8, settings.NoContextTakeover);
            foreach (byte[] message in messages)
            {
                byte[] payload = Deflate.CompressInPieces(deflater, message, pieceSizes).SelectMany(f => f).ToArray();
                Assert.Equal(0, DeflateScanner.Scan([.. payload, .. PerMessageDeflate.Trailer]).Matches);
                Assert.Equal(message, Deflate.Inflate(inflater, payload, [5, 64, 1], 37));
            }
        }, iter: 100);
    }

    [Fact]
    public void Agreement_with_window_8_gives_each_side_a_window_8_compressor_that_its_peer_reads()
    {
        var agreement = new PerMessageDeflateParameters(serverMaxWindowBits: 8, clientMaxWindowBits: 8);
        using MessageDeflater server = agreement.CreateDeflater(Role.Server, new());
        using MessageDeflater client = agreement.CreateDeflater(Role.Client, new());
        using MessageInflater atClient = agreement.CreateInflater(Role.Client);
        using MessageInflater atServer = agreement.CreateInflater(Role.Server);
        Assert.Equal((8, 8, 8, 8), (server.WindowBits, client.WindowBits, atClient.WindowBits, atServer.WindowBits));
        byte[] text = Encoding.UTF8.GetBytes(s_text);
        Assert.Equal(text, Deflate.Inflate(atClient, Deflate.Compress(server, text)));
        Assert.Equal(text, Deflate.Inflate(atServer, Deflate.Compress(client, text)));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public void Window_8_deflater_native_memory_is_that_of_window_9(int memoryLevel)
    {
        using var window8 = new MessageDeflater(8, 6, memoryLevel, noContextTakeover: true);
        using var window9 = new MessageDeflater(9, 6, memoryLevel, noContextTakeover: true);
        using var window15 = new MessageDeflater(15, 6, memoryLevel, noContextTakeover: true);
        Deflate.Compress(window8, "x"u8);
        Deflate.Compress(window9, "x"u8);
        Deflate.Compress(window15, "x"u8);
        long expected = (1L << (9 + 2)) + (1L << (memoryLevel + 9));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"deflate windowBits=8 (zlib 9, Z_HUFFMAN_ONLY) memLevel={memoryLevel}: {window8.NativeMemoryBytes} bytes ({window8.NativeMemoryBytes / 1024.0:F1} KiB); windowBits=9: {window9.NativeMemoryBytes}; windowBits=15: {window15.NativeMemoryBytes}; zlib.h formula for 9: {expected}"));
        Assert.Equal(window9.NativeMemoryBytes, window8.NativeMemoryBytes);
        Assert.InRange(window8.NativeMemoryBytes, expected, expected + (8 * 1024));
    }

    private static byte[] Stream(MessageDeflater deflater, IEnumerable<byte[]> messages)
    {
        var stream = new MemoryStream();
        foreach (byte[] message in messages)
        {
            stream.Write(Deflate.Compress(deflater, message));
            stream.Write(PerMessageDeflate.Trailer);
        }

        return stream.ToArray();
    }

    private static OperationStatus InflateOneByteAtATime(MessageInflater inflater, byte[] payload)
    {
        byte[] one = new byte[1];
        ReadOnlySpan<byte> input = payload;
        OperationStatus status;
        do
        {
            status = inflater.Inflate(input, one, out int consumed, out _);
            input = input[consumed..];
        }
        while (status == OperationStatus.DestinationTooSmall);

        if (status != OperationStatus.Done)
        {
            return status;
        }

        do
        {
            status = inflater.Finish(one, out _);
        }
        while (status == OperationStatus.DestinationTooSmall);

        return status;
    }
}
