using Duplex.Realtime;

namespace Duplex.Cli;

/// <summary>The WebSocket and session endpoints the server commands map.</summary>
internal static class Endpoints
{
    /// <summary>
    /// Echoes every message back with its type until the client closes. Written as a plain
    /// receive loop, with no cancellation registered on the receive: this is the benchmark
    /// server, and an idle connection should hold as little as possible. Shutdown still ends it:
    /// the server sends close 1001 and, past the shutdown timeout, drops the connection.
    /// </summary>
    public static async Task EchoAsync(WebSocketConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            WebSocketMessage message = await connection.ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
            if (message.IsClose)
            {
                return;
            }

            await connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends every message of a session back to its sender, with its type, until the session ends.</summary>
    public static async Task SessionEchoAsync(RealtimeSession session, CancellationToken cancellationToken)
    {
        await foreach (RealtimeMessage message in session.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
        {
            await session.SendAsync(message.Type, message.Data, cancellationToken).ConfigureAwait(false);
        }
    }
}
