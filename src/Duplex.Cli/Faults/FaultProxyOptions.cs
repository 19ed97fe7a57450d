using System.Net;

namespace Duplex.Cli.Faults;

/// <summary>Where a <see cref="FaultProxy"/> listens, what it forwards to, and how it misbehaves.</summary>
public sealed class FaultProxyOptions
{
    /// <summary>The server the proxy forwards to.</summary>
    public required IPEndPoint Upstream { get; init; }

    /// <summary>How it misbehaves at start; <see cref="FaultProxy.Mode"/> changes it later (for new connections).</summary>
    public FaultMode Mode { get; init; } = FaultMode.PassThrough;

    /// <summary>The address to listen on, port picked by the OS. Default 127.0.0.1.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>For <see cref="FaultMode.ForgetIdleFlows"/>: how long a flow may be idle before it is forgotten. Default 1 s.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>For <see cref="FaultMode.RandomResets"/>: the mean number of bytes (either way) between resets. Default 64 KiB.</summary>
    public long MeanBytesBetweenResets { get; init; } = 64 * 1024;

    /// <summary>The seed of the resets' randomness, so that a run can be repeated. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>For <see cref="FaultMode.BufferResponses"/>: the most bytes held for one response before it is given up and the connection closed. Default 16 MiB.</summary>
    public int MaxBufferedResponse { get; init; } = 16 * 1024 * 1024;
}
