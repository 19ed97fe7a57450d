namespace Duplex.Cli.Relay;

/// <summary>
/// Sees the bytes of one connection through a <see cref="TcpRelay{TObserver}"/>, each way, as they
/// cross (before they are passed on). Every call is made holding the observer's own lock, so a
/// reader that locks it sees the bytes of whole reads only.
/// </summary>
internal interface IRelayObserver
{
    /// <summary>Bytes the client sent toward the server.</summary>
    void Up(ReadOnlySpan<byte> bytes);

    /// <summary>Bytes the server sent toward the client.</summary>
    void Down(ReadOnlySpan<byte> bytes);
}
