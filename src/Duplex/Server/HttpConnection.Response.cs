using System.Runtime.CompilerServices;
using Duplex.Http;
using Duplex.Protocol.Http;

namespace Duplex.Server;

/// <summary>
/// Writing responses: the head goes out with the first flush, the first write once the length
/// is set, or when the held body passes <see cref="DuplexServerOptions.ResponseBufferSize"/>;
/// small pieces are copied into the output buffer, large ones written from the caller's memory
/// behind the buffered bytes in one gathered write.
/// </summary>
internal sealed partial class HttpConnection
{
    /// <summary>Body pieces up to this size are copied; larger ones are written from the caller's memory.</summary>
    private const int CopyLimit = 4096;

    internal int StatusCode
    {
        get => _statusCode;
        set
        {
            RequireNotStarted();
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 200);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 599);
            _statusCode = value;
        }
    }

    internal long? ResponseContentLength
    {
        get => _responseLength;
        set
        {
            RequireNotStarted();
            if (value is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A Content-Length cannot be negative.");
            }

            _responseLength = value;
        }
    }

    internal bool HasStarted => _committed;

    internal bool IsComplete => _completed;

    /// <summary>Resets the response state for a new request.</summary>
    private void BeginResponse()
    {
        _statusCode = 200;
        _responseLength = null;
        _committed = false;
        _completed = false;
        _exchange.ResponseHeaders.Clear();
        _held.Reset();
    }

    /// <summary>Forgets what a failed handler set before its response started, so an error can be answered instead.</summary>
    private void ClearResponse() => BeginResponse();

    internal ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The response is complete: nothing more can be written.");
        }

        if (data.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        if (!_committed)
        {
            int limit = _server.Options.ResponseBufferSize;
            if (_responseLength is null && _held.Length + data.Length <= limit)
            {
                data.Span.CopyTo(_held.GetSpan(data.Length));
                _held.Advance(data.Length);
                return ValueTask.CompletedTask;
            }

            Commit(_responseLength);
        }

        if (_http.ResponsePhase != HttpResponsePhase.SendingBody)
        {
            if (_http.ResponseFraming == HttpResponseFraming.None)
            {
                // HEAD, 204, 304: no body goes out (RFC 9110 §9.3.2).
                return ValueTask.CompletedTask;
            }

            throw new InvalidOperationException("The response body has already reached its Content-Length.");
        }

        if (data.Length <= CopyLimit)
        {
            _http.WriteBody(_output, data.Span);
            return _output.Length >= _server.Options.ResponseBufferSize ? FlushOutputAsync(cancellationToken) : ValueTask.CompletedTask;
        }

        _http.WriteBodyPrefix(_output, data.Length);
        ValueTask write = _plain is { } plain
            ? plain.WriteAsync(_output.WrittenMemory, data, cancellationToken)
            : WriteInTurnAsync(_output.WrittenMemory, data, cancellationToken);
        if (!write.IsCompletedSuccessfully)
        {
            return AfterDirectWriteAsync(write);
        }

        write.GetAwaiter().GetResult();
        AfterDirectWrite();
        return ValueTask.CompletedTask;
    }

    internal ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (!_committed)
        {
            Commit(_responseLength);
        }

        return FlushOutputAsync(cancellationToken);
    }

    /// <summary>
    /// Ends the response: a response whose head is not out yet gets the held body's length. The
    /// bytes stay buffered while more pipelined input waits (they go out with the next
    /// responses), and are written now otherwise.
    /// </summary>
    internal ValueTask CompleteResponseAsync()
    {
        if (_completed)
        {
            return ValueTask.CompletedTask;
        }

        if (!_committed)
        {
            Commit(_responseLength ?? _held.Length);
        }

        _http.WriteEndOfBody(_output);
        _completed = true;
        bool morePipelined = _inputEnd > _inputStart && _http.RequestPhase == HttpRequestPhase.Complete && _http.KeepAlive;
        return morePipelined && _output.Length < _server.Options.ResponseBufferSize
            ? ValueTask.CompletedTask
            : FlushOutputAsync(CancellationToken.None);
    }

    /// <summary>Writes the head, then the held body framed as the head says.</summary>
    private void Commit(long? contentLength)
    {
        if (_server.Lifetimes.IsStopping || _peerGone)
        {
            _http.CloseAfterResponse();
        }

        _http.WriteResponseHead(_output, _statusCode, _exchange.ResponseHeaders, contentLength, HttpDate.Current);
        _committed = true;
        if (!_held.IsEmpty)
        {
            _http.WriteBody(_output, _held.WrittenMemory.Span);
            _held.Reset();
        }
    }

    /// <summary>Writes what the output buffer holds and returns the buffer to the pool.</summary>
    private ValueTask FlushOutputAsync(CancellationToken cancellationToken)
    {
        if (_output.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        ValueTask write = _stream.WriteAsync(_output.WrittenMemory, cancellationToken);
        if (!write.IsCompletedSuccessfully)
        {
            return AfterFlushAsync(write);
        }

        write.GetAwaiter().GetResult();
        _output.Reset();
        return ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AfterFlushAsync(ValueTask write)
    {
        await write.ConfigureAwait(false);
        _output.Reset();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AfterDirectWriteAsync(ValueTask write)
    {
        await write.ConfigureAwait(false);
        AfterDirectWrite();
    }

    /// <summary>After a piece went out from the caller's memory: the buffer before it is sent, its framing suffix is next.</summary>
    private void AfterDirectWrite()
    {
        _output.Reset();
        _http.WriteBodySuffix(_output);
    }

    private async ValueTask WriteInTurnAsync(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(first, cancellationToken).ConfigureAwait(false);
        await _stream.WriteAsync(second, cancellationToken).ConfigureAwait(false);
    }

    private void RequireNotStarted()
    {
        if (_committed)
        {
            throw new InvalidOperationException("The response has started: its status and headers are on the wire.");
        }
    }
}
