using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>One thing a receiver reported, in a form tests compare by value.</summary>
/// <param name="Event">The event.</param>
/// <param name="Detail">Its content: message type and payload in hex, control payload, close code and reason, or error code.</param>
internal sealed record Received(ReceiveEvent Event, string Detail)
{
    public static Received Text(string text) => Message(Opcode.Text, System.Text.Encoding.UTF8.GetBytes(text));

    public static Received Binary(ReadOnlySpan<byte> data) => Message(Opcode.Binary, data);

    public static Received Message(Opcode opcode, ReadOnlySpan<byte> data) =>
        new(ReceiveEvent.MessageEnd, $"{opcode} {Convert.ToHexString(data)}");

    public static Received Ping(ReadOnlySpan<byte> payload) => new(ReceiveEvent.Ping, Convert.ToHexString(payload));

    public static Received Pong(ReadOnlySpan<byte> payload) => new(ReceiveEvent.Pong, Convert.ToHexString(payload));

    public static Received Close(ushort? code, string reason) => new(ReceiveEvent.Close, $"{(code is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")} {reason}");

    public static Received Error(CloseStatus status) => new(ReceiveEvent.Error, ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>
/// Feeds bytes to a <see cref="WebSocketReceiver"/> the way an I/O loop would: it passes the
/// unconsumed rest of the input back after every event, gives a fresh output span of a fixed
/// size on every call, and collects whole messages, control frames, the close and any error.
/// It also checks the receiver's contract on every call (NeedMoreData consumes everything,
/// OutputFull fills the output, every OutputFull makes progress).
/// </summary>
internal sealed class ReceiverDriver
{
    private readonly byte[] _output;
    private readonly List<byte> _message = [];

    public ReceiverDriver(ReceiverOptions options, int outputSize = 1 << 17)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        Receiver = new WebSocketReceiver(options);
        _output = new byte[outputSize];
    }

    public WebSocketReceiver Receiver { get; }

    /// <summary>Everything reported so far, in order.</summary>
    public List<Received> Events { get; } = [];

    /// <summary>Whether the receiver reported an error (it then reports nothing else).</summary>
    public bool Failed => Events.Count > 0 && Events[^1].Event == ReceiveEvent.Error;

    /// <summary>How many times the receiver stopped because the output span was full.</summary>
    public int OutputFullCount { get; private set; }

    /// <summary>A receiver for a client: frames from the server arrive unmasked.</summary>
    public static ReceiverDriver Client(int outputSize = 1 << 17, long maxMessageSize = 16 * 1024 * 1024, byte allowedRsv = 0) =>
        new(new ReceiverOptions { Role = Role.Client, MaxMessageSize = maxMessageSize, AllowedRsv = allowedRsv }, outputSize);

    /// <summary>A receiver for a server: frames from the client arrive masked.</summary>
    public static ReceiverDriver Server(int outputSize = 1 << 17, long maxMessageSize = 16 * 1024 * 1024, byte allowedRsv = 0) =>
        new(new ReceiverOptions { Role = Role.Server, MaxMessageSize = maxMessageSize, AllowedRsv = allowedRsv }, outputSize);

    /// <summary>Feeds the bytes as one read; returns the events they produced.</summary>
    public List<Received> Feed(ReadOnlySpan<byte> input)
    {
        int before = Events.Count;
        int offset = 0;
        while (true)
        {
            ReceiveEvent result = Receiver.Receive(input[offset..], _output, out int consumed, out int written);
            Assert.InRange(consumed, 0, input.Length - offset);
            Assert.InRange(written, 0, _output.Length);
            offset += consumed;
            _message.AddRange(_output.AsSpan(0, written));
            switch (result)
            {
                case ReceiveEvent.NeedMoreData:
                    Assert.Equal(input.Length, offset);
                    return Events[before..];
                case ReceiveEvent.OutputFull:
                    OutputFullCount++;
                    Assert.Equal(_output.Length, written);
                    Assert.True(offset < input.Length, "OutputFull is reported only while input remains.");
                    break;
                case ReceiveEvent.MessageEnd:
                    Events.Add(Received.Message(Receiver.MessageOpcode, _message.ToArray()));
                    _message.Clear();
                    break;
                case ReceiveEvent.Ping:
                    Events.Add(Received.Ping(Receiver.ControlPayload));
                    break;
                case ReceiveEvent.Pong:
                    Events.Add(Received.Pong(Receiver.ControlPayload));
                    break;
                case ReceiveEvent.Close:
                    Events.Add(Received.Close(Receiver.CloseCode, Receiver.CloseReason));
                    break;
                case ReceiveEvent.Error:
                    Events.Add(Received.Error(Receiver.ErrorStatus));
                    return Events[before..];
                default:
                    throw new InvalidOperationException($"Unknown event {result}.");
            }
        }
    }

    /// <summary>Feeds the bytes in reads of the given sizes, cycling through them.</summary>
    public List<Received> FeedInChunks(ReadOnlySpan<byte> input, IReadOnlyList<int> chunkSizes)
    {
        int before = Events.Count;
        int offset = 0;
        for (int i = 0; offset < input.Length && !Failed; i++)
        {
            int size = Math.Min(Math.Max(1, chunkSizes[i % chunkSizes.Count]), input.Length - offset);
            Feed(input.Slice(offset, size));
            offset += size;
        }

        return Events[before..];
    }

    /// <summary>Feeds the bytes one at a time.</summary>
    public List<Received> FeedByteByByte(ReadOnlySpan<byte> input) => FeedInChunks(input, [1]);
}
