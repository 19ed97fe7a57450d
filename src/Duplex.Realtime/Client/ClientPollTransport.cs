using System.Net;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Client;

/// <summary>
/// The session on polls (docs/PROTOCOL.md §4): long polling (each poll held by the server until
/// something waits, the next sent as soon as an answer arrives) or short polling (<c>wait=0</c>,
/// one every interval); each poll carries the client's acknowledgement and is answered with
/// <c>o</c> and the waiting messages. Opening is a first poll with <c>wait=0</c>, so that its
/// <c>o</c> comes at once on both. At most one poll is outstanding; a lost answer costs nothing
/// (the next poll asks from the same acknowledgement). The upstream is <see cref="HttpUpstream"/>.
/// </summary>
internal sealed class ClientPollTransport(RealtimeClient client, ClientSession session, bool longPolling) : ClientTransport(client, session)
{
    private readonly CancellationTokenSource _stop = new();

    public override RealtimeTransport Kind => longPolling ? RealtimeTransport.LongPolling : RealtimeTransport.Polling;

    private TimeSpan Interval => Client.Options.PollInterval ?? Session.Answer.PollInterval;

    public override async Task OpenAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Client.Options.OpenTimeout);
        try
        {
            List<Envelope> answer = await PollAsync(wait: false, deadline.Token).ConfigureAwait(false);
            if (answer.Count == 0 || answer[0].Type != EnvelopeType.Open)
            {
                throw new TransportFailedException("the first poll's answer does not start with an open envelope");
            }

            if (await TakeAllAsync(answer, cancellationToken).ConfigureAwait(false) is { } closed)
            {
                // Ended already: the next run reports it.
                _closed = closed;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw ex as TransportFailedException ?? new TransportFailedException(ex is OperationCanceledException ? "no answer to the first poll in time" : $"the first poll failed: {ex.Message}", ex) { Transient = ex is not OperationCanceledException };
        }
    }

    private string? _closed;

    public override Task<string> RunAsync(CancellationToken cancellationToken) =>
        _closed is { } closed
            ? Task.FromResult(closed)
            : RunBothAsync(PollLoopAsync, new HttpUpstream(Client, Session, heartbeats: false).RunAsync, _stop.Cancel, cancellationToken);

    public override ValueTask DisposeAsync()
    {
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> PollLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!longPolling)
            {
                await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
            }

            List<Envelope> answer;
            try
            {
                answer = await PollAsync(wait: longPolling, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw ex as TransportFailedException ?? new TransportFailedException(ex is OperationCanceledException ? "a poll's answer did not come in time" : $"a poll failed: {ex.Message}", ex);
            }

            Client.Statistics.AddTransportOpened();
            if (await TakeAllAsync(answer, cancellationToken).ConfigureAwait(false) is { } closed)
            {
                return closed;
            }
        }
    }

    private async Task<string?> TakeAllAsync(List<Envelope> answer, CancellationToken cancellationToken)
    {
        foreach (Envelope envelope in answer)
        {
            if (await TakeAsync(envelope, cancellationToken).ConfigureAwait(false) is { } closed)
            {
                return closed;
            }
        }

        return null;
    }

    /// <summary>One poll with the acknowledgement as it stands; its answer's envelopes (unknown types left out).</summary>
    private async Task<List<Envelope>> PollAsync(bool wait, CancellationToken cancellationToken)
    {
        // docs/PROTOCOL.md §6: a held poll is answered within the hold (at most one interval); an
        // answer not in after two intervals is lost, and the transport with it.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        timeout.CancelAfter(Silence > Session.Answer.PollHold ? Silence : Session.Answer.PollHold + Session.Answer.Heartbeat);
        long ack = Session.Received;
        using HttpRequestMessage request = Client.NewRequest(HttpMethod.Get, Client.Route("poll", Session, ack, waitZero: !wait));
        using HttpResponseMessage response = await Client.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        await ThrowIfLostAsync(response, timeout.Token).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new TransportFailedException($"a poll was answered {(int)response.StatusCode}");
        }

        byte[] body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        Session.AckSent(ack);
        var envelopes = new List<Envelope>();
        EnvelopeError error = EnvelopeJson.TryReadArray(body, int.MaxValue, Session.Answer.MaxMessageBytes, envelopes);
        if (error != EnvelopeError.None)
        {
            // An envelope of a type this client does not know is to be ignored, not refused; the
            // array reader stops at it, so read the elements one by one in that rare case.
            if (error != EnvelopeError.UnknownType)
            {
                throw new TransportFailedException($"protocol error: a malformed poll answer ({error})");
            }

            envelopes = ReadEach(body);
        }

        return envelopes;
    }

    private List<Envelope> ReadEach(byte[] body)
    {
        var envelopes = new List<Envelope>();
        using var document = System.Text.Json.JsonDocument.Parse(body);
        foreach (System.Text.Json.JsonElement element in document.RootElement.EnumerateArray())
        {
            if (ReadEnvelope(System.Text.Encoding.UTF8.GetBytes(element.GetRawText())) is { } envelope)
            {
                envelopes.Add(envelope);
            }
        }

        return envelopes;
    }
}
