using Duplex.Protocol.Frames;

namespace Duplex;

/// <summary>
/// A message framed once for sending to many connections (a broadcast): a server's frames are
/// not masked, so the same bytes go to every client. Sending it to a connection that must
/// transform it (a client, which masks; a connection that compresses it) falls back to an
/// ordinary send of <see cref="Data"/>.
/// </summary>
public sealed class PreparedMessage
{
    private readonly byte[] _frame;
    private readonly int _headerSize;

    /// <summary>Frames <paramref name="data"/> as one unmasked frame (the data is copied).</summary>
    public PreparedMessage(MessageType type, ReadOnlySpan<byte> data)
    {
        if (type == MessageType.Close)
        {
            throw new ArgumentException("A close is not a message to broadcast.", nameof(type));
        }

        Type = type;
        Opcode opcode = type == MessageType.Text ? Opcode.Text : Opcode.Binary;
        _headerSize = FrameHeader.SizeOf(data.Length, masked: false);
        _frame = new byte[FrameWriter.SizeOf(data.Length, masked: false)];
        FrameWriter.Write(_frame, fin: true, opcode, 0, data, maskKey: null);
    }

    /// <summary>Frames a text message.</summary>
    public static PreparedMessage Text(string text) =>
        new(MessageType.Text, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Frames a binary message (the data is copied).</summary>
    public static PreparedMessage Binary(ReadOnlySpan<byte> data) => new(MessageType.Binary, data);

    /// <summary>Text or binary.</summary>
    public MessageType Type { get; }

    /// <summary>The payload.</summary>
    public ReadOnlyMemory<byte> Data => _frame.AsMemory(_headerSize);

    /// <summary>The whole unmasked frame, header and payload.</summary>
    internal ReadOnlyMemory<byte> Frame => _frame;
}
