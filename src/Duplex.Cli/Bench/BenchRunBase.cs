using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace Duplex.Cli.Bench;

/// <summary>What every run shares: the stop flag, error counts, and opening connections with bounded concurrency.</summary>
internal abstract class BenchRunBase
{
    private const int KeptErrorMessages = 5;

    private readonly ConcurrentQueue<string> _errorMessages = new();
    private volatile bool _stopping;
    private long _errors;
    private long _connectFailures;

    /// <summary>Set once the measured run is over: no new messages are sent, and closed sockets are expected.</summary>
    public bool Stopping => _stopping;

    public long Errors => Interlocked.Read(ref _errors);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    public void Stop() => _stopping = true;

    public void Error(string message)
    {
        Interlocked.Increment(ref _errors);
        Keep(message);
    }

    /// <summary>Counts a connection that could not be opened (its reason goes through <see cref="Keep"/>).</summary>
    protected void CountConnectFailure() => Interlocked.Increment(ref _connectFailures);

    protected void Keep(string message)
    {
        if (_errorMessages.Count < KeptErrorMessages)
        {
            _errorMessages.Enqueue(message);
        }
    }

    /// <summary>
    /// Opens <paramref name="count"/> connections, at most <paramref name="parallel"/> at a time,
    /// each bound to a source address in round robin when <paramref name="sources"/> is given.
    /// Returns the opened connections by index (null where it failed). Failures are reported
    /// with the connection's number counted from <paramref name="numberFrom"/> (for a batch
    /// that continues an earlier one).
    /// </summary>
    protected async Task<BenchConnection?[]> ConnectManyAsync(
        BenchTarget target, int count, int parallel, IReadOnlyList<IPAddress>? sources, TimeSpan timeout, Action<int>? onProgress, CancellationToken cancellationToken, int numberFrom = 0)
    {
        var connections = new BenchConnection?[count];
        int next = -1;
        int done = 0;
        async Task WorkerAsync()
        {
            while (true)
            {
                int i = Interlocked.Increment(ref next);
                if (i >= count || cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                IPAddress? source = sources is { Count: > 0 } ? sources[i % sources.Count] : null;
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(timeout);
                try
                {
                    connections[i] = await BenchSocket.ConnectAsync(target, source, deadline.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    Interlocked.Increment(ref _connectFailures);
                    string why = ex is OperationCanceledException ? $"timed out after {timeout.TotalSeconds:0.#} s" : ex.Message;
                    Keep($"connection {numberFrom + i}{(source is null ? string.Empty : $" from {source}")}: {why}");
                }

                onProgress?.Invoke(Interlocked.Increment(ref done));
            }
        }

        var workers = new Task[Math.Clamp(parallel, 1, Math.Max(1, count))];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(WorkerAsync, CancellationToken.None);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return connections;
    }

    protected JsonObject ErrorsJson(BenchTable table, long extra = 0)
    {
        var samples = new JsonArray();
        foreach (string message in _errorMessages)
        {
            samples.Add(message);
        }

        table.Add("errors", $"{Errors + extra} ({ConnectFailures} connection failures){(_errorMessages.IsEmpty ? string.Empty : "; first: " + _errorMessages.First())}");
        return new JsonObject { ["count"] = Errors + extra, ["connectFailures"] = ConnectFailures, ["samples"] = samples };
    }

    /// <summary>Waits for <paramref name="tasks"/> up to <paramref name="timeout"/>; false when some are still running.</summary>
    protected static async Task<bool> WaitAllAsync(IEnumerable<Task> tasks, TimeSpan timeout)
    {
        Task all = Task.WhenAll(tasks);
        Task first = await Task.WhenAny(all, Task.Delay(timeout)).ConfigureAwait(false);
        return first == all;
    }
}
