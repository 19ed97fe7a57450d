using System.Net;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Client;

/// <summary>
/// The session on Server-Sent Events (docs/PROTOCOL.md §4): <c>GET sse?ack=N</c> read as it
/// comes (the response headers first, then the body in pieces) through
/// <see cref="ServerSentEventParser"/>, each event's data one envelope, the <c>o</c> first; the
/// upstream is <see cref="HttpUpstream"/>. A stream with no <c>o</c> within the open timeout (a
/// gateway holding responses until complete) fails, so the next transport is tried. The server is
/// alive while bytes (its <c>: h</c> comments among them) arrive.
/// </summary>
internal sealed class ClientEventStreamTransport(RealtimeClient client, ClientSession session) : ClientTransport(client, session)
{
    private readonly Queue<ServerSentEvent> _pending = new();
    private readonly List<ServerSentEvent> _parsed = new();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private ServerSentEventParser? _parser;
    private HttpResponseMessage? _response;
    private Stream? _stream;

    public override RealtimeTransport Kind => RealtimeTransport.ServerSentEvents;

    public override async Task OpenAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Client.Options.OpenTimeout);
        try
        {
            using HttpRequestMessage request = Client.NewRequest(HttpMethod.Get, Client.Route("sse", Session, Session.Received));
            request.Headers.Accept.ParseAdd("text/event-stream");
            _response = await Client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            await ThrowIfLostAsync(_response, deadline.Token).ConfigureAwait(false);
            if (_response.StatusCode != HttpStatusCode.OK || _response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                throw new TransportFailedException($"the event stream was answered {(int)_response.StatusCode} {_response.Content.Headers.ContentType?.MediaType}".TrimEnd());
            }

            _stream = await _response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);

            // An event is one envelope; a line holds an envelope's JSON, base64 making it up to 4/3 of the message.
            _parser = new ServerSentEventParser(Math.Max(Session.Answer.MaxSendBytes, (Session.Answer.MaxMessageBytes / 3 * 4) + 1024) + 64);
            if (await NextEventAsync(deadline.Token).ConfigureAwait(false) is not { } first ||
                ReadEnvelope(first.Data) is not { Type: EnvelopeType.Open } open)
            {
                throw new TransportFailedException("the event stream's first event is not an open envelope");
            }

            await TakeAsync(open, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw ex as TransportFailedException ?? new TransportFailedException(ex is OperationCanceledException ? "no open envelope on the event stream in time" : $"the event stream failed: {ex.Message}", ex) { Transient = ex is not OperationCanceledException };
        }
    }

    public override Task<string> RunAsync(CancellationToken cancellationToken) =>
        RunBothAsync(ReadAsync, new HttpUpstream(Client, Session, heartbeats: true).RunAsync, () => _response?.Dispose(), cancellationToken);

    public override ValueTask DisposeAsync()
    {
        _response?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            silence.CancelAfter(Silence);
            ServerSentEvent? next;
            try
            {
                next = await NextAsync(silence.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TransportFailedException("the event stream was silent for two heartbeat intervals");
            }
            catch (IOException ex)
            {
                throw new TransportFailedException($"the event stream broke: {ex.Message}", ex);
            }

            if (next is null)
            {
                throw new TransportFailedException("the event stream ended");
            }

            if (next.Kind != ServerSentEventKind.Event || next.Type != "message")
            {
                // A comment (the heartbeat) or an event of another type: a sign of life.
                continue;
            }

            if (ReadEnvelope(next.Data) is { } envelope && await TakeAsync(envelope, cancellationToken).ConfigureAwait(false) is { } closed)
            {
                return closed;
            }
        }
    }

    /// <summary>The next event or comment (a sign of life); null at the end of the stream.</summary>
    private async ValueTask<ServerSentEvent?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_pending.TryDequeue(out ServerSentEvent? item))
            {
                return item;
            }

            int read = await _stream!.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _parsed.Clear();
            try
            {
                _parser!.Parse(_buffer.AsSpan(0, read), _parsed);
            }
            catch (InvalidDataException ex)
            {
                throw new TransportFailedException($"protocol error: {ex.Message}", ex);
            }

            foreach (ServerSentEvent parsed in _parsed)
            {
                _pending.Enqueue(parsed);
            }
        }
    }

    /// <summary>The next event of the default type, comments and other types skipped; null at the end of the stream.</summary>
    private async ValueTask<ServerSentEvent?> NextEventAsync(CancellationToken cancellationToken)
    {
        while (await NextAsync(cancellationToken).ConfigureAwait(false) is { } item)
        {
            if (item.Kind == ServerSentEventKind.Event && item.Type == "message")
            {
                return item;
            }
        }

        return null;
    }
}
