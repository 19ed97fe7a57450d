namespace Duplex;

/// <summary>One piece of a message received into a caller's buffer.</summary>
/// <param name="Count">Bytes written to the buffer.</param>
/// <param name="Type">The message's type; <see cref="MessageType.Close"/> when the connection closed.</param>
/// <param name="EndOfMessage">Whether this piece ends the message.</param>
public readonly record struct ReceiveResult(int Count, MessageType Type, bool EndOfMessage);
