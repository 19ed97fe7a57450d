using System.Text.Json;

namespace Duplex.Realtime.Client;

/// <summary>The server's answer to <c>negotiate</c> (docs/PROTOCOL.md §2); unknown fields and transports are ignored.</summary>
internal sealed record NegotiateAnswer(
    string Session,
    IReadOnlyList<RealtimeTransport> Transports,
    TimeSpan Heartbeat,
    TimeSpan ResumeWindow,
    TimeSpan PollHold,
    TimeSpan PollInterval,
    int MaxMessageBytes,
    int MaxSendBytes,
    int MaxQueuedMessages,
    long MaxQueuedBytes)
{
    /// <summary>Reads the answer; throws <see cref="InvalidDataException"/> when a field the client needs is missing or out of range.</summary>
    public static NegotiateAnswer Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json.ToArray());
            JsonElement root = document.RootElement;
            if (root.GetProperty("version").GetInt32() != 1)
            {
                throw new InvalidDataException("The server answered negotiate with another protocol version.");
            }

            string session = root.GetProperty("session").GetString() ?? throw new InvalidDataException("The negotiate answer has no session.");
            var transports = new List<RealtimeTransport>();
            foreach (JsonElement name in root.GetProperty("transports").EnumerateArray())
            {
                if (RealtimeTransports.TryParse(name.GetString(), out RealtimeTransport transport) && !transports.Contains(transport))
                {
                    transports.Add(transport);
                }
            }

            JsonElement limits = root.GetProperty("limits");
            var answer = new NegotiateAnswer(
                session,
                transports,
                Milliseconds(root, "heartbeatMs"),
                Milliseconds(root, "resumeWindowMs"),
                Milliseconds(root, "pollHoldMs"),
                Milliseconds(root, "pollIntervalMs"),
                limits.GetProperty("maxMessageBytes").GetInt32(),
                limits.GetProperty("maxSendBytes").GetInt32(),
                limits.GetProperty("maxQueuedMessages").GetInt32(),
                limits.GetProperty("maxQueuedBytes").GetInt64());
            if (answer.MaxMessageBytes <= 0 || answer.MaxSendBytes <= 0 || answer.MaxQueuedMessages <= 0 || answer.MaxQueuedBytes <= 0 ||
                !IsSessionId(session))
            {
                throw new InvalidDataException("The negotiate answer's limits or session id are out of range.");
            }

            return answer;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The negotiate answer is malformed: {ex.Message}", ex);
        }
    }

    /// <summary>docs/PROTOCOL.md §1: base64url of at least 16 bytes (22 characters); a client takes any such id.</summary>
    private static bool IsSessionId(string id) =>
        id.Length >= Protocol.SessionId.Length && id.Length <= 256 && !id.AsSpan().ContainsAnyExcept(SessionIdAlphabet);

    private static readonly System.Buffers.SearchValues<char> SessionIdAlphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static TimeSpan Milliseconds(JsonElement root, string name)
    {
        long value = root.GetProperty(name).GetInt64();
        if (value <= 0)
        {
            throw new InvalidDataException($"The negotiate answer's {name} is not positive.");
        }

        return TimeSpan.FromMilliseconds(value);
    }
}
