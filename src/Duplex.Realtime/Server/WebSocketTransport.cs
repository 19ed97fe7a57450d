using System.Buffers;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Server;

/// <summary>
/// A session on a WebSocket (docs/PROTOCOL.md §4): one envelope per frame both ways, text frames
/// for JSON envelopes, binary frames for binary messages. A writer sends what the session has for
/// the client (with acknowledgements piggybacked) and a heartbeat after each silent interval; the
/// reader takes the client's envelopes. Either ending ends both; the session then waits for its
/// client to come back.
/// </summary>
internal sealed class WebSocketTransport
{
    private readonly RealtimeEndpoint _endpoint;
    private readonly RealtimeSession _session;
    private readonly TransportLease _lease;
    private readonly WebSocketConnection _connection;
    private readonly int _maxMessageBytes;

    public WebSocketTransport(RealtimeEndpoint endpoint, RealtimeSession session, TransportLease lease, WebSocketConnection connection)
    {
        _endpoint = endpoint;
        _session = session;
        _lease = lease;
        _connection = connection;
        _maxMessageBytes = endpoint.Options.MaxMessageBytes;
    }

    public async Task RunAsync(Envelope open)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(_lease.Dropped);
        Task writer = WriteAsync(open, ended);
        string? fault = null;
        try
        {
            fault = await ReadAsync(ended.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or WebSocketClosedException)
        {
            // The connection broke or was dropped: the session waits for a new one.
        }

        if (fault is not null)
        {
            // docs/PROTOCOL.md §7: a broken envelope ends the session; the writer sends the close.
            _endpoint.Log.TransportEnded("websocket", fault);
            _session.Close(RealtimeCloseReasons.ProtocolError);
        }
        else if (_session.State != RealtimeSessionState.Closed)
        {
            // The client went or the lease was replaced: the writer has nothing more to do.
            await ended.CancelAsync().ConfigureAwait(false);
        }

        // A writer still sending the close to a peer that does not read is bounded by the close timeout.
        try
        {
            await writer.WaitAsync(_endpoint.WebSocketOptions.CloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await ended.CancelAsync().ConfigureAwait(false);
            _connection.Abort();
        }

        _session.Detach(_lease);
        await CloseAsync().ConfigureAwait(false);
    }

    /// <summary>Reads the client's envelopes until the connection ends; returns a fault that must end the session, or null.</summary>
    private async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        var one = new Envelope[1];
        await foreach (WebSocketMessage message in _connection.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
        {
            Envelope envelope;
            if (message.Type == MessageType.Binary)
            {
                if (BinaryEnvelope.TryRead(message.Data, out long sequence, out ReadOnlyMemory<byte> payload) != EnvelopeError.None)
                {
                    return "a binary frame that is not a binary message envelope";
                }

                if (payload.Length > _maxMessageBytes)
                {
                    return "a message over the size limit";
                }

                // The frame's memory is the connection's until the next receive: the message keeps a copy.
                envelope = Envelope.Message(sequence, MessageType.Binary, payload.ToArray());
            }
            else
            {
                EnvelopeError error = EnvelopeJson.TryRead(message.Data.Span, _maxMessageBytes, out envelope);
                if (error != EnvelopeError.None)
                {
                    return $"a malformed envelope ({error})";
                }
            }

            switch (envelope.Type)
            {
                case EnvelopeType.Close:
                    _session.Close(RealtimeCloseReasons.Closed);
                    return null;
                case EnvelopeType.Message or EnvelopeType.Channel or EnvelopeType.Ack:
                    one[0] = envelope;
                    InboundResult result = _session.Receive(one, out _);
                    if (result is InboundResult.Gap or InboundResult.AckOutOfRange)
                    {
                        return result == InboundResult.Gap ? "messages skipped numbers" : "an acknowledgement of messages never sent";
                    }

                    if (result is InboundResult.QueueFull or InboundResult.Closed)
                    {
                        return null;
                    }

                    break;
                default:
                    return $"the client may not send '{(char)envelope.Type}'";
            }
        }

        return null;
    }

    /// <summary>Sends <paramref name="open"/>, then what the session has for the client, until the lease ends or the session closes.</summary>
    private async Task WriteAsync(Envelope open, CancellationTokenSource ended)
    {
        var json = new ArrayBufferWriter<byte>(256);
        var batch = new List<Envelope>();
        byte[] header = new byte[BinaryEnvelope.MaxHeaderSize];
        byte[]? binary = null;
        TimeSpan heartbeat = _endpoint.Options.HeartbeatInterval;
        try
        {
            await SendJsonAsync(json, open, ended.Token).ConfigureAwait(false);
            while (!ended.IsCancellationRequested)
            {
                if (!await _session.WaitOutboundAsync(_lease, heartbeat, acknowledgements: true, ended.Token).ConfigureAwait(false))
                {
                    // docs/PROTOCOL.md §6: a browser cannot see pings; a heartbeat envelope shows the server is alive.
                    await SendJsonAsync(json, Envelope.Heartbeat, ended.Token).ConfigureAwait(false);
                    continue;
                }

                if (ended.IsCancellationRequested)
                {
                    break;
                }

                batch.Clear();
                bool closed = _session.TakeOutbound(_lease, batch, _endpoint.Options.MaxSendBytes, acknowledgements: true);
                foreach (Envelope envelope in batch)
                {
                    if (envelope.Type == EnvelopeType.Message && envelope.PayloadType == MessageType.Binary)
                    {
                        int length = BinaryEnvelope.WriteHeader(header, envelope.Sequence);
                        int size = length + envelope.Payload.Length;
                        if (binary is null || binary.Length < size)
                        {
                            binary = new byte[Math.Max(size, 256)];
                        }

                        header.AsSpan(0, length).CopyTo(binary);
                        envelope.Payload.Span.CopyTo(binary.AsSpan(length));
                        await _connection.SendAsync(MessageType.Binary, binary.AsMemory(0, size), ended.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        await SendJsonAsync(json, envelope, ended.Token).ConfigureAwait(false);
                    }
                }

                if (closed)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or WebSocketClosedException)
        {
            // The connection is going; the reader sees it too.
        }
        finally
        {
            await ended.CancelAsync().ConfigureAwait(false);
        }
    }

    private ValueTask SendJsonAsync(ArrayBufferWriter<byte> json, in Envelope envelope, CancellationToken cancellationToken)
    {
        json.ResetWrittenCount();
        EnvelopeJson.Write(json, envelope);
        return _connection.SendAsync(MessageType.Text, json.WrittenMemory, cancellationToken);
    }

    /// <summary>Closes the WebSocket with a code that says why: 1008 after a protocol error, 1000 otherwise (replaced, ended, closed).</summary>
    private async Task CloseAsync()
    {
        if (_connection.State is not (WebSocketConnectionState.Open or WebSocketConnectionState.CloseReceived))
        {
            return;
        }

        (CloseStatus status, string reason) = _session.CloseReason switch
        {
            RealtimeCloseReasons.ProtocolError => (CloseStatus.PolicyViolation, RealtimeCloseReasons.ProtocolError),
            null => (CloseStatus.NormalClosure, "replaced"),
            { } other => (other == RealtimeCloseReasons.Shutdown ? CloseStatus.GoingAway : CloseStatus.NormalClosure, other),
        };
        try
        {
            await _connection.CloseAsync(status, reason).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            _connection.Abort();
        }
    }
}
