using System.Buffers;
using System.IO.Compression;
using CsCheck;
using Duplex.Protocol.Extensions;

namespace Duplex.Protocol.Tests.Extensions;

/// <summary>
/// Any message sequence must come back unchanged through compress → inflate, whatever the window,
/// level, memory level and context rule, however the payload is cut into reads and however small
/// the output spans are.
/// </summary>
public class PerMessageDeflatePropertyTests
{
    // Messages that compress (repetitive text, runs) and messages that do not (random bytes).
    private static readonly Gen<byte[]> s_message = Gen.OneOf(
        Gen.Byte.Array[0, 600],
        Gen.Select(Gen.OneOfConst("{\"user\":\"ada\",\"text\":\"", "hello ", "0123456789", "\"}"), Gen.Int[0, 40])
            .Select(t => System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(t.Item1, t.Item2)))),
        Gen.Select(Gen.Byte, Gen.Int[0, 3000]).Select(t => Enumerable.Repeat(t.Item1, t.Item2).ToArray()));

    private static readonly Gen<(int WindowBits, int Level, int MemoryLevel, bool NoContextTakeover)> s_settings =
        Gen.Select(Gen.Int[8, 15], Gen.Int[1, 9], Gen.Int[1, 9], Gen.Bool);

    [Fact]
    public void Message_sequences_round_trip_with_random_read_sizes_and_small_output_spans()
    {
        Gen.Select(s_settings, s_message.List[1, 8], Gen.Int[1, 64].Array[1, 6], Gen.Int[1, 32])
            .Sample((settings, messages, inputPieces, outputSize) =>
            {
                using var deflater = new MessageDeflater(settings.WindowBits, settings.Level, settings.MemoryLevel, settings.NoContextTakeover);
                using var inflater = new MessageInflater(settings.WindowBits, settings.NoContextTakeover);
                foreach (byte[] message in messages)
                {
                    byte[] payload = Deflate.Compress(deflater, message);
                    Assert.Equal(message, Deflate.Inflate(inflater, payload, inputPieces, outputSize));
                }
            }, iter: 500);
    }

    [Fact]
    public void Fragmented_messages_round_trip()
    {
        Gen.Select(s_settings, s_message.List[1, 6], Gen.Int[1, 200].Array[1, 5], Gen.Int[1, 64])
            .Sample((settings, messages, pieceSizes, outputSize) =>
            {
                using var deflater = new MessageDeflater(settings.WindowBits, settings.Level, settings.MemoryLevel, settings.NoContextTakeover);
                using var inflater = new MessageInflater(settings.WindowBits, settings.NoContextTakeover);
                foreach (byte[] message in messages)
                {
                    byte[] payload = Deflate.CompressInPieces(deflater, message, pieceSizes).SelectMany(f => f).ToArray();
                    Assert.Equal(message, Deflate.Inflate(inflater, payload, [7, 1, 30], outputSize));
                }
            }, iter: 500);
    }

    [Fact]
    public void Compressed_payload_split_at_every_point_inflates_the_same()
    {
        Gen.Select(s_settings, s_message.List[1, 3]).Sample((settings, messages) =>
        {
            using var deflater = new MessageDeflater(settings.WindowBits, settings.Level, settings.MemoryLevel, settings.NoContextTakeover);
            byte[][] payloads = messages.Select(m => Deflate.Compress(deflater, m)).ToArray();
            byte[] last = payloads[^1];
            for (int at = 0; at <= last.Length; at++)
            {
                using var inflater = new MessageInflater(settings.WindowBits, settings.NoContextTakeover);
                for (int i = 0; i < payloads.Length - 1; i++)
                {
                    Assert.Equal(messages[i], Deflate.Inflate(inflater, payloads[i]));
                }

                Assert.Equal(messages[^1], Deflate.Inflate(inflater, last, [Math.Max(at, 1), last.Length + 1], 16));
            }
        }, iter: 100);
    }

    [Fact]
    public void Payloads_with_trailers_restored_are_one_raw_deflate_stream_for_an_independent_inflater()
    {
        // System.IO.Compression's inflater (zlib-ng, not the system zlib) reads the same bytes.
        Gen.Select(s_settings, s_message.List[1, 8]).Sample((settings, messages) =>
        {
            using var deflater = new MessageDeflater(settings.WindowBits, settings.Level, settings.MemoryLevel, settings.NoContextTakeover);
            var stream = new MemoryStream();
            foreach (byte[] message in messages)
            {
                stream.Write(Deflate.Compress(deflater, message));
                stream.Write(PerMessageDeflate.Trailer);
            }

            stream.Position = 0;
            using var inflate = new DeflateStream(stream, CompressionMode.Decompress);
            var result = new MemoryStream();
            inflate.CopyTo(result);
            Assert.Equal(messages.SelectMany(m => m).ToArray(), result.ToArray());
        }, iter: 300);
    }

    [Fact]
    public void Inflater_with_a_larger_window_than_the_sender_reads_everything()
    {
        Gen.Select(Gen.Int[8, 14], s_message.List[1, 6]).Sample((bits, messages) =>
        {
            using var deflater = new MessageDeflater(bits, 6, 8, noContextTakeover: false);
            using var inflater = new MessageInflater(15, noContextTakeover: false);
            foreach (byte[] message in messages)
            {
                Assert.Equal(message, Deflate.Inflate(inflater, Deflate.Compress(deflater, message)));
            }
        }, iter: 200);
    }

    [Fact]
    public void Released_deflater_and_inflater_round_trip_the_next_message()
    {
        Gen.Select(s_settings, s_message.List[1, 6]).Sample((settings, messages) =>
        {
            using var deflater = new MessageDeflater(settings.WindowBits, settings.Level, settings.MemoryLevel, noContextTakeover: true);
            using var inflater = new MessageInflater(settings.WindowBits, noContextTakeover: true);
            foreach (byte[] message in messages)
            {
                Assert.Equal(message, Deflate.Inflate(inflater, Deflate.Compress(deflater, message)));
                Assert.True(deflater.ReleaseIdle());
                Assert.True(inflater.ReleaseIdle());
                Assert.Equal(0, deflater.NativeMemoryBytes);
                Assert.Equal(0, inflater.NativeMemoryBytes);
            }
        }, iter: 100);
    }

    [Fact]
    public void Deflater_released_between_messages_with_context_takeover_still_round_trips()
    {
        // Releasing the compressor only loses history the sender may always choose not to use.
        Gen.Select(s_settings, s_message.List[1, 6]).Sample((settings, messages) =>
        {
            using var deflater = new MessageDeflater(settings.WindowBits, settings.Level, settings.MemoryLevel, noContextTakeover: false);
            using var inflater = new MessageInflater(settings.WindowBits, noContextTakeover: false);
            foreach (byte[] message in messages)
            {
                Assert.Equal(message, Deflate.Inflate(inflater, Deflate.Compress(deflater, message)));
                Assert.True(deflater.ReleaseIdle());
            }
        }, iter: 100);
    }

    [Fact]
    public void Corrupted_payload_gives_invalid_data_with_a_message_and_never_writes_outside_the_output()
    {
        Gen.Select(Gen.Byte.Array[1, 64], Gen.Int[1, 40]).Sample((garbage, outputSize) =>
        {
            using var inflater = new MessageInflater(15, noContextTakeover: false);
            byte[] buffer = new byte[outputSize + 32];
            buffer.AsSpan().Fill(0xA5);
            Span<byte> output = buffer.AsSpan(16, outputSize);
            ReadOnlySpan<byte> input = garbage;
            OperationStatus status;
            int guard = 0;
            do
            {
                status = inflater.Inflate(input, output, out int consumed, out _);
                input = input[consumed..];
            }
            while (status == OperationStatus.DestinationTooSmall && guard++ < 100_000);

            if (status == OperationStatus.Done)
            {
                do
                {
                    status = inflater.Finish(output, out _);
                }
                while (status == OperationStatus.DestinationTooSmall && guard++ < 100_000);
            }

            Assert.True(status is OperationStatus.Done or OperationStatus.InvalidData);
            Assert.Equal(status == OperationStatus.InvalidData, inflater.ErrorMessage is not null);
            Assert.True(buffer.AsSpan(0, 16).IndexOfAnyExcept((byte)0xA5) < 0);
            Assert.True(buffer.AsSpan(16 + outputSize).IndexOfAnyExcept((byte)0xA5) < 0);
        }, iter: 1000);
    }
}
