namespace Duplex.Tests.Conformance;

/// <summary>
/// The echo loop of <c>duplex autobahn-agent</c>, run by the Duplex client in the client-side
/// conformance cases (<see cref="CaseRun"/> and <see cref="CompressionCaseRun"/>).
/// </summary>
internal static class AutobahnAgent
{
    /// <summary>
    /// Echoes every message with its type until the connection closes, then disposes the
    /// connection; a send refused because closing has begun is ignored.
    /// </summary>
    /// <returns>What the loop threw, or <see langword="null"/> when it ended cleanly.</returns>
    public static async Task<Exception?> EchoUntilClosedAsync(WebSocketConnection connection)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await using (connection)
            {
                while (true)
                {
                    WebSocketMessage message = await connection.ReceiveAsync(timeout.Token);
                    if (message.IsClose)
                    {
                        break;
                    }

                    try
                    {
                        await connection.SendAsync(message, timeout.Token);
                    }
                    catch (WebSocketClosedException)
                    {
                    }
                }
            }
        }
        catch (Exception ex)
        {
            return ex;
        }

        return null;
    }
}
