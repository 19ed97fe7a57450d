using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Frames;

namespace Duplex.Benchmarks;

/// <summary>
/// permessage-deflate (RFC 7692) on 1 KiB JSON messages, with context takeover (the default, and
/// what makes repetitive JSON shrink) and without: <see cref="MessageDeflater.Compress"/> alone;
/// a round trip through <see cref="MessageDeflater.Compress"/> and <see cref="MessageInflater"/>;
/// and the same message as a client sends and a server receives it (compress, a masked RSV1 frame
/// from <see cref="FrameWriter.Write"/>, a Server-role <see cref="WebSocketReceiver"/> with an
/// inflater). Each operation takes the next of 64 different messages, so the compressor cannot
/// just refer to an identical previous message. The MB/s column counts uncompressed bytes.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class DeflateBenchmarks
{
    // 64 different messages of 1 KiB: more than the 32 KiB window, so when a message comes round
    // again its previous copy has left the window and cannot be referred to whole.
    private const int MessageCount = 64;
    private const uint ClientKey = 0x9A_3C_51_E7;
    private const int WindowBits = 15;
    private const int Level = 6;
    private const int MemoryLevel = 8;

    private byte[][] _messages = [];
    // Each benchmark walks the messages with its own index, as each uses its own compressor.
    private int _nextAlone;
    private int _nextRoundTrip;
    private int _nextFramed;
    private ArrayBufferWriter<byte> _compressed = null!;
    private ArrayBufferWriter<byte> _frame = null!;
    private byte[] _output = [];

    private MessageDeflater _deflaterAlone = null!;
    private MessageDeflater _deflater = null!;
    private MessageInflater _inflater = null!;
    private MessageDeflater _clientDeflater = null!;
    private MessageInflater _serverInflater = null!;
    private WebSocketReceiver _receiver = null!;

    /// <summary>The uncompressed message size, for the MB/s column.</summary>
    [Params(1024)]
    public int Size { get; set; }

    [Params(true, false)]
    public bool ContextTakeover { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _messages = [.. Enumerable.Range(0, MessageCount).Select(i => MakeJson(i, Size))];
        _compressed = new ArrayBufferWriter<byte>(2 * Size);
        _frame = new ArrayBufferWriter<byte>(2 * Size);

        // Room for more than one message, so the inflater never reports its output full.
        _output = new byte[2 * Size];
        bool noContextTakeover = !ContextTakeover;
        _deflaterAlone = new MessageDeflater(WindowBits, Level, MemoryLevel, noContextTakeover);
        _deflater = new MessageDeflater(WindowBits, Level, MemoryLevel, noContextTakeover);
        _inflater = new MessageInflater(WindowBits, noContextTakeover);
        _clientDeflater = new MessageDeflater(WindowBits, Level, MemoryLevel, noContextTakeover);
        _serverInflater = new MessageInflater(WindowBits, noContextTakeover);
        _receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Server }, _serverInflater);

        // Two passes over the messages, checking every byte, and the compressed sizes for the record.
        long compressedBytes = 0;
        for (int i = 0; i < 2 * MessageCount; i++)
        {
            byte[] message = _messages[i % MessageCount];
            compressedBytes += Compress();
            if (RoundTrip() != message.Length || !_output.AsSpan(0, message.Length).SequenceEqual(message))
            {
                throw new InvalidOperationException("The round trip changed the message.");
            }

            if (RoundTrip_Framed() != message.Length || !_output.AsSpan(0, message.Length).SequenceEqual(message))
            {
                throw new InvalidOperationException("The framed round trip changed the message.");
            }
        }

        Console.WriteLine(
            $"// DeflateBenchmarks: {Size}-byte JSON messages compress to {compressedBytes / (2.0 * MessageCount):F0} bytes on average (context takeover: {ContextTakeover}).");
        (_nextAlone, _nextRoundTrip, _nextFramed) = (0, 0, 0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _deflaterAlone?.Dispose();
        _deflater?.Dispose();
        _inflater?.Dispose();
        _clientDeflater?.Dispose();
        _serverInflater?.Dispose();
    }

    /// <summary>Compresses the next message (the payload of its frame).</summary>
    [Benchmark]
    public int Compress()
    {
        _compressed.ResetWrittenCount();
        _deflaterAlone.Compress(_messages[_nextAlone], _compressed);
        _nextAlone = (_nextAlone + 1) % MessageCount;
        return _compressed.WrittenCount;
    }

    /// <summary>Compresses the next message and inflates it back.</summary>
    [Benchmark]
    public int RoundTrip()
    {
        byte[] message = _messages[_nextRoundTrip];
        _nextRoundTrip = (_nextRoundTrip + 1) % MessageCount;
        _compressed.ResetWrittenCount();
        _deflater.Compress(message, _compressed);
        OperationStatus status = _inflater.Inflate(_compressed.WrittenSpan, _output, out int consumed, out int written);
        if (status != OperationStatus.Done || consumed != _compressed.WrittenCount)
        {
            throw new InvalidOperationException($"Inflate: {status}.");
        }

        status = _inflater.Finish(_output.AsSpan(written), out int last);
        if (status != OperationStatus.Done)
        {
            throw new InvalidOperationException($"Finish: {status}.");
        }

        return written + last;
    }

    /// <summary>The next message from a client's compressor, through a masked RSV1 frame, to a server's receiver.</summary>
    [Benchmark]
    public int RoundTrip_Framed()
    {
        byte[] message = _messages[_nextFramed];
        _nextFramed = (_nextFramed + 1) % MessageCount;
        _compressed.ResetWrittenCount();
        _clientDeflater.Compress(message, _compressed);
        _frame.ResetWrittenCount();
        FrameWriter.Write(_frame, Opcode.Text, fin: true, _compressed.WrittenSpan, ClientKey, rsv: 0x4);
        ReceiveEvent e = _receiver.Receive(_frame.WrittenSpan, _output, out int consumed, out int written);
        if (e != ReceiveEvent.MessageEnd || consumed != _frame.WrittenCount)
        {
            throw new InvalidOperationException($"Unexpected {e} after {consumed} of {_frame.WrittenCount} bytes.");
        }

        return written;
    }

    /// <summary>A JSON message of exactly <paramref name="size"/> bytes, different for each <paramref name="seed"/>.</summary>
    private static byte[] MakeJson(int seed, int size)
    {
        var random = new Random(seed);
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $"{{\"type\":\"update\",\"seq\":{1000 + seed},\"ts\":{1_700_000_000_000L + (seed * 137)},\"items\":[");
        for (int i = 0; json.Length < size - 120; i++)
        {
            json.Append(CultureInfo.InvariantCulture,
                $"{{\"id\":{random.Next(100_000)},\"name\":\"item-{random.Next(1000)}\",\"price\":{random.Next(100_000) / 100.0:F2},\"qty\":{random.Next(50)},\"tags\":[\"sale\",\"new\"]}},");
        }

        json.Append("{}],\"pad\":\"");
        json.Append('x', size - json.Length - 2);
        json.Append("\"}");
        byte[] bytes = Encoding.UTF8.GetBytes(json.ToString());
        return bytes.Length == size ? bytes : throw new InvalidOperationException("The JSON message is not the requested size.");
    }
}
