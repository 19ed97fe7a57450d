namespace Duplex.Tests.Interop;

/// <summary>The interop peers meet the server this run names (test.sh runs them on both servers).</summary>
public class InteropHostSelectionTests
{
    [Fact]
    public async Task The_interop_server_is_the_host_this_run_names()
    {
        await using InteropDuplexServer server = await InteropDuplexServer.StartAsync();
        using var http = new HttpClient { Timeout = Support.Bounded.Default };
        using HttpResponseMessage response = await http.GetAsync(new Uri(server.HttpUri, InteropDuplexServer.EchoPath));

        Assert.Equal(426, (int)response.StatusCode);
        Assert.Equal(InteropDuplexServer.Hosted, response.Headers.Server.Any(product => product.Product?.Name == "Kestrel"));
    }
}
