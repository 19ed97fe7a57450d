namespace Duplex.Realtime;

/// <summary>
/// What a <see cref="RealtimeClient"/> has cost on the network so far, for benchmarks and
/// comparisons. Bytes are counted at the socket for the HTTP transports (every request and
/// response, headers included) and for WebSocket as the frames' bytes (headers, masks and
/// payloads; the opening handshake is not counted). Over HTTP/2
/// (<see cref="RealtimeClientOptions.HttpVersion"/>) the WebSocket is a stream of the HTTP
/// connection, so every byte, WebSocket frames, HTTP/2 framing and TLS included, is counted at
/// that connection's socket. With a shared <see cref="RealtimeClientOptions.HttpHandler"/> the
/// client does not see that handler's sockets: <see cref="TcpConnections"/>, <see cref="BytesSent"/>
/// and <see cref="BytesReceived"/> then count only a WebSocket's own TCP connection over HTTP/1.1
/// (nothing over HTTP/2), and the handler's own connect callback is the place to count the rest.
/// </summary>
public sealed class RealtimeClientStatistics
{
    private long _httpRequests;
    private long _tcpConnections;
    private long _transportsOpened;
    private long _reconnects;
    private long _bytesSent;
    private long _bytesReceived;

    /// <summary>HTTP requests made (negotiate, polls, event streams, sends, closes; not WebSocket upgrades or extended CONNECTs).</summary>
    public long HttpRequests => Interlocked.Read(ref _httpRequests);

    /// <summary>TCP connections opened (HTTP and WebSocket).</summary>
    public long TcpConnections => Interlocked.Read(ref _tcpConnections);

    /// <summary>Transports opened (each <c>o</c> received; each poll counts for the polling transports).</summary>
    public long TransportsOpened => Interlocked.Read(ref _transportsOpened);

    /// <summary>Reconnects after a transport dropped.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Bytes written to the network.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes read from the network.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    internal void AddHttpRequest() => Interlocked.Increment(ref _httpRequests);

    internal void AddTcpConnection() => Interlocked.Increment(ref _tcpConnections);

    internal void AddTransportOpened() => Interlocked.Increment(ref _transportsOpened);

    internal void AddReconnect() => Interlocked.Increment(ref _reconnects);

    internal void AddSent(long bytes) => Interlocked.Add(ref _bytesSent, bytes);

    internal void AddReceived(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);
}
