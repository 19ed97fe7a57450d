using System.Text;
using Duplex.Realtime.Channels;

namespace Duplex.Realtime;

/// <summary>What a <see cref="ChannelEvent"/> is.</summary>
public enum ChannelEventKind
{
    /// <summary>A publication: <see cref="ChannelEvent.Sequence"/>, <see cref="ChannelEvent.Type"/>, <see cref="ChannelEvent.Data"/>, <see cref="ChannelEvent.From"/>.</summary>
    Publication,

    /// <summary>A (re)subscription is live: <see cref="ChannelEvent.Result"/> says what follows (with <see cref="ChannelEvent.Missing"/> on a gap); <see cref="ChannelEvent.Sequence"/> is the channel's latest number then.</summary>
    Subscribed,

    /// <summary>Publications <see cref="ChannelEvent.Missing"/> will never come (the subscriber fell behind, or the backplane lost them).</summary>
    Gap,

    /// <summary>A member joined the channel's presence: <see cref="ChannelEvent.Member"/>.</summary>
    Join,

    /// <summary>A member left: <see cref="ChannelEvent.Member"/>.</summary>
    Leave,

    /// <summary>The subscription is over (<see cref="ChannelEvent.Reason"/>: the server's reason, a refusal of the re-subscription, <c>unsubscribed</c>, or the client's close); nothing follows.</summary>
    Unsubscribed,
}

/// <summary>One event of a subscription, in the order the server sent them.</summary>
public sealed class ChannelEvent
{
    internal ChannelEvent(ChannelEventKind kind, string channel)
    {
        Kind = kind;
        Channel = channel;
    }

    /// <summary>What the event is.</summary>
    public ChannelEventKind Kind { get; }

    /// <summary>The channel.</summary>
    public string Channel { get; }

    /// <summary>The channel's epoch (publications, subscribed, gap); null otherwise.</summary>
    public string? Epoch { get; internal init; }

    /// <summary>A publication's number; on <see cref="ChannelEventKind.Subscribed"/>, the channel's latest number then; 0 otherwise.</summary>
    public long Sequence { get; internal init; }

    /// <summary>A publication's type.</summary>
    public MessageType Type { get; internal init; }

    /// <summary>A publication's payload (UTF-8 for text).</summary>
    public ReadOnlyMemory<byte> Data { get; internal init; }

    /// <summary>A text publication's payload as a string.</summary>
    public string Text => Encoding.UTF8.GetString(Data.Span);

    /// <summary>A publication's publisher (its presence id) when it was a client; null for server code.</summary>
    public string? From { get; internal init; }

    /// <summary>On <see cref="ChannelEventKind.Subscribed"/>: what the subscription gets.</summary>
    public SubscribeResult? Result { get; internal init; }

    /// <summary>The publications that will never come (first, last), on a gap result or a gap event; null otherwise.</summary>
    public (long First, long Last)? Missing { get; internal init; }

    /// <summary>On <see cref="ChannelEventKind.Join"/> and <see cref="ChannelEventKind.Leave"/>: the member.</summary>
    public ChannelMember? Member { get; internal init; }

    /// <summary>On <see cref="ChannelEventKind.Subscribed"/>: the channel's members then.</summary>
    public IReadOnlyList<ChannelMember>? Members { get; internal init; }

    /// <summary>On <see cref="ChannelEventKind.Unsubscribed"/>: why.</summary>
    public string? Reason { get; internal init; }
}
