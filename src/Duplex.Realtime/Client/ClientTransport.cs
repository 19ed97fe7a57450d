using System.Net;
using System.Text.Json;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Client;

/// <summary>
/// One transport connection of a client session (docs/PROTOCOL.md §4): opened with the client's
/// acknowledgement, up once its <c>o</c> arrives, then carrying envelopes until it drops or the
/// session ends. A transport is used once: a reconnect opens a new one.
/// </summary>
internal abstract class ClientTransport : IAsyncDisposable
{
    protected ClientTransport(RealtimeClient client, ClientSession session)
    {
        Client = client;
        Session = session;
    }

    public abstract RealtimeTransport Kind { get; }

    protected RealtimeClient Client { get; }

    protected ClientSession Session { get; }

    /// <summary>Twice the heartbeat interval: how long a transport may be silent before it is dropped (docs/PROTOCOL.md §6).</summary>
    protected TimeSpan Silence => Session.Answer.Heartbeat * 2;

    /// <summary>
    /// Opens the transport: returns once its <c>o</c> was received and taken (the messages up to
    /// its <c>a</c> dropped from the outbox). Throws <see cref="TransportFailedException"/> when it
    /// cannot (the next transport is tried), <see cref="SessionLostException"/> on 404 or 410.
    /// </summary>
    public abstract Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Carries the session until the transport drops (throws <see cref="TransportFailedException"/>
    /// or <see cref="SessionLostException"/>) or the server ends the session (returns its reason).
    /// </summary>
    public abstract Task<string> RunAsync(CancellationToken cancellationToken);

    /// <summary>Ends the session from the client (after its messages were acknowledged): <c>{"t":"c"}</c> on WebSocket, <c>POST close</c> otherwise.</summary>
    public virtual Task EndSessionAsync(CancellationToken cancellationToken) => Client.PostCloseAsync(Session, cancellationToken);

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Runs a downstream and an upstream together until either ends; then stops the other
    /// (<paramref name="stop"/> breaks what blocks) and reports the first one's end.
    /// </summary>
    protected static async Task<string> RunBothAsync(
        Func<CancellationToken, Task<string>> downstream, Func<CancellationToken, Task> upstream, Action stop, CancellationToken cancellationToken)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<string> reader = downstream(ended.Token);
        Task writer = upstream(ended.Token);
        Task done = await Task.WhenAny(reader, writer).ConfigureAwait(false);
        await ended.CancelAsync().ConfigureAwait(false);
        stop();
        try
        {
            await Task.WhenAll(reader, writer).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not null)
        {
            // Observed: the half that ended first says why, below.
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (done.IsFaulted)
        {
            Exception first = done.Exception!.InnerException!;
            throw first is SessionLostException or TransportFailedException ? first : new TransportFailedException($"the transport broke: {first.Message}", first);
        }

        if (done == reader && reader.IsCompletedSuccessfully)
        {
            return reader.Result;
        }

        throw new TransportFailedException("the transport ended");
    }

    /// <summary>
    /// Takes one envelope from the server. Returns the reason when it is <c>c</c>, null otherwise;
    /// throws <see cref="TransportFailedException"/> on a protocol error (the transport is dropped
    /// and a resume puts things right).
    /// </summary>
    protected async ValueTask<string?> TakeAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        switch (envelope.Type)
        {
            case EnvelopeType.Message or EnvelopeType.Channel:
                if (!await Client.DeliverAsync(Session, envelope, cancellationToken).ConfigureAwait(false))
                {
                    throw new TransportFailedException($"protocol error: message {envelope.Sequence} skips numbers (received {Session.Received}) or acknowledges messages never sent");
                }

                return null;
            case EnvelopeType.Ack or EnvelopeType.Open:
                if (!Session.Acknowledge(envelope.Ack!.Value))
                {
                    throw new TransportFailedException($"protocol error: the server acknowledged {envelope.Ack} of messages never sent");
                }

                return null;
            case EnvelopeType.Close:
                return envelope.Reason ?? RealtimeCloseReasons.Closed;
            default:
                // A heartbeat: a sign of life and nothing more.
                return null;
        }
    }

    /// <summary>Reads one JSON envelope; null for an unknown <c>t</c> (ignored, docs/PROTOCOL.md §3); throws on anything malformed.</summary>
    protected Envelope? ReadEnvelope(ReadOnlySpan<byte> json)
    {
        EnvelopeError error = EnvelopeJson.TryRead(json, Session.Answer.MaxMessageBytes, out Envelope envelope);
        return error switch
        {
            EnvelopeError.None => envelope,
            EnvelopeError.UnknownType => null,
            _ => throw new TransportFailedException($"protocol error: a malformed envelope from the server ({error})"),
        };
    }

    /// <summary>Throws <see cref="SessionLostException"/> for 404 and 410 (with the server's error code or reason).</summary>
    internal static async Task ThrowIfLostAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Gone))
        {
            return;
        }

        string reason = response.StatusCode == HttpStatusCode.Gone ? "session-expired" : "unknown-session";
        string? closeReason = null;
        try
        {
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("reason", out JsonElement why) && why.ValueKind == JsonValueKind.String)
            {
                closeReason = why.GetString();
            }
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException)
        {
            // The status says enough.
        }

        throw new SessionLostException(reason, closeReason);
    }
}
