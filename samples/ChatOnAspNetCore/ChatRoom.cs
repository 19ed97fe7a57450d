using System.Text.Json;
using Duplex;
using Duplex.Realtime;
using Duplex.Realtime.Channels;

namespace ChatOnAspNetCore;

/// <summary>
/// One chat room, the channel <see cref="Channel"/>: what a signed-in user sends on their session
/// is published there under the name they signed in with, so nobody can speak as someone else.
/// </summary>
internal static class ChatRoom
{
    public const string Channel = "chat/lobby";

    private const int MaxTextLength = 500;

    /// <summary>Sessions may listen to the room (and see who else does); only the server publishes to it.</summary>
    public static RealtimeOptions Options { get; } = new()
    {
        Channels = new RealtimeChannelOptions
        {
            Authorize = access => ValueTask.FromResult(access.Channel == Channel && access.Access == ChannelAccess.Subscribe),
        },
    };

    /// <summary>The session handler: each text message becomes a publication <c>{"from":NAME,"text":TEXT}</c>.</summary>
    public static async Task RunAsync(RealtimeSession session, RealtimeChannels channels, CancellationToken cancellationToken)
    {
        string from = session.User?.Identity?.Name ?? "someone";
        await foreach (RealtimeMessage message in session.ReadMessagesAsync(cancellationToken))
        {
            string text = message.Type == MessageType.Text ? message.Text.Trim() : "";
            if (text.Length is 0 or > MaxTextLength)
            {
                continue;
            }

            string publication = JsonSerializer.Serialize(new ChatLine(from, text), JsonSerializerOptions.Web);
            await channels.PublishTextAsync(Channel, publication, cancellationToken: cancellationToken);
        }
    }

    private sealed record ChatLine(string From, string Text);
}
