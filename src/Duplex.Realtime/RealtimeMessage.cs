using System.Text;

namespace Duplex.Realtime;

/// <summary>
/// A message of a session: text or binary, or the close that ends the stream of messages. Its
/// <see cref="Data"/> is its own (not a view of a transport buffer): keep it as long as needed.
/// </summary>
public readonly struct RealtimeMessage
{
    /// <summary>Creates a message.</summary>
    public RealtimeMessage(MessageType type, ReadOnlyMemory<byte> data)
    {
        Type = type;
        Data = data;
    }

    /// <summary>Text, binary, or close (the session ended; nothing more arrives).</summary>
    public MessageType Type { get; }

    /// <summary>The payload; for text, its UTF-8 bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The payload decoded as UTF-8 (allocates a string).</summary>
    public string Text => Encoding.UTF8.GetString(Data.Span);

    /// <summary>Whether this is the close that ends the session's messages.</summary>
    public bool IsClose => Type == MessageType.Close;

    /// <inheritdoc />
    public override string ToString() => Type == MessageType.Text ? Text : $"{Type} ({Data.Length} bytes)";
}
