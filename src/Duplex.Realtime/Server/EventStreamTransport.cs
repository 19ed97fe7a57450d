using System.Buffers;
using System.Buffers.Text;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Server;

/// <summary>
/// A session's downstream as Server-Sent Events (docs/PROTOCOL.md §4; WHATWG HTML "Server-sent
/// events"): <c>retry:</c> first, the <c>o</c> envelope, then each message as an event whose
/// <c>id:</c> is its number (so a browser's EventSource resumes with Last-Event-ID), a comment
/// after each silent heartbeat interval, every piece flushed at once. The upstream is <c>send</c>.
/// </summary>
internal sealed class EventStreamTransport
{
    /// <summary>How soon an EventSource retries after the stream drops: 1 s.</summary>
    private static ReadOnlySpan<byte> Preamble => "retry: 1000\n\n"u8;

    private static readonly byte[] HeartbeatComment = ": h\n\n"u8.ToArray();

    /// <summary>The heartbeat as an event (<c>hb=event</c>), for clients that cannot see comments.</summary>
    private static readonly byte[] HeartbeatEvent = "data: {\"t\":\"h\"}\n\n"u8.ToArray();

    private readonly byte[] _heartbeat;

    private readonly RealtimeEndpoint _endpoint;
    private readonly RealtimeSession _session;
    private readonly TransportLease _lease;
    private readonly HttpExchange _exchange;

    public EventStreamTransport(RealtimeEndpoint endpoint, RealtimeSession session, TransportLease lease, HttpExchange exchange, bool heartbeatEvents = false)
    {
        _heartbeat = heartbeatEvents ? HeartbeatEvent : HeartbeatComment;
        _endpoint = endpoint;
        _session = session;
        _lease = lease;
        _exchange = exchange;
    }

    public async Task RunAsync(Envelope open, CancellationToken requestAborted)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(_lease.Dropped, requestAborted);
        var output = new ArrayBufferWriter<byte>(1024);
        var batch = new List<Envelope>();
        TimeSpan heartbeat = _endpoint.Options.HeartbeatInterval;
        _exchange.StatusCode = 200;
        _exchange.ResponseHeaders.Set("Content-Type", "text/event-stream");
        _exchange.ResponseHeaders.Set("Cache-Control", "no-store");

        // Asks reverse proxies that buffer by default (nginx) not to hold the stream back.
        _exchange.ResponseHeaders.Set("X-Accel-Buffering", "no");
        try
        {
            Write(output, Preamble);
            AppendEvent(output, open);
            await FlushAsync(output, ended.Token).ConfigureAwait(false);
            // The heartbeat follows the last write, not the last wake-up: the client's own sends
            // wake the writer too, and restarting the interval on each of them would let a client
            // that shows it is alive every interval keep the stream silent.
            long lastWriteMs = Environment.TickCount64;
            while (true)
            {
                double left = heartbeat.TotalMilliseconds - (Environment.TickCount64 - lastWriteMs);
                bool ready = left > 0 && await _session.WaitOutboundAsync(_lease, TimeSpan.FromMilliseconds(left), acknowledgements: false, ended.Token).ConfigureAwait(false);
                if (ended.IsCancellationRequested)
                {
                    break;
                }

                batch.Clear();
                bool closed = ready && _session.TakeOutbound(_lease, batch, _endpoint.Options.MaxSendBytes, acknowledgements: false);
                if (batch.Count == 0)
                {
                    if (Environment.TickCount64 - lastWriteMs >= heartbeat.TotalMilliseconds)
                    {
                        Write(output, _heartbeat);
                        await FlushAsync(output, ended.Token).ConfigureAwait(false);
                        lastWriteMs = Environment.TickCount64;
                    }

                    continue;
                }

                foreach (Envelope envelope in batch)
                {
                    AppendEvent(output, envelope);
                }

                await FlushAsync(output, ended.Token).ConfigureAwait(false);
                lastWriteMs = Environment.TickCount64;
                if (closed)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            _endpoint.Log.TransportEnded("sse", ex.GetType().Name);
        }
        finally
        {
            _session.Detach(_lease);
        }
    }

    /// <summary>One event: <c>id:</c> for a numbered envelope (a message or a channel envelope), then its envelope as one <c>data:</c> line (JSON has no raw newlines).</summary>
    private static void AppendEvent(ArrayBufferWriter<byte> output, in Envelope envelope)
    {
        if (envelope.IsNumbered)
        {
            Write(output, "id: "u8);
            Span<byte> number = output.GetSpan(20);
            Utf8Formatter.TryFormat(envelope.Sequence, number, out int written);
            output.Advance(written);
            Write(output, "\n"u8);
        }

        Write(output, "data: "u8);
        EnvelopeJson.Write(output, envelope);
        Write(output, "\n\n"u8);
    }

    private async ValueTask FlushAsync(ArrayBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        await _exchange.WriteAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        output.ResetWrittenCount();
        await _exchange.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Write(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);
}
