namespace Duplex.Realtime.Channels;

/// <summary>What a (re)subscription gets, said to the subscriber every time (docs/PROTOCOL.md §10).</summary>
public enum SubscribeResult
{
    /// <summary>No cursor was given: the latest publications asked for (if any), then live.</summary>
    New,

    /// <summary>Every publication after the cursor follows, then live: nothing missed.</summary>
    Resumed,

    /// <summary>History no longer holds some publications after the cursor: that range is lost, the rest follows.</summary>
    Gap,

    /// <summary>The cursor's epoch is not the channel's: the stream restarted, its retained history follows.</summary>
    Reset,
}

/// <summary>A subscription's start: its result, the range it can no longer get, and the publications to send before live ones.</summary>
/// <param name="Result">What the subscriber is told.</param>
/// <param name="Epoch">The channel's epoch now.</param>
/// <param name="Latest">The channel's latest number now (0: none yet).</param>
/// <param name="MissingFirst">With <see cref="SubscribeResult.Gap"/>: the first lost number; else 0.</param>
/// <param name="MissingLast">With <see cref="SubscribeResult.Gap"/>: the last lost number; else 0.</param>
/// <param name="Replay">The publications to send first, in order, all after the cursor (or the latest ones).</param>
public sealed record SubscribePlan(SubscribeResult Result, string Epoch, long Latest, long MissingFirst, long MissingLast, IReadOnlyList<ChannelPublication> Replay);
