using System.Net;
using Duplex.Timers;
using Duplex.Diagnostics;

namespace Duplex.Server;

/// <summary>Drops a connection that has not finished its request head in time; checked on the shared timer.</summary>
internal sealed class HandshakeDeadline : ITimerClient
{
    private readonly Stream _stream;
    private readonly long _deadlineMs;
    private readonly long _timeoutMs;
    private readonly DuplexDiagnostics _diagnostics;
    private readonly EndPoint? _remote;
    private int _done;

    public HandshakeDeadline(Stream stream, TimeSpan timeout, DuplexDiagnostics diagnostics, EndPoint? remote)
    {
        _stream = stream;
        _timeoutMs = (long)timeout.TotalMilliseconds;
        _deadlineMs = ConnectionTimer.NowMs + _timeoutMs;
        _diagnostics = diagnostics;
        _remote = remote;
        ConnectionTimer.Shared.Register(this, timeout / 4);
    }

    public bool TimedOut { get; private set; }

    public void Complete()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            ConnectionTimer.Shared.Unregister(this);
        }
    }

    public bool OnTick(long nowMs)
    {
        if (Volatile.Read(ref _done) != 0)
        {
            return false;
        }

        if (nowMs < _deadlineMs)
        {
            return true;
        }

        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            TimedOut = true;
            Log.HandshakeTimeout(_diagnostics, _remote, _timeoutMs);
            _stream.Dispose();
        }

        return false;
    }
}
