namespace Duplex.Realtime.Channels;

/// <summary>How much history a channel keeps, and how a subscriber that falls behind is handled.</summary>
public sealed record ChannelLimits
{
    /// <summary>The default: the latest 100 publications, for 5 minutes; at most 500 unacknowledged per subscriber, then it is disconnected.</summary>
    public static ChannelLimits Default { get; } = new();

    /// <summary>Publications kept for resume (0: none; every missed one is then a gap). Default 100.</summary>
    public int HistoryCount { get; init; } = 100;

    /// <summary>How long a publication is kept for resume. Default 5 minutes (past a session's 2-minute resume window).</summary>
    public TimeSpan HistoryAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A subscriber with more of this channel's publications unacknowledged than this is a slow
    /// subscriber, handled by <see cref="SlowSubscriberPolicy"/>. Default 500 (half the
    /// session's default queue bound, so the policy acts before the session's own bound does).
    /// </summary>
    public int MaxPendingPerSubscriber { get; init; } = 500;

    /// <summary>What happens to a slow subscriber. Default <see cref="SlowSubscriberPolicy.Disconnect"/>.</summary>
    public SlowSubscriberPolicy SlowSubscriberPolicy { get; init; } = SlowSubscriberPolicy.Disconnect;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(HistoryCount, nameof(HistoryCount));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HistoryAge, TimeSpan.Zero, nameof(HistoryAge));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPendingPerSubscriber, nameof(MaxPendingPerSubscriber));
    }
}

/// <summary>What happens to a subscriber that falls behind (docs/PROTOCOL.md §10.3).</summary>
public enum SlowSubscriberPolicy
{
    /// <summary>Its subscription ends: it gets <c>unsubscribed</c> with reason <c>slow-consumer</c>.</summary>
    Disconnect,

    /// <summary>Publications are skipped for it until it catches up; it then gets <c>gap</c> with the range skipped, then live ones.</summary>
    SkipToLive,
}
