using Duplex.Realtime;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>A bench client on the Duplex <see cref="RealtimeClient"/>, pinned to one transport.</summary>
internal sealed class DuplexBenchClient : IBenchClient
{
    private readonly RealtimeClient _client;
    private readonly CancellationTokenSource _stop = new();
    private Task _reading = Task.CompletedTask;
    private long _sequence;
    private long _sendFailures;

    public DuplexBenchClient(Uri endpoint, RealtimeTransport transport, TimeSpan? pollInterval, DownstreamCheck received)
    {
        Received = received;
        _client = new RealtimeClient(endpoint, new RealtimeClientOptions { Transports = [transport], PollInterval = pollInterval });
    }

    public DownstreamCheck Received { get; }

    public long SendFailures => Interlocked.Read(ref _sendFailures);

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        _reading = ReadAsync(_stop.Token);
    }

    public long NextSequence() => ++_sequence;

    public async ValueTask SendAsync(string text, CancellationToken cancellationToken)
    {
        try
        {
            await _client.SendTextAsync(text, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or RealtimeOutboxFullException or RealtimeSessionClosedException)
        {
            Interlocked.Increment(ref _sendFailures);
        }
    }

    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or RealtimeSessionClosedException or OperationCanceledException)
        {
            // Closing is polite, not required: the run's numbers are in.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _client.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _reading.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or RealtimeSessionClosedException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        await foreach (RealtimeMessage message in _client.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
        {
            Received.Take(message.Data.Span);
        }
    }
}
