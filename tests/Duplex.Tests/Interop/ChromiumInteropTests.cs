using Xunit.Abstractions;

namespace Duplex.Tests.Interop;

/// <summary>
/// Headless Chromium's native WebSocket (driven through playwright-core by
/// tests/peers/node/chromium-ws.js) against the Duplex server, on a page the Duplex server serves.
/// </summary>
public sealed class ChromiumInteropTests(ITestOutputHelper output) : IDisposable
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
    public async Task Chromium_WebSocket_round_trips_messages_with_the_Duplex_server_that_served_its_page()
    {
        await using var server = await InteropDuplexServer.StartAsync(staticDirectory: _site);
        var page = new Uri(server.HttpUri, "index.html");
        await using var browser = PeerProcess.StartNode(
            "chromium-ws.js",
            [page.ToString(), "--ws", server.WebSocketUri().ToString(), "--count", "50", "--timeout", "60"],
            output);

        var result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.Equal(
            ["connect", "text", "empty-text", "empty-binary", "binary-65536", "text-262144", "burst-50", "close"],
            result.Steps);
        Assert.Equal(1000, result.GetInt("closeCode"));
        var accepted = await server.WaitForAcceptAsync(InteropTimeouts.Step);
        Assert.Equal($"http://127.0.0.1:{server.Port}", accepted.Origin);
        Assert.Contains("HeadlessChrome", accepted.UserAgent ?? "", StringComparison.Ordinal);
        output.WriteLine($"extensions agreed with Chromium: {accepted.Extensions ?? "(none)"}");
        Assert.Equal(new ReceivedClose(1000, "bye"), await server.WaitForCloseAsync(InteropTimeouts.Step));
    }

    [Fact]
    public async Task Chromium_WebSocket_negotiates_a_subprotocol_and_sends_its_close_code_and_reason_to_the_Duplex_server()
    {
        const string reason = "\u00fcber \u2713";
        await using var server = await InteropDuplexServer.StartAsync(subProtocols: ["chat"], staticDirectory: _site);
        await using var browser = PeerProcess.StartNode(
            "chromium-ws.js",
            [
                server.HttpUri.ToString(), "--ws", server.WebSocketUri().ToString(),
                "--subprotocol", "v2.other", "--subprotocol", "chat",
                "--size", "1048576", "--close-code", "4000", "--close-reason", reason, "--timeout", "60",
            ],
            output);

        var result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.Equal("chat", result.GetString("protocol"));
        Assert.Equal(4000, result.GetInt("closeCode"));
        Assert.Equal(new ReceivedClose(4000, reason), await server.WaitForCloseAsync(InteropTimeouts.Step));
    }

    private static string CreateSite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "duplex-interop-site-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        File.WriteAllText(
            Path.Combine(directory, "index.html"),
            "<!doctype html>\n<meta charset=\"utf-8\">\n<title>Duplex interop</title>\n<p>Chromium interop page served by Duplex.</p>\n");
        return directory;
    }
}
