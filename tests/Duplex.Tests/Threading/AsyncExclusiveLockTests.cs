using Duplex.Threading;

namespace Duplex.Tests.Threading;

/// <summary>The connection's write lock: exclusion, order, cancellation, hand-over outside <c>Exit</c>.</summary>
public sealed class AsyncExclusiveLockTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void TryEnter_takes_a_free_lock_only()
    {
        var owner = new Owner();
        Assert.True(owner.Lock.TryEnter());
        Assert.True(owner.Lock.IsHeld);
        Assert.False(owner.Lock.TryEnter());
        owner.Lock.Exit();
        Assert.False(owner.Lock.IsHeld);
        Assert.True(owner.Lock.TryEnter());
    }

    [Fact]
    public async Task A_waiter_gets_the_lock_when_the_holder_exits_and_holds_it()
    {
        var owner = new Owner();
        await owner.Lock.EnterAsync(CancellationToken.None);
        Task waiting = owner.Lock.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        owner.Lock.Exit();
        await waiting.WaitAsync(Bound);
        Assert.True(owner.Lock.IsHeld);
        Assert.False(owner.Lock.TryEnter());
        owner.Lock.Exit();
        Assert.False(owner.Lock.IsHeld);
    }

    [Fact]
    public async Task Waiters_are_served_in_the_order_they_came()
    {
        var owner = new Owner();
        Assert.True(owner.Lock.TryEnter());
        var order = new List<int>();
        var waiters = new List<Task>();
        for (int i = 0; i < 5; i++)
        {
            int id = i;
            waiters.Add(TakeAndNoteAsync(owner, id, order));
        }

        owner.Lock.Exit();
        await Task.WhenAll(waiters).WaitAsync(Bound);
        Assert.Equal([0, 1, 2, 3, 4], order);
        Assert.False(owner.Lock.IsHeld);

        static async Task TakeAndNoteAsync(Owner owner, int id, List<int> order)
        {
            await owner.Lock.EnterAsync(CancellationToken.None);
            order.Add(id);
            owner.Lock.Exit();
        }
    }

    [Fact]
    public async Task A_canceled_waiter_leaves_the_queue_and_the_next_one_is_served()
    {
        var owner = new Owner();
        Assert.True(owner.Lock.TryEnter());
        using var cancel = new CancellationTokenSource();
        Task first = owner.Lock.EnterAsync(cancel.Token).AsTask();
        Task second = owner.Lock.EnterAsync(CancellationToken.None).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Bound));
        Assert.False(second.IsCompleted);

        owner.Lock.Exit();
        await second.WaitAsync(Bound);
        Assert.True(owner.Lock.IsHeld);
        owner.Lock.Exit();
        Assert.False(owner.Lock.IsHeld);
    }

    [Fact]
    public async Task When_every_waiter_gave_up_exit_frees_the_lock()
    {
        var owner = new Owner();
        Assert.True(owner.Lock.TryEnter());
        using var cancel = new CancellationTokenSource();
        Task waiting = owner.Lock.EnterAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));

        owner.Lock.Exit();
        Assert.False(owner.Lock.IsHeld);
        Assert.True(owner.Lock.TryEnter());
    }

    [Fact]
    public async Task Canceling_after_the_lock_was_handed_over_changes_nothing()
    {
        var owner = new Owner();
        Assert.True(owner.Lock.TryEnter());
        using var cancel = new CancellationTokenSource();
        Task waiting = owner.Lock.EnterAsync(cancel.Token).AsTask();
        owner.Lock.Exit();
        await waiting.WaitAsync(Bound);

        await cancel.CancelAsync();
        Assert.True(owner.Lock.IsHeld);
        owner.Lock.Exit();
        Assert.False(owner.Lock.IsHeld);
    }

    [Fact]
    public async Task An_already_canceled_token_takes_nothing_even_when_free()
    {
        var owner = new Owner();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => owner.Lock.EnterAsync(new CancellationToken(canceled: true)).AsTask());
        Assert.False(owner.Lock.IsHeld);
    }

    [Fact]
    public void Exit_without_holding_it_throws()
    {
        var owner = new Owner();
        Assert.Throws<SynchronizationLockException>(() => owner.Lock.Exit());
    }

    [Fact]
    public async Task The_waiter_runs_after_exit_has_returned_not_inside_it()
    {
        var owner = new Owner();
        Assert.True(owner.Lock.TryEnter());
        var exitReturned = new ManualResetEventSlim();
        Task<bool> waiter = WaitThenLookAsync(owner, exitReturned);

        owner.Lock.Exit();
        exitReturned.Set();
        Assert.True(await waiter.WaitAsync(Bound), "the waiter's continuation ran inside Exit");

        static async Task<bool> WaitThenLookAsync(Owner owner, ManualResetEventSlim exitReturned)
        {
            await owner.Lock.EnterAsync(CancellationToken.None);
            // Inline in Exit, this would wait out its bound with Exit not yet returned.
            bool sawReturn = exitReturned.Wait(TimeSpan.FromSeconds(5));
            owner.Lock.Exit();
            return sawReturn;
        }
    }

    [Fact]
    public async Task Holders_never_overlap_under_contention_with_cancellations()
    {
        var owner = new Owner();
        int inside = 0;
        long entered = 0;
        long counter = 0;
        long canceled = 0;
        const int Workers = 4;
        const int Iterations = 2_000;

        async Task WorkAsync(int seed)
        {
            var random = new Random(seed);
            for (int i = 0; i < Iterations; i++)
            {
                using var cancel = new CancellationTokenSource();
                Task enter = owner.Lock.EnterAsync(random.Next(4) == 0 ? cancel.Token : CancellationToken.None).AsTask();
                if (random.Next(8) == 0)
                {
                    await cancel.CancelAsync();
                }

                try
                {
                    await enter;
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref canceled);
                    continue;
                }

                Assert.Equal(1, Interlocked.Increment(ref inside));
                long value = counter;
                if (random.Next(16) == 0)
                {
                    await Task.Yield();
                }

                counter = value + 1;
                Interlocked.Increment(ref entered);
                Assert.Equal(0, Interlocked.Decrement(ref inside));
                owner.Lock.Exit();
            }
        }

        await Task.WhenAll(Enumerable.Range(1, Workers).Select(seed => Task.Run(() => WorkAsync(seed)))).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(entered, counter);
        Assert.Equal(Workers * Iterations, entered + canceled);
        Assert.True(entered > 0);
        Assert.False(owner.Lock.IsHeld);
    }

    /// <summary>The lock lives as a field of its owner, as it does in a connection.</summary>
    private sealed class Owner
    {
        public AsyncExclusiveLock Lock;
    }
}
