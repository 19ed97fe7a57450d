using System.Collections.Concurrent;

namespace Duplex.Cli;

/// <summary>
/// <c>/publish</c> → <c>/broadcast</c>: every message received on a publish connection is sent,
/// with its type, to every connection open on <c>/broadcast</c> at that moment. A subscriber
/// that sends a message gets it echoed back (to itself only), which tells it that it is
/// registered: anything published after that echo reaches it.
/// </summary>
internal sealed class BroadcastHub
{
    private readonly ConcurrentDictionary<WebSocketConnection, byte> _subscribers = new();

    public int SubscriberCount => _subscribers.Count;

    public async Task SubscribeAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        _subscribers.TryAdd(connection, 0);
        try
        {
            await foreach (WebSocketMessage message in connection.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
            {
                await connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _subscribers.TryRemove(connection, out _);
        }
    }

    public async Task PublishAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        var sends = new List<Task>();
        await foreach (WebSocketMessage message in connection.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
        {
            // Framed once, written to every subscriber (DESIGN: one broadcast is encoded once).
            // While the publisher has more messages already received, subscribers only buffer
            // them; at the end of the burst each subscriber's buffer goes out in one write.
            var prepared = new PreparedMessage(message.Type, message.Data.Span);
            bool burstEnds = !connection.HasBufferedInput;
            sends.Clear();
            foreach (WebSocketConnection subscriber in _subscribers.Keys)
            {
                sends.Add(SendQuietlyAsync(subscriber, prepared, burstEnds, cancellationToken));
            }

            await Task.WhenAll(sends).ConfigureAwait(false);
        }
    }

    private static async Task SendQuietlyAsync(WebSocketConnection subscriber, PreparedMessage message, bool flush, CancellationToken cancellationToken)
    {
        try
        {
            await subscriber.SendAsync(message, flush, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The subscriber is closing or gone (WebSocketClosedException is an IOException);
            // its own handler removes it. Other subscribers are not affected.
        }
    }
}
