namespace Duplex.Cli.Compare.Server;

/// <summary>What a client of the compare workload asks (docs/PROTOCOL.md §12), read and checked by <see cref="CompareRequestReader"/>.</summary>
internal abstract record CompareRequest;

/// <summary><c>{"k":"hello","run":ID,"client":I}</c>: join the run group ID as client I.</summary>
internal sealed record HelloRequest(string Run, long Client) : CompareRequest;

/// <summary><c>{"k":"ping","c":T}</c>; <paramref name="ClientTime"/> is T's JSON text, echoed as it came.</summary>
internal sealed record PingRequest(byte[] ClientTime) : CompareRequest;

/// <summary><c>{"k":"chat","n":N,"c":T,"p":PADDING}</c>; T and PADDING are kept as their JSON text, echoed to the group as they came.</summary>
internal sealed record ChatRequest(long Sequence, byte[] ClientTime, byte[] Padding) : CompareRequest;

/// <summary><c>{"k":"ticker","rate":R,"count":M,"size":B}</c>.</summary>
internal sealed record TickerRequest(double Rate, long Count, int Size) : CompareRequest;

/// <summary><c>{"k":"burst","count":M,"size":B}</c>.</summary>
internal sealed record BurstRequest(long Count, int Size) : CompareRequest;

/// <summary><c>{"k":"memory"}</c>: the managed heap after a full collection (answered only with <c>--compare-memory</c>).</summary>
internal sealed record MemoryRequest : CompareRequest;

/// <summary><c>{"k":"stop"}</c>: stop this client's ticker.</summary>
internal sealed record StopRequest : CompareRequest;
