using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Duplex.Realtime.Client;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime;

/// <summary>The session's life: negotiating, opening transports in order, reconnecting, renewing a lost session, closing.</summary>
public sealed partial class RealtimeClient
{
    private async Task<ClientSession> NegotiateAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Options.OpenTimeout);
        NegotiateAnswer answer;
        try
        {
            using HttpRequestMessage request = NewRequest(HttpMethod.Post, new Uri(_base + "/negotiate?v=1"));
            request.Content = new ByteArrayContent([]);
            using HttpResponseMessage response = await Http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            byte[] body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new IOException($"negotiate was answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)))}");
            }

            answer = NegotiateAnswer.Parse(body);
        }
        catch (HttpRequestException ex)
        {
            throw new IOException($"negotiate failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException("negotiate was not answered in time", ex);
        }

        var session = new ClientSession(answer, Options.MaxOfflineMessages);
        TaskCompletionSource ready;
        lock (_gate)
        {
            // docs/PROTOCOL.md §10.2: the subscriptions go first in a renewed session, before anything the application queued.
            RenewChannels(session);
            _session = session;
            _refused.Clear();
            _retried.Clear();
            _lastWorked = null;
            ready = _sessionReady;
        }

        ready.TrySetResult();
        return session;
    }

    /// <summary>
    /// The transports to try for the session now: those ahead of the one that worked last that
    /// failed with no answer (a reset: docs/PROTOCOL.md §8), then the one that worked last, then the
    /// others in order (without those that were answered no, or timed out, before a later one opened).
    /// </summary>
    private List<RealtimeTransport> Candidates(ClientSession session)
    {
        IReadOnlyList<RealtimeTransport> offered = session.Answer.Transports;
        List<RealtimeTransport> order = Options.Transports is { } wanted ? [.. wanted.Where(offered.Contains)] : [.. offered];
        if (order.Count == 0)
        {
            throw new IOException($"The server offers none of the transports asked for (it offers {string.Join(", ", offered.Select(RealtimeTransports.Name))}).");
        }

        lock (_gate)
        {
            var result = new List<RealtimeTransport>(order.Count);
            if (_lastWorked is { } last && order.Contains(last))
            {
                result.AddRange(order.Take(order.IndexOf(last)).Where(_retried.Contains));
                result.Add(last);
            }

            result.AddRange(order.Where(t => !result.Contains(t) && !_refused.Contains(t)));
            return result;
        }
    }

    private async Task<ClientTransport> OpenAnyAsync(ClientSession session, CancellationToken cancellationToken)
    {
        List<RealtimeTransport> order = Candidates(session);
        var failures = new List<string>();
        var transient = new bool[order.Count];
        for (int i = 0; i < order.Count; i++)
        {
            ClientTransport transport = order[i] switch
            {
                RealtimeTransport.WebSocket => new ClientWebSocketTransport(this, session),
                RealtimeTransport.ServerSentEvents => new ClientEventStreamTransport(this, session),
                RealtimeTransport.LongPolling => new ClientPollTransport(this, session, longPolling: true),
                _ => new ClientPollTransport(this, session, longPolling: false),
            };
            try
            {
                await transport.OpenAsync(cancellationToken).ConfigureAwait(false);
                Statistics.AddTransportOpened();
                lock (_gate)
                {
                    // docs/PROTOCOL.md §8: the ones that failed before it are left for this session,
                    // but those that got no answer at all (a reset) are tried again at the next reconnect.
                    for (int j = 0; j < i; j++)
                    {
                        (transient[j] ? _retried : _refused).Add(order[j]);
                        (transient[j] ? _refused : _retried).Remove(order[j]);
                    }

                    _retried.Remove(order[i]);
                    _lastWorked = order[i];
                }

                Log.TransportUp(order[i]);
                return transport;
            }
            catch (TransportFailedException ex)
            {
                await transport.DisposeAsync().ConfigureAwait(false);
                Log.TransportFailed(order[i], ex.Message);
                failures.Add($"{RealtimeTransports.Name(order[i])}: {ex.Message}");
                transient[i] = ex.Transient;
                if (i + 1 < order.Count)
                {
                    Raise(new RealtimeClientEvent(RealtimeClientEventKind.Fallback, State) { From = order[i], To = order[i + 1], Reason = ex.Message });
                }
            }
            catch
            {
                await transport.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        throw new TransportFailedException(string.Join("; ", failures));
    }

    private void Up(ClientTransport transport, RealtimeClientEventKind kind)
    {
        lock (_gate)
        {
            _current = transport;
            _transport = transport.Kind;
            if (_state != RealtimeClientState.Closed)
            {
                _state = RealtimeClientState.Connected;
            }
        }

        Raise(new RealtimeClientEvent(kind, RealtimeClientState.Connected) { Transport = transport.Kind });
    }

    /// <summary>Runs transport after transport until the session ends: reconnects after drops, renews after a loss.</summary>
    private async Task SuperviseAsync(ClientTransport transport, ClientSession session)
    {
        try
        {
            await SuperviseCoreAsync(transport, session).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not expected; the client must not be left half alive.
            Log.TransportFailed(transport.Kind, ex.Message);
            SetClosed("failed: " + ex.Message);
        }
    }

    private async Task SuperviseCoreAsync(ClientTransport transport, ClientSession session)
    {
        CancellationToken stopping = _stopping.Token;
        while (true)
        {
            string? closed = null, dropped = null;
            SessionLostException? lost = null;
            try
            {
                closed = await transport.RunAsync(stopping).ConfigureAwait(false);
            }
            catch (TransportFailedException ex)
            {
                dropped = ex.Message;
            }
            catch (SessionLostException ex)
            {
                lost = ex;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or InvalidOperationException or OperationCanceledException)
            {
                dropped = ex.Message;
            }
            finally
            {
                lock (_gate)
                {
                    if (_current == transport)
                    {
                        _current = null;
                        _transport = null;
                    }
                }

                await transport.DisposeAsync().ConfigureAwait(false);
            }

            if (stopping.IsCancellationRequested || IsClosing)
            {
                return;
            }

            if (closed is not null)
            {
                SetClosed(closed);
                return;
            }

            if (lost is null)
            {
                Log.TransportFailed(transport.Kind, dropped ?? "ended");
                lock (_gate)
                {
                    _state = RealtimeClientState.Reconnecting;
                }

                Raise(new RealtimeClientEvent(RealtimeClientEventKind.Reconnecting, RealtimeClientState.Reconnecting) { Reason = dropped });
                Statistics.AddReconnect();
                (ClientTransport? next, lost) = await ReconnectAsync(session, stopping).ConfigureAwait(false);
                if (next is not null)
                {
                    transport = next;
                    Up(transport, RealtimeClientEventKind.Resumed);
                    continue;
                }

                if (lost is null)
                {
                    return;
                }
            }

            if (lost.ServerClosed)
            {
                SetClosed(lost.CloseReason!);
                return;
            }

            (ClientTransport? renewed, ClientSession? fresh) = await RenewAsync(session, lost, stopping).ConfigureAwait(false);
            if (renewed is null)
            {
                return;
            }

            (transport, session) = (renewed, fresh!);
        }
    }

    private bool IsClosing
    {
        get
        {
            lock (_gate)
            {
                return _closing || _state == RealtimeClientState.Closed;
            }
        }
    }

    private async Task<(ClientTransport? Transport, SessionLostException? Lost)> ReconnectAsync(ClientSession session, CancellationToken stopping)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await Task.Delay(Backoff(attempt), stopping).ConfigureAwait(false);
                return (await OpenAnyAsync(session, stopping).ConfigureAwait(false), null);
            }
            catch (TransportFailedException)
            {
                // Every transport failed this round: wait longer and try again.
            }
            catch (SessionLostException ex)
            {
                return (null, ex);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return (null, null);
            }

            if (IsClosing)
            {
                return (null, null);
            }
        }
    }

    /// <summary>After a 404/410: tells the application what was never acknowledged, then negotiates a new session or closes.</summary>
    private async Task<(ClientTransport? Transport, ClientSession? Session)> RenewAsync(ClientSession old, SessionLostException lost, CancellationToken stopping)
    {
        Log.SessionLost(lost.Reason);
        IReadOnlyList<RealtimeMessage> unacknowledged;
        bool renew = Options.RenewLostSession;
        lock (_gate)
        {
            unacknowledged = old.Unacknowledged();
            if (_session == old)
            {
                _session = null;
                _sessionReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _state = renew ? RealtimeClientState.Connecting : _state;
        }

        Raise(new RealtimeClientEvent(RealtimeClientEventKind.SessionLost, renew ? RealtimeClientState.Connecting : RealtimeClientState.Closed) { Reason = lost.Reason, Unacknowledged = unacknowledged });
        if (!renew)
        {
            SetClosed("session-lost: " + lost.Reason);
            return (null, null);
        }

        Raise(new RealtimeClientEvent(RealtimeClientEventKind.Connecting, RealtimeClientState.Connecting));
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (attempt > 0)
                {
                    await Task.Delay(Backoff(attempt - 1), stopping).ConfigureAwait(false);
                }

                ClientSession session = await NegotiateAsync(stopping).ConfigureAwait(false);
                ClientTransport transport = await OpenAnyAsync(session, stopping).ConfigureAwait(false);
                Up(transport, RealtimeClientEventKind.Connected);
                return (transport, session);
            }
            catch (Exception ex) when (ex is IOException or SessionLostException)
            {
                // The server is away or the new session went at once: try again.
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return (null, null);
            }

            if (IsClosing)
            {
                return (null, null);
            }
        }
    }

    /// <summary>docs/PROTOCOL.md §8: a random wait up to the bound, which doubles from <see cref="RealtimeClientOptions.ReconnectDelay"/> to at most <see cref="RealtimeClientOptions.MaxReconnectDelay"/>.</summary>
    private TimeSpan Backoff(int attempt)
    {
        double bound = Math.Min(Options.MaxReconnectDelay.TotalMilliseconds, Options.ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * bound);
    }

    private async Task StopAsync()
    {
        lock (_gate)
        {
            _closing = true;
        }

        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        if (_run is { } run)
        {
            await run.ConfigureAwait(false);
        }
    }

    private void SetClosed(string reason)
    {
        lock (_gate)
        {
            if (_state == RealtimeClientState.Closed)
            {
                return;
            }

            _state = RealtimeClientState.Closed;
            _closeReason = reason;
            _transport = null;
            _sessionReady.TrySetException(new RealtimeSessionClosedException(reason));
        }

        _inbound.Writer.TryComplete();
        CloseChannels(reason);
        Raise(new RealtimeClientEvent(RealtimeClientEventKind.Closed, RealtimeClientState.Closed) { Reason = reason });
        if (!_stopping.IsCancellationRequested)
        {
            // The session is over: nothing is left to run (a server's close reaches here from the supervisor itself).
            _ = _stopping.CancelAsync();
        }
    }

    private void Raise(RealtimeClientEvent change)
    {
        try
        {
            StateChanged?.Invoke(this, change);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.StateHandlerThrew(ex);
        }
    }
}
