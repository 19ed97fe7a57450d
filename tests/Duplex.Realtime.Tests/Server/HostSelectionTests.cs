using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Server;

/// <summary>The run serves through the host it says (test.sh runs these tests on both servers).</summary>
public class HostSelectionTests
{
    [Fact]
    public async Task The_realtime_endpoint_is_served_by_the_host_this_run_names()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        using HttpResponseMessage response = await server.Http.PostAsync("negotiate?v=1", null).WaitAsync(Bounded.Default);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        bool kestrel = response.Headers.Server.Any(product => product.Product?.Name == "Kestrel");
        Assert.Equal(RealtimeTestServer.Hosted, kestrel);
    }
}
