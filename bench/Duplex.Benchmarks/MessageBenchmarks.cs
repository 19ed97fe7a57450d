using System.Buffers;
using BenchmarkDotNet.Attributes;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex.Benchmarks;

/// <summary>
/// A whole message through the protocol layer, both ways, with everything reused across
/// operations as a connection reuses it: receiving a masked client frame with a Server-role
/// <see cref="WebSocketReceiver"/> into a reused output buffer (binary, and text, which adds
/// UTF-8 validation), and encoding a frame with <see cref="FrameWriter.Write"/> into a reused
/// <see cref="ArrayBufferWriter{T}"/> (a server's unmasked frame, and a client's masked one).
/// The steady path must allocate nothing: the Allocated column must read "-" (0 B).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class MessageBenchmarks
{
    private const uint ClientKey = 0x9A_3C_51_E7;

    private byte[] _payload = [];
    private byte[] _binaryFrame = [];
    private byte[] _textFrame = [];
    private byte[] _output = [];
    private WebSocketReceiver _receiver = null!;
    private ArrayBufferWriter<byte> _writer = null!;

    [Params(64, 1024, 64 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // ASCII JSON-like text, so the same payload is valid in a text frame.
        _payload = new byte[Size];
        for (int i = 0; i < Size; i++)
        {
            _payload[i] = (byte)('a' + (i % 26));
        }

        _binaryFrame = EncodeClientFrame(Opcode.Binary, _payload);
        _textFrame = EncodeClientFrame(Opcode.Text, _payload);
        _output = new byte[Size];
        _receiver = new WebSocketReceiver(new ReceiverOptions { Role = Role.Server });
        _writer = new ArrayBufferWriter<byte>(FrameWriter.SizeOf(Size, masked: true));

        if (Receive(_binaryFrame) != Size || Receive(_textFrame) != Size || !_output.AsSpan().SequenceEqual(_payload))
        {
            throw new InvalidOperationException("The receiver did not return the payload.");
        }
    }

    [Benchmark]
    public int Receive_Binary() => Receive(_binaryFrame);

    [Benchmark]
    public int Receive_Text() => Receive(_textFrame);

    [Benchmark]
    public int Send_Server()
    {
        _writer.ResetWrittenCount();
        FrameWriter.Write(_writer, Opcode.Binary, fin: true, _payload, maskKey: null);
        return _writer.WrittenCount;
    }

    [Benchmark]
    public int Send_Client_Masked()
    {
        _writer.ResetWrittenCount();
        FrameWriter.Write(_writer, Opcode.Binary, fin: true, _payload, ClientKey);
        return _writer.WrittenCount;
    }

    /// <summary>Feeds one whole frame; the receiver ends at MessageEnd, back in its start state.</summary>
    private int Receive(byte[] frame)
    {
        ReceiveEvent e = _receiver.Receive(frame, _output, out int consumed, out int written);
        if (e != ReceiveEvent.MessageEnd || consumed != frame.Length)
        {
            throw new InvalidOperationException($"Unexpected {e} after {consumed} of {frame.Length} bytes.");
        }

        return written;
    }

    private static byte[] EncodeClientFrame(Opcode opcode, byte[] payload)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.Write(writer, opcode, fin: true, payload, ClientKey);
        return writer.WrittenSpan.ToArray();
    }
}
