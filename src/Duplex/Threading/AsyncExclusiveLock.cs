namespace Duplex.Threading;

/// <summary>
/// An exclusive lock for asynchronous code, kept as a field of its owner (one per connection:
/// the write lock). Taking it when free and letting it go with no one waiting cost one
/// compare-exchange each; the queue of waiters is created the first time two holders meet.
/// Waiters are served in order; a waiter's continuation runs asynchronously, never inside
/// <see cref="Exit"/>. Twelve bytes in its owner where a <see cref="SemaphoreSlim"/> (with its
/// lock object) is 88 on the heap: this is per connection, and idle connections are what a
/// server holds most of.
/// </summary>
internal struct AsyncExclusiveLock
{
    private const int Free = 0;
    private const int Held = 1;

    /// <summary>Held, and a waiter may be queued: whoever exits takes the queue's monitor.</summary>
    private const int Contended = 2;

    private int _state;
    private LinkedList<Waiter>? _waiters;

    /// <summary>Whether the lock is held now (for diagnostics and tests).</summary>
    public readonly bool IsHeld => Volatile.Read(in _state) != Free;

    /// <summary>Takes the lock if it is free.</summary>
    public bool TryEnter() => Interlocked.CompareExchange(ref _state, Held, Free) == Free;

    /// <summary>Takes the lock, waiting (in order) while another holds it.</summary>
    /// <exception cref="OperationCanceledException">Canceled before the lock was taken (also when it was free and the token already canceled).</exception>
    public ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (TryEnter())
        {
            return ValueTask.CompletedTask;
        }

        LinkedList<Waiter> queue = Queue();
        var waiter = new Waiter(queue);
        lock (queue)
        {
            while (true)
            {
                int state = Volatile.Read(ref _state);
                if (state == Free)
                {
                    if (Interlocked.CompareExchange(ref _state, Held, Free) == Free)
                    {
                        return ValueTask.CompletedTask;
                    }
                }
                else if (state == Contended || Interlocked.CompareExchange(ref _state, Contended, Held) == Held)
                {
                    break;
                }
            }

            waiter.Node = queue.AddLast(waiter);
        }

        waiter.WatchCancellation(cancellationToken);
        return new ValueTask(waiter.Task);
    }

    /// <summary>Lets go of the lock, handing it to the first waiter if there is one.</summary>
    /// <exception cref="SynchronizationLockException">The lock is not held.</exception>
    public void Exit()
    {
        if (Interlocked.CompareExchange(ref _state, Free, Held) == Held)
        {
            return;
        }

        if (Volatile.Read(ref _state) == Free || _waiters is not { } queue)
        {
            throw new SynchronizationLockException("The lock is not held.");
        }

        Waiter? next;
        lock (queue)
        {
            LinkedListNode<Waiter>? first = queue.First;
            if (first is null)
            {
                // Every waiter gave up (canceled).
                Volatile.Write(ref _state, Free);
                return;
            }

            next = first.Value;
            queue.RemoveFirst();
            next.Node = null;
            if (queue.Count == 0)
            {
                Volatile.Write(ref _state, Held);
            }
        }

        // Still held: ownership passes to the waiter.
        next.Grant();
    }

    private LinkedList<Waiter> Queue()
    {
        LinkedList<Waiter>? queue = Volatile.Read(ref _waiters);
        return queue ?? Interlocked.CompareExchange(ref _waiters, new LinkedList<Waiter>(), null) ?? _waiters!;
    }

    private sealed class Waiter(LinkedList<Waiter> queue) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private CancellationTokenRegistration _registration;

        /// <summary>The waiter's place in the queue, while it is queued (guarded by the queue's monitor).</summary>
        public LinkedListNode<Waiter>? Node { get; set; }

        public void WatchCancellation(CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), this);
            }
        }

        public void Grant()
        {
            _registration.Dispose();
            TrySetResult();
        }

        private void Cancel(CancellationToken token)
        {
            lock (queue)
            {
                if (Node is null)
                {
                    // Already granted: the lock is this waiter's.
                    return;
                }

                queue.Remove(Node);
                Node = null;
            }

            TrySetCanceled(token);
        }
    }
}
