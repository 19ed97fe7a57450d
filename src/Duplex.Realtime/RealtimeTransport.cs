namespace Duplex.Realtime;

/// <summary>What carries a session now (docs/PROTOCOL.md §4).</summary>
public enum RealtimeTransport
{
    /// <summary><c>websocket</c>: both directions on one WebSocket.</summary>
    WebSocket,

    /// <summary><c>sse</c>: Server-Sent Events down, POSTs up.</summary>
    ServerSentEvents,

    /// <summary><c>long-polling</c>: a GET held until messages wait, POSTs up.</summary>
    LongPolling,

    /// <summary><c>polling</c>: a GET answered at once on the client's interval, POSTs up.</summary>
    Polling,
}

/// <summary>The transports' names on the wire (docs/PROTOCOL.md §2).</summary>
public static class RealtimeTransports
{
    /// <summary>Every transport in the order clients try them.</summary>
    public static IReadOnlyList<RealtimeTransport> All { get; } =
        [RealtimeTransport.WebSocket, RealtimeTransport.ServerSentEvents, RealtimeTransport.LongPolling, RealtimeTransport.Polling];

    /// <summary>The wire name: <c>websocket</c>, <c>sse</c>, <c>long-polling</c> or <c>polling</c>.</summary>
    public static string Name(RealtimeTransport transport) => transport switch
    {
        RealtimeTransport.WebSocket => "websocket",
        RealtimeTransport.ServerSentEvents => "sse",
        RealtimeTransport.LongPolling => "long-polling",
        RealtimeTransport.Polling => "polling",
        _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, null),
    };

    /// <summary>The transport a wire name names; false for anything else.</summary>
    public static bool TryParse(string? name, out RealtimeTransport transport)
    {
        foreach (RealtimeTransport candidate in All)
        {
            if (string.Equals(Name(candidate), name, StringComparison.Ordinal))
            {
                transport = candidate;
                return true;
            }
        }

        transport = default;
        return false;
    }
}
