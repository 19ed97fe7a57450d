using System.Buffers;
using System.Net;
using Duplex.Realtime.Protocol;
using Duplex.Realtime.Sessions;

namespace Duplex.Realtime.Client;

/// <summary>
/// The session on a WebSocket (docs/PROTOCOL.md §4): <c>ws?ack=N</c>, the <c>o</c> in the first
/// text frame, then one envelope per frame both ways: text messages with the acknowledgement
/// piggybacked, binary messages as binary envelopes, an acknowledgement alone when nothing else
/// goes. The server is alive while frames (its heartbeats among them) arrive; the client shows it
/// is alive by answering the server's pings.
/// </summary>
internal sealed class ClientWebSocketTransport(RealtimeClient client, ClientSession session) : ClientTransport(client, session)
{
    private WebSocketConnection? _connection;
    private long _sentUpTo;

    public override RealtimeTransport Kind => RealtimeTransport.WebSocket;

    public override async Task OpenAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Client.Options.OpenTimeout);
        try
        {
            if (Client.WebSocketCountsItself)
            {
                Client.Statistics.AddTcpConnection();
            }

            _connection = await WebSocketClient.ConnectAsync(Client.WebSocketUri(Session), Client.WebSocketOptions, deadline.Token).ConfigureAwait(false);
            WebSocketMessage first = await _connection.ReceiveAsync(deadline.Token).ConfigureAwait(false);
            CountReceived(first);
            if (first.Type != MessageType.Text || ReadEnvelope(first.Data.Span) is not { Type: EnvelopeType.Open } open)
            {
                throw new TransportFailedException(first.Type == MessageType.Close
                    ? $"the WebSocket closed before its open envelope ({(int?)_connection.CloseStatus} {_connection.CloseStatusDescription})"
                    : "the WebSocket's first frame is not an open envelope");
            }

            await TakeAsync(open, cancellationToken).ConfigureAwait(false);
            _sentUpTo = open.Ack!.Value;
        }
        catch (WebSocketHandshakeException ex) when (ex.StatusCode is (int)HttpStatusCode.NotFound or (int)HttpStatusCode.Gone)
        {
            throw new SessionLostException(ex.StatusCode == (int)HttpStatusCode.Gone ? "session-expired" : "unknown-session");
        }
        catch (WebSocketHandshakeException ex)
        {
            throw new TransportFailedException(ex.StatusCode == 0 ? $"the WebSocket failed: {ex.Message}" : $"the WebSocket upgrade was refused with {ex.StatusCode}", ex) { Transient = ex.StatusCode == 0 };
        }
        catch (Exception ex) when (ex is IOException or WebSocketClosedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw ex as TransportFailedException ?? new TransportFailedException(ex is OperationCanceledException ? "no open envelope on the WebSocket in time" : $"the WebSocket failed before its open envelope: {ex.Message}", ex) { Transient = ex is not OperationCanceledException };
        }
    }

    public override async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task writer = WriteAsync(ended.Token);
        try
        {
            return await ReadAsync(ended.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or WebSocketClosedException or ObjectDisposedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw ex as TransportFailedException ?? new TransportFailedException(ex is OperationCanceledException ? "the WebSocket was silent for two heartbeat intervals" : $"the WebSocket broke: {ex.Message}", ex);
        }
        finally
        {
            await ended.CancelAsync().ConfigureAwait(false);
            _connection!.Abort();
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or WebSocketClosedException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                // The writer ends with its connection.
            }
        }
    }

    public override async Task EndSessionAsync(CancellationToken cancellationToken)
    {
        if (_connection is not { State: WebSocketConnectionState.Open })
        {
            await base.EndSessionAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        ReadOnlyMemory<byte> close = EnvelopeJson.ToBytes(Envelope.Close());
        await _connection.SendAsync(MessageType.Text, close, cancellationToken).ConfigureAwait(false);
        CountSent(close.Length);
        // The reader is receiving: only the close frame goes from here, and the reader takes the server's.
        await _connection.CloseOutputAsync(CloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
        await _connection.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            _connection.Abort();
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<string> ReadAsync(CancellationToken cancellationToken)
    {
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            silence.CancelAfter(Silence);
            WebSocketMessage message = await _connection!.ReceiveAsync(silence.Token).ConfigureAwait(false);
            silence.CancelAfter(Timeout.InfiniteTimeSpan);
            CountReceived(message);
            Envelope? envelope;
            switch (message.Type)
            {
                case MessageType.Close:
                    throw new TransportFailedException($"the WebSocket closed ({(int?)_connection.CloseStatus} {_connection.CloseStatusDescription})".TrimEnd());
                case MessageType.Binary:
                    if (BinaryEnvelope.TryRead(message.Data, out long sequence, out ReadOnlyMemory<byte> payload) != EnvelopeError.None ||
                        payload.Length > Session.Answer.MaxMessageBytes)
                    {
                        throw new TransportFailedException("protocol error: a binary frame that is not a binary message envelope");
                    }

                    // The frame is the connection's until the next receive: the message keeps a copy.
                    envelope = Envelope.Message(sequence, MessageType.Binary, payload.ToArray());
                    break;
                default:
                    envelope = ReadEnvelope(message.Data.Span);
                    break;
            }

            if (envelope is { } taken && await TakeAsync(taken, cancellationToken).ConfigureAwait(false) is { } closed)
            {
                return closed;
            }
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var batch = new List<OutboxEntry>();
        var json = new ArrayBufferWriter<byte>(256);
        byte[] frame = new byte[256];
        for (bool first = true; ; first = false)
        {
            // The first pass sends what waits already (queued offline, or not acknowledged before the drop).
            if (!first)
            {
                // Woken by a message to send or a delivery; an acknowledgement alone waits its short delay.
                await Session.WaitAsync(Session.PureAckWait(), cancellationToken).ConfigureAwait(false);
            }

            while (true)
            {
                batch.Clear();
                Session.Collect(_sentUpTo, 64 * 1024, 64, batch);
                foreach (OutboxEntry entry in batch)
                {
                    if (entry.Type == MessageType.Binary && entry.Kind == EnvelopeType.Message)
                    {
                        int size = BinaryEnvelope.HeaderSize(entry.Sequence) + entry.Payload.Length;
                        if (frame.Length < size)
                        {
                            frame = new byte[Math.Max(size, frame.Length * 2)];
                        }

                        int header = BinaryEnvelope.WriteHeader(frame, entry.Sequence);
                        entry.Payload.Span.CopyTo(frame.AsSpan(header));
                        await _connection!.SendAsync(MessageType.Binary, frame.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                        CountSent(size);
                    }
                    else
                    {
                        long? ack = null;
                        if (Session.AckDue)
                        {
                            ack = Session.Received;
                        }

                        await SendJsonAsync(json, entry.Kind == EnvelopeType.Channel ? Envelope.Channel(entry.Sequence, entry.Payload, ack) : Envelope.Message(entry.Sequence, MessageType.Text, entry.Payload, ack), cancellationToken).ConfigureAwait(false);
                        if (ack is { } sent)
                        {
                            Session.AckSent(sent);
                        }
                    }

                    _sentUpTo = entry.Sequence;
                }

                if (batch.Count == 0)
                {
                    break;
                }
            }

            if (Session.PureAckWait() == TimeSpan.Zero)
            {
                long ack = Session.Received;
                await SendJsonAsync(json, Envelope.Acknowledge(ack), cancellationToken).ConfigureAwait(false);
                Session.AckSent(ack);
            }
        }
    }

    private async ValueTask SendJsonAsync(ArrayBufferWriter<byte> json, Envelope envelope, CancellationToken cancellationToken)
    {
        json.ResetWrittenCount();
        EnvelopeJson.Write(json, envelope);
        await _connection!.SendAsync(MessageType.Text, json.WrittenMemory, cancellationToken).ConfigureAwait(false);
        CountSent(json.WrittenCount);
    }

    /// <summary>A frame's bytes on the wire: 2, 4 or 10 bytes of header, the mask (the client masks), the payload.</summary>
    private void CountSent(int payload)
    {
        if (Client.WebSocketCountsItself)
        {
            Client.Statistics.AddSent(FrameHeader(payload) + 4 + payload);
        }
    }

    private void CountReceived(WebSocketMessage message)
    {
        if (message.Type != MessageType.Close && Client.WebSocketCountsItself)
        {
            Client.Statistics.AddReceived(FrameHeader(message.Data.Length) + message.Data.Length);
        }
    }

    private static int FrameHeader(int payload) => payload < 126 ? 2 : payload <= ushort.MaxValue ? 4 : 10;
}
