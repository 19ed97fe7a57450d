namespace Duplex.Protocol.Connection;

/// <summary>What a <see cref="WebSocketReceiver"/> accepts.</summary>
public sealed class ReceiverOptions
{
    /// <summary>Which end this is; decides whether incoming frames must be masked (RFC 6455 §5.1).</summary>
    public Role Role { get; init; } = Role.Server;

    /// <summary>
    /// The largest message, in bytes, summed over its fragments; a frame header that would
    /// cross it fails the connection with 1009 before its payload is read.
    /// Default 16 MiB: large enough for the big-message cases of the Autobahn|Testsuite, small
    /// enough that one peer cannot take a large share of memory.
    /// </summary>
    public long MaxMessageSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// The RSV bits (0x4 = RSV1, 0x2 = RSV2, 0x1 = RSV3) that a negotiated extension gives a
    /// meaning to. Default none: any set RSV bit fails the connection with 1002 (RFC 6455 §5.2).
    /// </summary>
    public byte AllowedRsv { get; init; }
}
