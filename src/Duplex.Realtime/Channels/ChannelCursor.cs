namespace Duplex.Realtime.Channels;

/// <summary>A position in a channel's stream: publication <see cref="Sequence"/> of <see cref="Epoch"/> (0: before the first).</summary>
public readonly record struct ChannelCursor(string Epoch, long Sequence);
