using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Duplex.Realtime.Channels;

/// <summary>What a client asks of a channel (docs/PROTOCOL.md §10, client → server).</summary>
public enum ChannelRequestKind
{
    /// <summary><c>sub</c>.</summary>
    Subscribe,

    /// <summary><c>unsub</c>.</summary>
    Unsubscribe,

    /// <summary><c>pub</c>.</summary>
    Publish,

    /// <summary><c>presence</c>.</summary>
    Presence,
}

/// <summary>
/// One client request of a <c>ch</c> envelope, read from its JSON object. Reading checks the
/// shape (types, one payload, a request id); the channel layer checks the meaning (a valid name,
/// a valid key, who may do it) and answers <c>refused</c> to that client alone.
/// </summary>
public sealed record ChannelRequest
{
    /// <summary>What is asked.</summary>
    public required ChannelRequestKind Kind { get; init; }

    /// <summary>The client's request id (<c>r</c>), echoed in the answer.</summary>
    public required long RequestId { get; init; }

    /// <summary>The channel's name (<c>ch</c>), not yet validated.</summary>
    public required string Channel { get; init; }

    /// <summary>On <c>sub</c>: where to resume (<c>from</c>), or null.</summary>
    public ChannelCursor? From { get; init; }

    /// <summary>On <c>sub</c>: how many of the latest publications to get first (<c>hist</c>), or null.</summary>
    public int? Latest { get; init; }

    /// <summary>On <c>sub</c>: the presence info (<c>info</c>) as compact JSON text, or null.</summary>
    public string? Info { get; init; }

    /// <summary>On <c>pub</c>: the idempotency key (<c>k</c>), not yet validated.</summary>
    public string? Key { get; init; }

    /// <summary>On <c>pub</c>: text or binary.</summary>
    public MessageType PayloadType { get; init; } = MessageType.Text;

    /// <summary>On <c>pub</c>: the payload's bytes.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>
    /// The error to answer in <c>refused</c> when the request is well formed but cannot be taken
    /// (<c>unknown-op</c>: an op this server does not know; <c>too-large</c>: a payload over the
    /// limit), or null.
    /// </summary>
    public string? Refusal { get; init; }

    /// <summary>
    /// Reads the request of a <c>ch</c> envelope's object; null with <paramref name="error"/> when
    /// its shape is wrong (a protocol error: the session ends).
    /// </summary>
    public static ChannelRequest? TryRead(ReadOnlyMemory<byte> json, int maxPayloadBytes, out string? error)
    {
        error = null;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "not an object";
                return null;
            }

            if (!TryString(root, "op", out string? op) || op is null)
            {
                error = "no op";
                return null;
            }

            if (!root.TryGetProperty("r", out JsonElement r) || !r.TryGetInt64(out long requestId) || requestId < 1 || requestId > Protocol.Envelope.MaxNumber)
            {
                error = "no request id r";
                return null;
            }

            if (!TryString(root, "ch", out string? channel) || channel is null)
            {
                error = "no channel ch";
                return null;
            }

            ChannelRequestKind? kind = op switch
            {
                "sub" => ChannelRequestKind.Subscribe,
                "unsub" => ChannelRequestKind.Unsubscribe,
                "pub" => ChannelRequestKind.Publish,
                "presence" => ChannelRequestKind.Presence,
                _ => null,
            };
            if (kind is null)
            {
                return new ChannelRequest { Kind = ChannelRequestKind.Presence, RequestId = requestId, Channel = channel, Refusal = "unknown-op" };
            }

            return kind switch
            {
                ChannelRequestKind.Subscribe => ReadSubscribe(root, requestId, channel, out error),
                ChannelRequestKind.Publish => ReadPublish(root, requestId, channel, maxPayloadBytes, out error),
                _ => new ChannelRequest { Kind = kind.Value, RequestId = requestId, Channel = channel },
            };
        }
        catch (JsonException)
        {
            error = "not JSON";
            return null;
        }
    }

    private static ChannelRequest? ReadSubscribe(JsonElement root, long requestId, string channel, out string? error)
    {
        error = null;
        ChannelCursor? from = null;
        if (root.TryGetProperty("from", out JsonElement f) && f.ValueKind != JsonValueKind.Null)
        {
            if (f.ValueKind != JsonValueKind.Object || !TryString(f, "e", out string? epoch) || epoch is null
                || !f.TryGetProperty("q", out JsonElement q) || !q.TryGetInt64(out long sequence) || sequence < 0 || sequence > Protocol.Envelope.MaxNumber)
            {
                error = "from is not {\"e\":EPOCH,\"q\":N}";
                return null;
            }

            from = new ChannelCursor(epoch, sequence);
        }

        int? latest = null;
        if (root.TryGetProperty("hist", out JsonElement h) && h.ValueKind != JsonValueKind.Null)
        {
            if (!h.TryGetInt32(out int n) || n < 0)
            {
                error = "hist is not a count";
                return null;
            }

            latest = n;
        }

        string? info = null;
        if (root.TryGetProperty("info", out JsonElement i) && i.ValueKind != JsonValueKind.Null)
        {
            info = i.GetRawText();
            if (Encoding.UTF8.GetByteCount(info) > ChannelPresence.MaxInfoBytes)
            {
                error = "info is over 1 KiB";
                return null;
            }
        }

        return new ChannelRequest { Kind = ChannelRequestKind.Subscribe, RequestId = requestId, Channel = channel, From = from, Latest = latest, Info = info };
    }

    private static ChannelRequest? ReadPublish(JsonElement root, long requestId, string channel, int maxPayloadBytes, out string? error)
    {
        error = null;
        if (!TryString(root, "k", out string? key) || key is null)
        {
            error = "no idempotency key k";
            return null;
        }

        bool hasText = root.TryGetProperty("d", out JsonElement d);
        bool hasBinary = root.TryGetProperty("b", out JsonElement b);
        if (hasText == hasBinary)
        {
            error = "a publication carries one of d and b";
            return null;
        }

        if (hasText)
        {
            if (d.ValueKind != JsonValueKind.String)
            {
                error = "d is not a string";
                return null;
            }

            byte[] text = Encoding.UTF8.GetBytes(d.GetString()!);
            return text.Length > maxPayloadBytes
                ? TooLarge(requestId, channel)
                : new ChannelRequest { Kind = ChannelRequestKind.Publish, RequestId = requestId, Channel = channel, Key = key, Payload = text };
        }

        if (b.ValueKind != JsonValueKind.String)
        {
            error = "b is not a string";
            return null;
        }

        string encoded = b.GetString()!;
        byte[] bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
        byte[] ascii = Encoding.ASCII.GetBytes(encoded);
        if (Base64.DecodeFromUtf8(ascii, bytes, out int consumed, out int written) != OperationStatus.Done || consumed != ascii.Length)
        {
            error = "b is not base64";
            return null;
        }

        return written > maxPayloadBytes
            ? TooLarge(requestId, channel)
            : new ChannelRequest { Kind = ChannelRequestKind.Publish, RequestId = requestId, Channel = channel, Key = key, PayloadType = MessageType.Binary, Payload = bytes.AsMemory(0, written) };
    }

    private static ChannelRequest TooLarge(long requestId, string channel) =>
        new() { Kind = ChannelRequestKind.Publish, RequestId = requestId, Channel = channel, Refusal = "too-large" };

    private static bool TryString(JsonElement element, string name, out string? value)
    {
        value = null;
        if (!element.TryGetProperty(name, out JsonElement property) || property.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = property.GetString();
        return true;
    }
}
