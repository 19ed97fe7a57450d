using System.Collections.Concurrent;

namespace Duplex.Cli;

/// <summary>The WebSocket endpoints the server commands map.</summary>
internal static class Endpoints
{
    /// <summary>Echoes every message back with its type until the client closes.</summary>
    public static async Task EchoAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        await foreach (WebSocketMessage message in connection.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
        {
            await connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }
}

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
            // The message's data is valid until the next receive: every send finishes before it.
            sends.Clear();
            foreach (WebSocketConnection subscriber in _subscribers.Keys)
            {
                sends.Add(SendQuietlyAsync(subscriber, message, cancellationToken));
            }

            await Task.WhenAll(sends).ConfigureAwait(false);
        }
    }

    private static async Task SendQuietlyAsync(WebSocketConnection subscriber, WebSocketMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await subscriber.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The subscriber is closing or gone (WebSocketClosedException is an IOException);
            // its own handler removes it. Other subscribers are not affected.
        }
    }
}
