namespace Duplex.Tests.Support;

/// <summary>Every wait in the tests is bounded: a stuck await fails the test with a clear message.</summary>
internal static class Bounded
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static CancellationToken Token(TimeSpan? timeout = null) => new CancellationTokenSource(timeout ?? Default).Token;

    public static async Task<T> Within<T>(this Task<T> task, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for {what}.");
        }
    }

    public static async Task Within(this Task task, string what, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for {what}.");
        }
    }

    public static Task<T> Within<T>(this ValueTask<T> task, string what, TimeSpan? timeout = null) => task.AsTask().Within(what, timeout);

    public static Task Within(this ValueTask task, string what, TimeSpan? timeout = null) => task.AsTask().Within(what, timeout);
}
