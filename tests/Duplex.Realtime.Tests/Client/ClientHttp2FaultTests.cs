using System.Net;
using Duplex.Cli.Faults;
using Duplex.Realtime.Tests.Server;
using Duplex.Tests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Duplex.Realtime.Tests.Client;

/// <summary>
/// The session issue's network faults under HTTP/2: the client on h2c (every request and the
/// RFC 8441 WebSocket multiplexed on one connection) to ASP.NET Core through the fault proxy.
/// A reset or a forgotten flow now takes every stream of the connection at once; the session
/// still loses, duplicates and reorders nothing. (The HTTP-aware faults, refused upgrades and
/// buffering gateways, read HTTP/1.1 and are tested there.)
/// </summary>
public class ClientHttp2FaultTests
{
    public static TheoryData<RealtimeTransport> Transports => ClientTransportTests.Transports;

    private static RealtimeClientOptions Http2(RealtimeTransport transport) => new()
    {
        Transports = [transport],
        HttpVersion = HttpVersion.Version20,
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        OpenTimeout = TimeSpan.FromSeconds(3),
    };

    private static Task<HostedRealtimeServer> StartAsync(RealtimeOptions options) =>
        HostedRealtimeServer.StartAsync(RealtimeTestServer.EchoAsync, options, protocols: HttpProtocols.Http2);

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Random_resets_of_the_one_connection_lose_nothing(RealtimeTransport transport)
    {
        await using HostedRealtimeServer server = await StartAsync(ClientFixture.FastOptions());
        await using var network = FaultProxy.Start(new FaultProxyOptions
        {
            Upstream = new IPEndPoint(IPAddress.Loopback, server.Port),
            MeanBytesBetweenResets = 8 * 1024,
            Seed = 11,
        });
        await using var client = new RealtimeClient(new Uri($"http://127.0.0.1:{network.LocalEndPoint.Port}/realtime"), Http2(transport));
        await client.ConnectAsync().Within("connect over h2c");
        network.Mode = FaultMode.RandomResets;
        network.ResetAll();

        Task receiving = Traffic.ExpectAsync(client, 0, 200);
        await Traffic.SendAsync(client, 0, 200);
        await receiving;

        Assert.True(network.Resets > 0);
    }

    /// <summary>
    /// The flow is forgotten once the session is up (<see cref="FaultProxy.ForgetAll"/>), not by an
    /// idle clock: an idle timeout short enough for a test also struck while a loaded machine was
    /// still negotiating, which tested nothing the test meant to.
    /// </summary>
    [Theory]
    [MemberData(nameof(ClientFaultTests.HeldTransports), MemberType = typeof(ClientFaultTests))]
    public async Task A_connection_a_NAT_forgot_silently_is_noticed_and_resumed(RealtimeTransport transport)
    {
        await using HostedRealtimeServer server = await StartAsync(ClientFixture.FastOptions(heartbeat: TimeSpan.FromSeconds(1)));
        await using var network = FaultProxy.Start(new FaultProxyOptions { Upstream = new IPEndPoint(IPAddress.Loopback, server.Port) });
        var events = new EventLog();
        await using var client = new RealtimeClient(new Uri($"http://127.0.0.1:{network.LocalEndPoint.Port}/realtime"), Http2(transport));
        client.StateChanged += (_, e) => events.Add(e);
        await client.ConnectAsync().Within("connect over h2c");
        Task firstEcho = Traffic.ExpectAsync(client, 0, 5);
        await Traffic.SendAsync(client, 0, 5);
        await firstEcho;

        network.ForgetAll();
        await events.WaitAsync(RealtimeClientEventKind.Reconnecting);
        await events.WaitAsync(RealtimeClientEventKind.Resumed);
        Assert.True(network.ForgottenFlows > 0);

        Task receiving = Traffic.ExpectAsync(client, 5, 20);
        await Traffic.SendAsync(client, 5, 20);
        await receiving;
    }
}
