namespace Duplex.Cli.Faults;

/// <summary>How a <see cref="FaultProxy"/> misbehaves, each like a piece of real infrastructure.</summary>
public enum FaultMode
{
    /// <summary>Forwards every byte both ways, as it comes.</summary>
    PassThrough,

    /// <summary>
    /// An HTTP-only proxy: a connection whose first request asks for an upgrade (WebSocket) is
    /// answered <c>403 Forbidden</c> and closed; everything else passes. Browsers and Duplex's
    /// client open a new connection for every WebSocket, so the first request is the one to judge.
    /// </summary>
    RefuseUpgrades,

    /// <summary>
    /// A firewall that resets a connection whose first request asks for an upgrade: RST to the
    /// client, no answer, so that the client cannot tell it from a network fault. Everything else passes.
    /// </summary>
    ResetUpgrades,

    /// <summary>
    /// A buffering gateway (an anti-virus scanner, some reverse proxies): each HTTP response is
    /// held until it is complete, then sent whole. A response that never completes (an event
    /// stream) is never sent. Upgraded connections pass once the 101 is through.
    /// </summary>
    BufferResponses,

    /// <summary>
    /// A NAT box that forgets idle flows: a connection with no byte either way for
    /// <see cref="FaultProxyOptions.IdleTimeout"/> is dropped silently — nothing more is
    /// forwarded and neither end is told (no FIN, no reset).
    /// </summary>
    ForgetIdleFlows,

    /// <summary>Connections are reset (RST to both ends) at random, after a random number of bytes (mean <see cref="FaultProxyOptions.MeanBytesBetweenResets"/>).</summary>
    RandomResets,
}
