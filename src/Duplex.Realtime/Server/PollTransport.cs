using System.Buffers;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Server;

/// <summary>
/// One poll (docs/PROTOCOL.md §4): answered with the <c>o</c> envelope and the messages waiting
/// after the poll's acknowledgement, at once (short polling) or once something waits or the hold
/// passes (long polling). A newer poll for the session drops this one's lease, which then answers
/// <c>[]</c> at once: at most one poll is held per session. A lost answer costs nothing: the next
/// poll carries the old acknowledgement and gets the same messages again.
/// </summary>
internal static class PollTransport
{
    public static async Task AnswerAsync(RealtimeEndpoint endpoint, RealtimeSession session, TransportLease lease, HttpExchange exchange, bool hold, CancellationToken requestAborted)
    {
        var batch = new List<Envelope>();
        bool replaced = false;
        try
        {
            if (hold)
            {
                // Held until a message waits (a wake-up for anything else, such as an
                // acknowledgement, waits on), the hold passes, a newer poll replaces this one, or
                // the session ends.
                using var ended = CancellationTokenSource.CreateLinkedTokenSource(lease.Dropped, requestAborted);
                long deadline = Environment.TickCount64 + (long)endpoint.Options.PollHold.TotalMilliseconds;
                while (!ended.IsCancellationRequested && !session.HasOutbound(lease))
                {
                    long remaining = deadline - Environment.TickCount64;
                    if (remaining <= 0)
                    {
                        break;
                    }

                    await session.WaitOutboundAsync(lease, TimeSpan.FromMilliseconds(remaining), acknowledgements: false, ended.Token).ConfigureAwait(false);
                }

                replaced = lease.IsDropped && session.State != RealtimeSessionState.Closed;
                requestAborted.ThrowIfCancellationRequested();
            }

            if (!replaced)
            {
                // The open envelope says what the server holds now, at the answer.
                batch.Add(session.OpenNow(lease));
                session.TakeOutbound(lease, batch, endpoint.Options.MaxSendBytes, acknowledgements: false);
            }

            var output = new ArrayBufferWriter<byte>(256);
            EnvelopeJson.WriteArray(output, batch.ToArray());
            exchange.ResponseHeaders.Set("Cache-Control", "no-store");
            await exchange.RespondAsync(200, "application/json", output.WrittenMemory, requestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went while its poll was held: the next poll asks again.
            endpoint.Log.TransportEnded("poll", ex.GetType().Name);
        }
    }
}
