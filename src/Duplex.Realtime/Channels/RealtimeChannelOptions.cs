namespace Duplex.Realtime.Channels;

/// <summary>How an endpoint's channels behave: limits by name, who may do what, where they live.</summary>
public sealed class RealtimeChannelOptions
{
    /// <summary>The limits of channels no rule names. Default <see cref="ChannelLimits.Default"/>.</summary>
    public ChannelLimits Limits { get; init; } = ChannelLimits.Default;

    /// <summary>
    /// Limits by name pattern, first match wins: a pattern is a name, or a prefix ending in
    /// <c>*</c> (<c>prices/*</c>). Default none.
    /// </summary>
    public IReadOnlyList<ChannelRule> Rules { get; init; } = [];

    /// <summary>
    /// Decides whether a session may subscribe to or publish on a channel (it sees the session,
    /// with what the accept hook put in its <see cref="RealtimeSession.Items"/>). A refusal is
    /// answered <c>refused</c> with <c>forbidden</c> to that client alone. Null allows everything.
    /// </summary>
    public Func<ChannelAccessContext, ValueTask<bool>>? Authorize { get; init; }

    /// <summary>Where channels live; null: a new <see cref="InMemoryChannelBackplane"/> for this endpoint.</summary>
    public IChannelBackplane? Backplane { get; init; }

    /// <summary>How many channels one session may be subscribed to at once. Default 100.</summary>
    public int MaxSubscriptionsPerSession { get; init; } = 100;

    /// <summary>The limits for <paramref name="channel"/>: the first rule that matches, else <see cref="Limits"/>.</summary>
    public ChannelLimits LimitsFor(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        foreach (ChannelRule rule in Rules)
        {
            if (rule.Matches(channel))
            {
                return rule.Limits;
            }
        }

        return Limits;
    }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Limits, nameof(Limits));
        ArgumentNullException.ThrowIfNull(Rules, nameof(Rules));
        Limits.Validate();
        foreach (ChannelRule rule in Rules)
        {
            rule.Limits.Validate();
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSubscriptionsPerSession, nameof(MaxSubscriptionsPerSession));
    }
}

/// <summary>Limits for the channels whose names match <see cref="Pattern"/> (a name, or a prefix ending in <c>*</c>).</summary>
public sealed record ChannelRule(string Pattern, ChannelLimits Limits)
{
    /// <summary>Whether <paramref name="channel"/> matches.</summary>
    public bool Matches(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return Pattern.EndsWith('*')
            ? channel.StartsWith(Pattern.AsSpan(0, Pattern.Length - 1), StringComparison.Ordinal)
            : string.Equals(channel, Pattern, StringComparison.Ordinal);
    }
}

/// <summary>What a session asks to do on a channel.</summary>
public enum ChannelAccess
{
    /// <summary>Subscribe (and so appear in its presence).</summary>
    Subscribe,

    /// <summary>Publish.</summary>
    Publish,
}

/// <summary>What the authorization hook sees.</summary>
/// <param name="Session">The session asking.</param>
/// <param name="Channel">The channel's name (valid).</param>
/// <param name="Access">What it asks.</param>
public sealed record ChannelAccessContext(RealtimeSession Session, string Channel, ChannelAccess Access);
