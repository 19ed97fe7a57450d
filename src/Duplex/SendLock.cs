namespace Duplex;

/// <summary>
/// The per-connection lock that keeps frames whole and in order. Uncontended (the common case)
/// it is one compare-and-swap and holds no object; a semaphore is created only the first time
/// two senders meet, so an idle connection carries 4 bytes for it instead of a semaphore.
/// </summary>
internal sealed class SendLock
{
    private int _held;
    private SemaphoreSlim? _contended;

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _contended) is null && Interlocked.CompareExchange(ref _held, 1, 0) == 0)
        {
            return ValueTask.CompletedTask;
        }

        return WaitContendedAsync(cancellationToken);
    }

    public void Release()
    {
        SemaphoreSlim? contended = Volatile.Read(ref _contended);
        if (contended is null)
        {
            Volatile.Write(ref _held, 0);

            // A contender may have installed the semaphore while we held the flag: hand over.
            contended = Volatile.Read(ref _contended);
            if (contended is null)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _held, 0, 0) == 0)
            {
                HandOver(contended);
            }

            return;
        }

        contended.Release();
    }

    private async ValueTask WaitContendedAsync(CancellationToken cancellationToken)
    {
        SemaphoreSlim contended = LazyInitializer.EnsureInitialized(ref _contended, () => new SemaphoreSlim(0, 1));
        HandOver(contended);
        await contended.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves ownership from the flag to the semaphore: if the flag is free, take it for the
    /// semaphore (marking it held forever) and release the semaphore once, so that exactly one
    /// waiter proceeds. From then on the semaphore alone is the lock.
    /// </summary>
    private void HandOver(SemaphoreSlim contended)
    {
        if (Interlocked.CompareExchange(ref _held, 2, 0) == 0)
        {
            contended.Release();
        }
    }
}
