namespace Duplex.Realtime.Channels;

/// <summary>One publication kept in a channel's history.</summary>
/// <param name="Sequence">Its number in the channel (1, 2, 3, … within the epoch).</param>
/// <param name="Type">Text or binary.</param>
/// <param name="Payload">The application's bytes.</param>
/// <param name="Publisher">The publisher's presence id, or null when server code published it.</param>
/// <param name="PublishedAt">When the channel numbered it (for the history's age limit).</param>
public sealed record ChannelPublication(long Sequence, MessageType Type, ReadOnlyMemory<byte> Payload, string? Publisher, DateTimeOffset PublishedAt);
