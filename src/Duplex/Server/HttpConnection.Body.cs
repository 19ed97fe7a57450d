using System.Runtime.CompilerServices;
using Duplex.Protocol.Http;

namespace Duplex.Server;

/// <summary>Reading request bodies: incrementally into the handler's memory, with 100 Continue, the body deadline, and draining a body nobody read.</summary>
internal sealed partial class HttpConnection
{
    internal long? RequestContentLength => _http.Framing.Body switch
    {
        HttpBodyKind.ContentLength => _http.Framing.ContentLength,
        HttpBodyKind.None => 0,
        _ => null,
    };

    internal ValueTask<int> ReadBodyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        switch (_http.RequestPhase)
        {
            case HttpRequestPhase.Complete:
            case HttpRequestPhase.SwitchedProtocols:
                return new ValueTask<int>(0);
            case HttpRequestPhase.Refused:
                return ValueTask.FromException<int>(new HttpRequestRejectedException(_http.Rejection));
        }

        if (buffer.IsEmpty)
        {
            throw new ArgumentException("Reading a body needs room for at least one byte.", nameof(buffer));
        }

        // The whole body must arrive within the body timeout from the first read.
        if (DeadlineKind != BodyDeadline)
        {
            SetDeadline(BodyDeadline, _server.BodyTimeoutMs);
        }

        try
        {
            if (TryTakeBody(buffer.Span, out int written))
            {
                return new ValueTask<int>(written);
            }
        }
        catch (HttpRequestRejectedException ex)
        {
            return ValueTask.FromException<int>(ex);
        }

        return ReadBodySlowAsync(buffer, cancellationToken);
    }

    /// <summary>Takes body bytes already received. False when none are there (and the body has not ended).</summary>
    private bool TryTakeBody(Span<byte> buffer, out int written)
    {
        written = 0;
        if (_inputEnd == _inputStart)
        {
            return false;
        }

        HttpServerEvent e = _http.ReceiveBody(_input.AsSpan(_inputStart, _inputEnd - _inputStart), buffer, out int consumed, out written);
        _inputStart += consumed;
        if (e == HttpServerEvent.Rejected)
        {
            throw new HttpRequestRejectedException(_http.Rejection);
        }

        if (e == HttpServerEvent.EndOfBody)
        {
            BodyEnded();
            return true;
        }

        return written > 0;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadBodySlowAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // RFC 9110 §10.1.1: the client waits for 100 Continue before it sends the body.
        if (_http.WriteContinue(_output))
        {
            await FlushOutputAsync(cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            int read = await ReceiveBodyBytesAsync(cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _http.ReceiveEndOfStream();
                throw new HttpRequestRejectedException(_http.Rejection);
            }

            if (TryTakeBody(buffer.Span, out int written))
            {
                return written;
            }
        }
    }

    /// <summary>Reads more of the body into the input buffer; the request's token ends the wait (body timeout, shutdown), and so does the caller's.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveBodyBytesAsync(CancellationToken cancellationToken)
    {
        CancellationToken token = RequestAbortedToken;
        CancellationTokenSource? linked = cancellationToken.CanBeCanceled && cancellationToken != token
            ? CancellationTokenSource.CreateLinkedTokenSource(token, cancellationToken)
            : null;
        try
        {
            CompactInput();
            return await ReceiveAsync(idle: false, linked?.Token ?? token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_bodyTimedOut)
        {
            _http.Refuse(HttpRequestRejection.BodyTimeout);
            throw new HttpRequestRejectedException(HttpRequestRejection.BodyTimeout);
        }
        finally
        {
            linked?.Dispose();
        }
    }

    /// <summary>The whole body is in: its deadline is over, and a handler still running can be watched.</summary>
    private void BodyEnded()
    {
        if (DeadlineKind == BodyDeadline)
        {
            SetDeadline(NoDeadline, 0);
        }

        _bodyDone?.TrySetResult();
    }

    /// <summary>
    /// After the response: drains a body the handler did not read (up to
    /// <see cref="DuplexServerOptions.MaxDrainedRequestBodySize"/>, within the body timeout),
    /// then moves on to the next request if the connection persists.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FinishRequestAsync()
    {
        if (_http.RequestPhase == HttpRequestPhase.ReceivingBody && _http.KeepAlive && !_server.Lifetimes.IsStopping)
        {
            if (!await DrainBodyAsync().ConfigureAwait(false))
            {
                return false;
            }
        }

        if (_server.Lifetimes.IsStopping || _peerGone || !_http.NextRequest())
        {
            return false;
        }

        CancellationTokenSource? aborted = _aborted;
        if (aborted is not null && !aborted.TryReset())
        {
            Volatile.Write(ref _aborted, null);
        }

        return true;
    }

    private async ValueTask<bool> DrainBodyAsync()
    {
        long drained = 0;
        SetDeadline(BodyDeadline, _server.BodyTimeoutMs);
        try
        {
            while (true)
            {
                if (_inputEnd > _inputStart)
                {
                    HttpServerEvent e = _http.SkipBody(_input.AsSpan(_inputStart, _inputEnd - _inputStart), out int consumed);
                    _inputStart += consumed;
                    drained += consumed;
                    if (e == HttpServerEvent.EndOfBody)
                    {
                        SetDeadline(NoDeadline, 0);
                        return true;
                    }

                    if (e == HttpServerEvent.Rejected || drained > _http.MaxDrainSize)
                    {
                        return false;
                    }
                }

                CompactInput();
                if (await ReceiveAsync(idle: false, RequestAbortedToken).ConfigureAwait(false) == 0)
                {
                    return false;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
