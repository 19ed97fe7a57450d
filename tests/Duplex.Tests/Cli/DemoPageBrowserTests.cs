using Duplex.Tests.Interop;
using Xunit.Abstractions;

namespace Duplex.Tests.Cli;

/// <summary>The demo page of <c>duplex serve</c>, driven in headless Chromium as a person would use it.</summary>
public sealed class DemoPageBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Typing_into_the_demo_page_shows_each_echo_and_Close_closes_with_1000()
    {
        await using var serve = CliHarness.Start(["serve", "--port", "0"]);
        int port = await serve.ListeningPortAsync();
        await using var browser = PeerProcess.StartNode("chromium-demo.js", [$"http://127.0.0.1:{port}/", "--timeout", "60"], output);

        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        string[] echoed = result.Json.GetProperty("echoed").EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
        Assert.Equal(["hello from the demo", "κόσμε ✓ 🎉"], echoed);
        Assert.StartsWith("2 sent · 2 echoed", result.GetString("stats"), StringComparison.Ordinal);
        Assert.StartsWith("closed (1000", result.GetString("status"), StringComparison.Ordinal);
    }
}
