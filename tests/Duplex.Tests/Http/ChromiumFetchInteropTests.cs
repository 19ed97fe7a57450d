using Duplex.Tests.Interop;
using Xunit.Abstractions;

namespace Duplex.Tests.Http;

/// <summary>
/// Headless Chromium's fetch() (driven through playwright-core by tests/peers/node/chromium-fetch.js)
/// against the built-in HTTP/1.1 server: a GET and a POST on the page's own origin, and a CORS
/// request with a preflight to a second server on another origin.
/// </summary>
public sealed class ChromiumFetchInteropTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _site = CreateSite();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_site, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder does no harm
        }
    }

    [Fact]
    public async Task Chromium_fetch_gets_posts_and_passes_a_CORS_preflight_to_another_origin_that_refuses_what_it_does_not_allow()
    {
        await using HttpTestServer page = await HttpTestServer.StartAsync(s =>
        {
            s.MapStaticFiles(_site);
            s.MapGet("/hello", HttpTestServer.Text("hello from duplex"));
            s.MapPost("/echo", HttpTestServer.Echo);
        });
        string pageOrigin = $"http://127.0.0.1:{page.Port}";
        int posted = 0;
        await using HttpTestServer api = await HttpTestServer.StartAsync(
            s => s.MapPost("/data", async (exchange, ct) =>
            {
                Interlocked.Increment(ref posted);
                exchange.ResponseHeaders.Add("X-Seq", "7");
                byte[] body = await exchange.ReadBodyToEndAsync(1 << 16, ct);
                await exchange.RespondAsync(200, "application/json", body, ct);
            }),
            cors: new CrossOriginOptions { AllowedOrigins = [pageOrigin], AllowedHeaders = ["Content-Type", "X-Token"], ExposedHeaders = ["X-Seq"] });

        await using var browser = PeerProcess.StartNode(
            "chromium-fetch.js",
            [new Uri(page.BaseUri, "index.html").ToString(), "--cross", $"http://localhost:{api.Port}", "--timeout", "60"],
            output);
        var result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.Equal(["get", "post", "cors", "refused"], result.Steps);
        Assert.Equal("7", result.GetString("seq"));
        Assert.Equal(1, posted);
    }

    private static string CreateSite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "duplex-fetch-site-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "index.html"), "<!doctype html>\n<meta charset=\"utf-8\">\n<title>Duplex fetch</title>\n<p>fetch interop page served by Duplex.</p>\n");
        return directory;
    }
}
