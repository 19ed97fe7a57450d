using System.Buffers;
using System.Text.Json;

namespace Duplex.Realtime.Server;

/// <summary>
/// A refusal of docs/PROTOCOL.md §7: a status, the error code clients act on, a sentence for a
/// person, and for some codes one more field (the versions spoken, the acknowledgement, the reason a session ended).
/// </summary>
internal sealed record RealtimeError(int Status, string Code, string Message)
{
    /// <summary>An extra number field (<c>a</c> of <c>sequence-gap</c>).</summary>
    public long? Ack { get; init; }

    /// <summary>An extra string field (<c>reason</c> of <c>session-expired</c>).</summary>
    public string? Reason { get; init; }

    public static RealtimeError UnsupportedVersion(string? asked) =>
        new(400, "unsupported-version", asked is null ? "the v parameter is missing; this server speaks version 1" : $"version {asked} is not spoken here; this server speaks version 1");

    public static RealtimeError Malformed(string detail) => new(400, "malformed-request", detail);

    public static RealtimeError MalformedEnvelope(string detail) => new(400, "malformed-envelope", detail);

    public static RealtimeError AckOutOfRange() => new(400, "ack-out-of-range", "the acknowledgement covers messages the server never sent");

    public static RealtimeError OriginNotAllowed(string origin) => new(403, "origin-not-allowed", $"the origin {origin} may not open sessions here");

    public static RealtimeError Refused(int status) => new(status, "refused", "the application refused this request");

    public static RealtimeError OtherUser() => new(403, "other-user", "this session belongs to another user");

    public static RealtimeError UnknownSession() => new(404, "unknown-session", "there is no such session");

    public static RealtimeError SequenceGap(long received) => new(409, "sequence-gap", "the messages skip numbers; send again from a + 1") { Ack = received };

    public static RealtimeError Expired(string? reason) => new(410, "session-expired", "the session is over") { Reason = reason };

    public static RealtimeError TooLarge(string detail) => new(413, "too-large", detail);

    public static RealtimeError UpgradeRequired() => new(426, "upgrade-required", "this resource speaks WebSocket only");

    public static RealtimeError TooManySessions() => new(503, "too-many-sessions", "the server holds as many sessions as it allows");

    /// <summary>Writes the JSON body.</summary>
    public byte[] ToJson()
    {
        var output = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("error", Code);
            writer.WriteString("message", Message);
            if (Code == "unsupported-version")
            {
                writer.WriteStartArray("versions");
                writer.WriteNumberValue(1);
                writer.WriteEndArray();
            }

            if (Ack is { } ack)
            {
                writer.WriteNumber("a", ack);
            }

            if (Reason is { } reason)
            {
                writer.WriteString("reason", reason);
            }

            writer.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }
}
