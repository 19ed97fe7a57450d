namespace Duplex;

/// <summary>Limits and timers of an open WebSocket connection; the defaults are safe for the open internet.</summary>
public sealed class WebSocketConnectionOptions
{
    /// <summary>Shared defaults.</summary>
    public static WebSocketConnectionOptions Default { get; } = new();

    /// <summary>
    /// The largest message accepted, in bytes; a larger one closes the connection with 1009 as
    /// soon as its frame header arrives. Default 16 MiB: room for large documents, while one
    /// peer cannot pin more than that.
    /// </summary>
    public long MaxMessageSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// How long the connection may be silent before a ping is sent. Default 20 s: well below the
    /// 60 s idle timeout of common proxies (nginx) and NAT mappings. <see cref="Timeout.InfiniteTimeSpan"/> turns keepalive off.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long to wait for any sign of life (a pong or any other frame) after a keepalive ping
    /// before the peer is taken for dead and the connection is dropped. Default 20 s.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long the closing handshake may take: waiting for the peer's close frame after sending
    /// ours, and (client) for the server to close TCP. Default 5 s.
    /// </summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The size of the buffer a connection reads the socket into while data is flowing. It is
    /// rented from a pool only while bytes are arriving: an idle connection holds none. Default 16 KiB.
    /// </summary>
    public int ReceiveBufferSize { get; init; } = 16 * 1024;

    /// <summary>
    /// permessage-deflate (RFC 7692): what to offer (client) or accept (server), or null for no
    /// compression. Default null: compression holds about 300 KiB of zlib state per connection
    /// with context takeover, so it is a choice to make per endpoint or per client, not a default.
    /// </summary>
    public PerMessageDeflateOptions? Compression { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        const string owner = nameof(WebSocketConnectionOptions);
        OptionRules.Require(MaxMessageSize > 0, owner, nameof(MaxMessageSize), "must be at least 1 byte", MaxMessageSize);
        OptionRules.Require(KeepAliveInterval == Timeout.InfiniteTimeSpan || KeepAliveInterval >= TimeSpan.Zero, owner, nameof(KeepAliveInterval), "must be zero or Timeout.InfiniteTimeSpan (off) or positive", KeepAliveInterval);
        if (KeepAliveEnabled)
        {
            OptionRules.RequirePositive(KeepAliveTimeout, owner, nameof(KeepAliveTimeout));
        }

        OptionRules.RequirePositive(CloseTimeout, owner, nameof(CloseTimeout));
        OptionRules.Require(ReceiveBufferSize >= MinimumReceiveBufferSize, owner, nameof(ReceiveBufferSize), $"must be at least {MinimumReceiveBufferSize} bytes (a frame header and then some)", ReceiveBufferSize);
    }

    /// <summary>The smallest receive buffer accepted.</summary>
    internal const int MinimumReceiveBufferSize = 256;

    internal bool KeepAliveEnabled => KeepAliveInterval > TimeSpan.Zero && KeepAliveInterval != Timeout.InfiniteTimeSpan;
}
