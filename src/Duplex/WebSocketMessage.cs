using System.Text;

namespace Duplex;

/// <summary>
/// A whole received message. <see cref="Data"/> points into the connection's receive buffer and
/// is valid only until the next receive call on the same connection: copy it (or use
/// <see cref="Text"/>) to keep it longer. Passing it straight to a send is safe.
/// </summary>
public readonly struct WebSocketMessage
{
    /// <summary>Creates a message.</summary>
    public WebSocketMessage(MessageType type, ReadOnlyMemory<byte> data)
    {
        Type = type;
        Data = data;
    }

    /// <summary>Text, binary, or close (the end of the stream of messages).</summary>
    public MessageType Type { get; }

    /// <summary>The payload; for text, its UTF-8 bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The payload decoded as UTF-8 (allocates a string).</summary>
    public string Text => Encoding.UTF8.GetString(Data.Span);

    /// <summary>Whether this is the close that ends the connection's messages.</summary>
    public bool IsClose => Type == MessageType.Close;

    /// <inheritdoc />
    public override string ToString() => Type == MessageType.Text ? Text : $"{Type} ({Data.Length} bytes)";
}
