namespace Duplex.Timers;

/// <summary>Something the shared <see cref="ConnectionTimer"/> visits on every tick.</summary>
internal interface ITimerClient
{
    /// <summary>Called on the timer's thread; must be quick and must not throw.</summary>
    /// <param name="nowMs">Milliseconds from <see cref="Environment.TickCount64"/>.</param>
    /// <returns>False to be removed from the timer.</returns>
    bool OnTick(long nowMs);
}
