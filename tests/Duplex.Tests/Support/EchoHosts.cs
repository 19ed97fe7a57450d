using Duplex.Tests.Conformance;

namespace Duplex.Tests.Support;

/// <summary>An echo at /echo on 127.0.0.1 and an OS-picked port, on one of the servers Duplex runs in.</summary>
internal interface IEchoHost : IAsyncDisposable
{
    int Port { get; }
}

internal static class EchoHosts
{
    /// <summary>The built-in server for <see cref="Side.Server"/>, Kestrel through Duplex.AspNetCore for <see cref="Side.HostedServer"/>.</summary>
    public static async Task<IEchoHost> StartAsync(Side side, WebSocketConnectionOptions options) => side switch
    {
        Side.Server => await EchoServer.StartAsync(options),
        Side.HostedServer => await HostedEchoServer.StartAsync(options),
        _ => throw new ArgumentOutOfRangeException(nameof(side), side, "not a server side"),
    };
}
