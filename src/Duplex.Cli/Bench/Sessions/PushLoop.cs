namespace Duplex.Cli.Bench.Sessions;

/// <summary>One receiver of a <see cref="PushLoop"/>: numbers its own messages and sends them its own way.</summary>
/// <remarks>Shared with bench/SignalRAnchor (linked source).</remarks>
internal interface IPushTarget
{
    /// <summary>The number of the next message to this target (1, 2, 3, …).</summary>
    long NextSequence();

    /// <summary>Sends one text message.</summary>
    ValueTask SendAsync(string text, CancellationToken cancellationToken);
}

/// <summary>
/// Sends every target one stamped message per tick, <c>rate</c> ticks per second, for a while:
/// the workload of both directions of <c>duplex bench sessions</c>, on the server (to every
/// client) and in the load generator (from every client). Each message is stamped just before
/// its send is called; the sends of one tick run together and the tick waits for all of them
/// (a send that waits slows the schedule, which the count of messages sent then shows).
/// </summary>
/// <remarks>Shared with bench/SignalRAnchor (linked source), so both servers push alike.</remarks>
internal static class PushLoop
{
    /// <summary>Runs the schedule; returns how many messages were sent.</summary>
    public static async Task<long> RunAsync(Func<IReadOnlyList<IPushTarget>> targets, double rate, TimeSpan duration, int size, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        long sent = 0;
        var pending = new List<Task>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / rate));
        long end = SessionStamp.NowMicroseconds + (long)duration.TotalMicroseconds;
        do
        {
            pending.Clear();
            foreach (IPushTarget target in targets())
            {
                ValueTask send = target.SendAsync(SessionStamp.Create(target.NextSequence(), size), cancellationToken);
                sent++;
                if (!send.IsCompletedSuccessfully)
                {
                    pending.Add(send.AsTask());
                }
            }

            if (pending.Count > 0)
            {
                await Task.WhenAll(pending).ConfigureAwait(false);
            }
        }
        while (SessionStamp.NowMicroseconds < end && await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));

        return sent;
    }
}
