using Duplex.Realtime.Channels;

namespace Duplex.Realtime;

/// <summary>How <see cref="RealtimeClient.SubscribeAsync"/> subscribes (docs/PROTOCOL.md §10, <c>sub</c>).</summary>
public sealed class RealtimeSubscribeOptions
{
    /// <summary>Resume after this publication (<c>from</c>): what follows is said by the result (resumed, gap, reset). Null: a new subscription.</summary>
    public ChannelCursor? From { get; init; }

    /// <summary>At most this many of the latest publications first (<c>hist</c>; also what a reset replays). Null: none for a new subscription, all retained on a reset.</summary>
    public int? History { get; init; }

    /// <summary>The presence info others see, serialized with System.Text.Json (a <see cref="System.Text.Json.JsonElement"/> as itself). Null: none (unless <see cref="PresenceInfoJson"/>).</summary>
    public object? PresenceInfo { get; init; }

    /// <summary>The presence info as JSON text (at most 1 KiB). Null: none (unless <see cref="PresenceInfo"/>).</summary>
    public string? PresenceInfoJson { get; init; }
}
