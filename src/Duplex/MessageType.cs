namespace Duplex;

/// <summary>The kind of a received message.</summary>
public enum MessageType
{
    /// <summary>A text message: UTF-8, already validated.</summary>
    Text,

    /// <summary>A binary message.</summary>
    Binary,

    /// <summary>The connection closed; <see cref="WebSocketConnection.CloseStatus"/> says how. Nothing more arrives.</summary>
    Close,
}
