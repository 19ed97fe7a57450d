using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Duplex.Transport;

/// <summary>
/// One socket's wait for readiness (to read, or to write: the engine's kind) through a
/// <see cref="ReadinessEngine"/>: one object per socket and direction, reused for every wait,
/// one wait at a time. Completes with 0 when the socket is ready (or has an error or end of
/// stream to report: the call that follows meets it), with
/// <see cref="OperationCanceledException"/> when canceled, and with a
/// <see cref="SocketException"/> (OperationAborted) when the socket is closed meanwhile.
/// Completions run on the thread pool, never on the engine's thread or inside a cancellation.
/// </summary>
internal sealed class ReadinessWait : IValueTaskSource<int>, IThreadPoolWorkItem
{
    private const int Idle = 0;
    private const int Arming = 1;
    private const int Armed = 2;
    private const int Firing = 3;
    private const int Closed = 4;

    private readonly ReadinessEngine _engine;
    private readonly int _fd;
    private readonly int _slot;
    private readonly uint _generation;
    private ManualResetValueTaskSourceCore<int> _core;
    private CancellationTokenRegistration _cancellation;
    private Exception? _error;
    private int _state;
    private bool _added;

    public ReadinessWait(ReadinessEngine engine, int fd)
    {
        _engine = engine;
        _fd = fd;
        (_slot, _generation) = engine.Register(this);
    }

    /// <summary>
    /// Starts a wait that completes when the socket is ready (see the class remarks for
    /// failures); false when a wait is already pending here (the caller waits another way).
    /// </summary>
    public bool TryWait(CancellationToken cancellationToken, out ValueTask<int> wait)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            wait = ValueTask.FromCanceled<int>(cancellationToken);
            return true;
        }

        int state = Interlocked.CompareExchange(ref _state, Arming, Idle);
        if (state == Closed)
        {
            wait = ValueTask.FromException<int>(Aborted());
            return true;
        }

        if (state != Idle)
        {
            wait = default;
            return false;
        }

        wait = Arm(cancellationToken);
        return true;
    }

    private ValueTask<int> Arm(CancellationToken cancellationToken)
    {
        // Nothing completes this wait while arming (a late event or a cancellation finds it not
        // armed), so the registration below is in place before anything can dispose it.
        _core.Reset();
        _error = null;
        short version = _core.Version;
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((ReadinessWait)state!).Cancel(token), this);
        }

        if (Interlocked.CompareExchange(ref _state, Armed, Arming) != Arming)
        {
            // Closed meanwhile.
            _cancellation.Dispose();
            _cancellation = default;
            return ValueTask.FromException<int>(Aborted());
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // Canceled while arming: its callback found the wait not yet armed.
            Cancel(cancellationToken);
        }
        else
        {
            int errno = _engine.Arm(_fd, _added, _slot, _generation);
            _added = true;
            if (errno != 0 && Interlocked.CompareExchange(ref _state, Firing, Armed) == Armed)
            {
                Complete(new SocketException(errno));
            }
        }

        return new ValueTask<int>(this, version);
    }

    /// <summary>From the engine's thread: the socket is ready.</summary>
    public void OnReady(uint generation)
    {
        if (generation == _generation && Interlocked.CompareExchange(ref _state, Firing, Armed) == Armed)
        {
            Complete(null);
        }
    }

    /// <summary>
    /// Stops watching the socket, before it is closed (a closed descriptor's number may be reused
    /// at once): a pending wait fails with OperationAborted, later ones at once.
    /// </summary>
    public void Close()
    {
        int previous = Interlocked.Exchange(ref _state, Closed);
        if (previous == Closed)
        {
            return;
        }

        _engine.Remove(_fd);
        _engine.Unregister(_slot);
        if (previous == Armed)
        {
            Complete(Aborted());
        }
    }

    /// <summary>Gives up an instance that was never armed (its descriptor was never added): frees its slot only.</summary>
    public void Discard()
    {
        if (Interlocked.Exchange(ref _state, Closed) != Closed)
        {
            _engine.Unregister(_slot);
        }
    }

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, Firing, Armed) == Armed)
        {
            Complete(new OperationCanceledException(token));
        }
    }

    /// <summary>By whoever took the armed wait (firing, or closed): completes it on the thread pool with <paramref name="error"/>, or ready.</summary>
    private void Complete(Exception? error)
    {
        _error = error;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>On the thread pool: completes the wait (idle again first: the continuation may wait again at once).</summary>
    void IThreadPoolWorkItem.Execute()
    {
        _cancellation.Dispose();
        _cancellation = default;
        Exception? error = _error;
        _ = Interlocked.CompareExchange(ref _state, Idle, Firing);
        if (error is null)
        {
            _core.SetResult(0);
        }
        else
        {
            _core.SetException(error);
        }
    }

    private static SocketException Aborted() => new((int)SocketError.OperationAborted);

    public int GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
