using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Duplex.Realtime.Protocol;
using Duplex.Realtime.Sessions;

namespace Duplex.Realtime.Client;

/// <summary>
/// The upstream of the HTTP transports (docs/PROTOCOL.md §4, <c>send</c>): exactly one POST
/// outstanding, carrying every message not yet acknowledged (from the acknowledgement on, so a
/// retry after a failure or a lost answer sends the same numbers again, with newer ones after
/// them) and the client's acknowledgement; the answer's <c>a</c> drops what it covers. A 409
/// moves the next send to the server's number. On SSE it also sends an acknowledgement alone
/// after each heartbeat interval with nothing else sent (docs/PROTOCOL.md §6).
/// </summary>
internal sealed class HttpUpstream(RealtimeClient client, ClientSession session, bool heartbeats)
{
    private const int Attempts = 4;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<OutboxEntry>();
        TimeSpan interval = heartbeats ? session.Answer.Heartbeat : Timeout.InfiniteTimeSpan;
        long lastSendMs = Environment.TickCount64;
        for (bool first = true; ; first = false)
        {
            // The first pass sends what waits already (queued offline, or not acknowledged before the drop).
            if (!first)
            {
                await session.WaitAsync(NextWait(interval, lastSendMs), cancellationToken).ConfigureAwait(false);
            }

            while (true)
            {
                batch.Clear();
                session.Collect(0, session.Answer.MaxSendBytes - 64, session.Answer.MaxQueuedMessages - 1, batch);

                // On the polling transports a poll carries the acknowledgement; on SSE only a send
                // does: one alone once its short delay passed (more messages may come to share it),
                // and one after each heartbeat interval with nothing else sent (PROTOCOL §6).
                bool ack = heartbeats && (session.PureAckWait() == TimeSpan.Zero || Environment.TickCount64 - lastSendMs >= interval.TotalMilliseconds);
                if (batch.Count == 0 && !ack)
                {
                    break;
                }

                await SendAsync(cancellationToken).ConfigureAwait(false);
                lastSendMs = Environment.TickCount64;
                if (batch.Count == 0)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Until the next heartbeat send or the pending acknowledgement's deadline, whichever comes first.</summary>
    private TimeSpan NextWait(TimeSpan interval, long lastSendMs)
    {
        if (!heartbeats)
        {
            return Timeout.InfiniteTimeSpan;
        }

        double beat = Math.Max(0, interval.TotalMilliseconds - (Environment.TickCount64 - lastSendMs));
        TimeSpan ack = session.PureAckWait();
        return ack == Timeout.InfiniteTimeSpan || ack.TotalMilliseconds > beat ? TimeSpan.FromMilliseconds(beat) : ack;
    }

    /// <summary>POSTs what is unacknowledged (and the acknowledgement), again on a failure, a lost answer or a 409, a bounded number of times.</summary>
    private async Task SendAsync(CancellationToken cancellationToken)
    {
        var batch = new List<OutboxEntry>();
        var body = new ArrayBufferWriter<byte>(1024);
        var one = new ArrayBufferWriter<byte>(256);
        int maxBody = session.Answer.MaxSendBytes;
        for (int attempt = 0; ; attempt++)
        {
            batch.Clear();
            session.Collect(0, maxBody, session.Answer.MaxQueuedMessages - 1, batch);
            long ack = session.Received;
            byte[] ackJson = EnvelopeJson.ToBytes(Envelope.Acknowledge(ack));

            // As many messages as fit in maxSendBytes with the acknowledgement after them, measured
            // as written (escapes and base64 included); the first goes whatever its size.
            body.ResetWrittenCount();
            body.Write("["u8);
            foreach (OutboxEntry entry in batch)
            {
                one.ResetWrittenCount();
                EnvelopeJson.Write(one, entry.Kind == EnvelopeType.Channel ? Envelope.Channel(entry.Sequence, entry.Payload) : Envelope.Message(entry.Sequence, entry.Type, entry.Payload));
                if (body.WrittenCount > 1 && body.WrittenCount + one.WrittenCount + ackJson.Length + 2 > maxBody)
                {
                    break;
                }

                body.Write(one.WrittenSpan);
                body.Write(","u8);
            }

            body.Write(ackJson);
            body.Write("]"u8);
            string? failure;
            try
            {
                failure = await PostAsync(body.WrittenMemory, ack, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failure = ex is TaskCanceledException ? "a send's answer did not come in time" : $"a send failed: {ex.Message}";
            }

            if (failure is null)
            {
                return;
            }

            if (attempt + 1 >= Attempts)
            {
                throw new TransportFailedException(failure);
            }

            client.Log.SendRetried(failure);
            await Task.Delay(TimeSpan.FromMilliseconds(50 << attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One POST; null when it was taken, else why to try again. Throws for 404/410 and for refusals a retry cannot mend.</summary>
    private async Task<string?> PostAsync(ReadOnlyMemory<byte> body, long ack, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(session.Answer.Heartbeat * 2);
        using HttpRequestMessage request = client.NewRequest(HttpMethod.Post, client.Route("send", session));
        request.Content = new ReadOnlyMemoryContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        await ClientTransport.ThrowIfLostAsync(response, timeout.Token).ConfigureAwait(false);
        byte[] answer = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                if (EnvelopeJson.TryRead(answer, 0, out Envelope taken) != EnvelopeError.None || taken.Type != EnvelopeType.Ack)
                {
                    throw new TransportFailedException("protocol error: a send's answer is not an acknowledgement");
                }

                if (!session.Acknowledge(taken.Ack!.Value))
                {
                    throw new TransportFailedException($"protocol error: the server acknowledged {taken.Ack} of messages never sent");
                }

                session.AckSent(ack);
                return null;
            case HttpStatusCode.Conflict:
                // docs/PROTOCOL.md §4: the server has up to "a"; the next send starts after it.
                long received = ReadGap(answer);
                if (received < session.Acknowledged || !session.Acknowledge(received))
                {
                    throw new TransportFailedException($"protocol error: a sequence gap at {received}, which the client cannot resend from");
                }

                return $"sequence gap: the server has up to {received}";
            case >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests:
                return $"a send was answered {(int)response.StatusCode}";
            default:
                throw new TransportFailedException($"a send was refused with {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}");
        }
    }

    private static long ReadGap(byte[] answer)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(answer);
            return document.RootElement.GetProperty("a").GetInt64();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new TransportFailedException("protocol error: a 409 without the server's number", ex);
        }
    }
}
