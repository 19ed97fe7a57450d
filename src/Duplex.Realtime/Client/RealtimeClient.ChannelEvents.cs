using System.Text;
using System.Text.Json;
using Duplex.Realtime.Channels;
using Duplex.Realtime.Client;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime;

/// <summary>
/// The server's <c>ch</c> envelopes (docs/PROTOCOL.md §10): answers complete their requests,
/// publications and presence changes go to their subscription. Each is handled once, in the
/// session's order: a change of state is made only after its event reached the subscription's
/// buffer, so an envelope whose handling was cut short (the transport stopped) is handled whole
/// when it comes again.
/// </summary>
public sealed partial class RealtimeClient
{
    internal async ValueTask TakeChannelAsync(ClientSession session, Envelope envelope, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_session != session)
            {
                // A transport of a lost session: its requests are in the new one.
                return;
            }
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(envelope.Payload);
        }
        catch (JsonException ex)
        {
            Log.ChannelEnvelopeIgnored(ex.Message);
            return;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (Text(root, "op") is not { } op || Text(root, "ch") is not { } channel)
            {
                Log.ChannelEnvelopeIgnored("no op or ch");
                return;
            }

            try
            {
                await TakeAsync(op, channel, root, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                Log.ChannelEnvelopeIgnored($"{op}: {ex.Message}");
            }
        }
    }

    private async ValueTask TakeAsync(string op, string channel, JsonElement root, CancellationToken cancellationToken)
    {
        switch (op)
        {
            case "p":
                await PublicationAsync(channel, root, cancellationToken).ConfigureAwait(false);
                break;
            case "subscribed":
                await SubscribedAsync(channel, root, cancellationToken).ConfigureAwait(false);
                break;
            case "ack":
                Answered(root)?.Answer.TrySetResult(new ChannelPublishResult(Text(root, "e") ?? string.Empty, Number(root, "q"), Repeated: false));
                break;
            case "ok":
                if (Answered(root) is { } unsubscribed)
                {
                    if (unsubscribed.Subscription is { } ended)
                    {
                        End(ended, "unsubscribed");
                    }

                    unsubscribed.Answer.TrySetResult(null);
                }

                break;
            case "presence":
                Answered(root)?.Answer.TrySetResult(Members(root, "members"));
                break;
            case "join" or "leave":
                var member = new ChannelMember(Text(root, "id") ?? string.Empty, root.TryGetProperty("info", out JsonElement info) ? info.GetRawText() : null);
                await ToSubscriptionAsync(channel, new ChannelEvent(op == "join" ? ChannelEventKind.Join : ChannelEventKind.Leave, channel) { Member = member }, cancellationToken).ConfigureAwait(false);
                break;
            case "gap":
                await GapAsync(channel, root, cancellationToken).ConfigureAwait(false);
                break;
            case "refused":
                Refused(channel, root);
                break;
            case "unsubscribed":
                RealtimeSubscription? gone;
                lock (_gate)
                {
                    if (_subscriptions.Remove(channel, out gone))
                    {
                        _requests.Remove(_requests.FirstOrDefault(r => r.Value.Subscription == gone && r.Value.Op == ClientChannelOp.Subscribe).Key);
                    }
                }

                if (gone is not null)
                {
                    End(gone, Text(root, "reason") ?? "unsubscribed");
                }

                break;
            default:
                Log.ChannelEnvelopeIgnored("unknown op " + op);
                break;
        }
    }

    private async ValueTask PublicationAsync(string channel, JsonElement root, CancellationToken cancellationToken)
    {
        RealtimeSubscription? subscription = Subscription(channel);
        if (subscription is null)
        {
            return;
        }

        string epoch = Text(root, "e") ?? string.Empty;
        long sequence = Number(root, "q");
        lock (subscription.Gate)
        {
            if (subscription.Ended || (subscription.CursorEpoch == epoch && sequence <= subscription.CursorSequence))
            {
                // At or before the cursor: received already (or announced missing).
                return;
            }
        }

        (MessageType type, byte[] data) = root.TryGetProperty("b", out JsonElement binary)
            ? (MessageType.Binary, binary.GetBytesFromBase64())
            : (MessageType.Text, Encoding.UTF8.GetBytes(Text(root, "d") ?? string.Empty));
        var publication = new ChannelEvent(ChannelEventKind.Publication, channel) { Epoch = epoch, Sequence = sequence, Type = type, Data = data, From = Text(root, "from") };
        if (await WriteAsync(subscription, publication, cancellationToken).ConfigureAwait(false))
        {
            lock (subscription.Gate)
            {
                subscription.CursorEpoch = epoch;
                subscription.CursorSequence = sequence;
            }
        }
    }

    private async ValueTask SubscribedAsync(string channel, JsonElement root, CancellationToken cancellationToken)
    {
        long id = Number(root, "r");
        ClientChannelRequest? request;
        lock (_gate)
        {
            request = _requests.GetValueOrDefault(id);
        }

        if (request is not { Op: ClientChannelOp.Subscribe, Subscription: { } subscription })
        {
            return;
        }

        string epoch = Text(root, "e") ?? string.Empty;
        long latest = Number(root, "q");
        SubscribeResult result = Text(root, "result") switch
        {
            "resumed" => SubscribeResult.Resumed,
            "gap" => SubscribeResult.Gap,
            "reset" => SubscribeResult.Reset,
            _ => SubscribeResult.New,
        };
        (long First, long Last)? missing = root.TryGetProperty("missing", out JsonElement range) && range.GetArrayLength() == 2
            ? (range[0].GetInt64(), range[1].GetInt64())
            : null;
        int? history = subscription.Options.History;

        // The cursor: what comes next is after it (history replays, then live).
        long start = result switch
        {
            SubscribeResult.Resumed => request.From?.Sequence ?? 0,
            SubscribeResult.Gap => missing?.Last ?? request.From?.Sequence ?? 0,
            SubscribeResult.Reset => history is { } h ? Math.Max(0, latest - h) : 0,
            _ => history is { } n ? Math.Max(0, latest - n) : latest,
        };
        var subscribed = new ChannelEvent(ChannelEventKind.Subscribed, channel)
        {
            Epoch = epoch,
            Sequence = latest,
            Result = result,
            Missing = missing,
            Members = Members(root, "presence"),
        };
        if (!await WriteAsync(subscription, subscribed, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        lock (_gate)
        {
            _requests.Remove(id);
        }

        lock (subscription.Gate)
        {
            subscription.CursorEpoch = epoch;
            subscription.CursorSequence = start;
        }

        request.Answer.TrySetResult(subscription);
    }

    private async ValueTask GapAsync(string channel, JsonElement root, CancellationToken cancellationToken)
    {
        if (Subscription(channel) is not { } subscription || !root.TryGetProperty("missing", out JsonElement range) || range.GetArrayLength() != 2)
        {
            return;
        }

        string epoch = Text(root, "e") ?? string.Empty;
        (long first, long last) = (range[0].GetInt64(), range[1].GetInt64());
        if (await WriteAsync(subscription, new ChannelEvent(ChannelEventKind.Gap, channel) { Epoch = epoch, Missing = (first, last) }, cancellationToken).ConfigureAwait(false))
        {
            lock (subscription.Gate)
            {
                if (subscription.CursorEpoch == epoch && last > subscription.CursorSequence)
                {
                    subscription.CursorSequence = last;
                }
            }
        }
    }

    private void Refused(string channel, JsonElement root)
    {
        if (Answered(root) is not { } request)
        {
            return;
        }

        var refusal = new RealtimeChannelRefusedException(channel, Text(root, "error") ?? "refused", Text(root, "message") ?? string.Empty);
        if (request is { Op: ClientChannelOp.Subscribe, Subscription: { } subscription })
        {
            lock (_gate)
            {
                if (_subscriptions.GetValueOrDefault(channel) == subscription)
                {
                    _subscriptions.Remove(channel);
                }
            }

            if (request.Again)
            {
                // Subscribing again after a session loss was refused: the application hears it as the end.
                End(subscription, refusal.Error!);
                return;
            }
        }

        request.Answer.TrySetException(refusal);
    }

    private ClientChannelRequest? Answered(JsonElement root)
    {
        long id = Number(root, "r");
        lock (_gate)
        {
            return _requests.Remove(id, out ClientChannelRequest? request) ? request : null;
        }
    }

    private RealtimeSubscription? Subscription(string channel)
    {
        lock (_gate)
        {
            return _subscriptions.GetValueOrDefault(channel);
        }
    }

    private async ValueTask ToSubscriptionAsync(string channel, ChannelEvent change, CancellationToken cancellationToken)
    {
        if (Subscription(channel) is { } subscription)
        {
            await WriteAsync(subscription, change, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Puts an event in the subscription's buffer, waiting while it is full; false when the subscription ended.</summary>
    private static async ValueTask<bool> WriteAsync(RealtimeSubscription subscription, ChannelEvent change, CancellationToken cancellationToken)
    {
        try
        {
            await subscription.Writer.WriteAsync(change, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            return false;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private static List<ChannelMember> Members(JsonElement root, string name)
    {
        var members = new List<ChannelMember>();
        if (root.TryGetProperty(name, out JsonElement array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement member in array.EnumerateArray())
            {
                members.Add(new ChannelMember(Text(member, "id") ?? string.Empty, member.TryGetProperty("info", out JsonElement info) ? info.GetRawText() : null));
            }
        }

        return members;
    }
}
