using System.Text.Json;
using Duplex.Tests.Interop;
using Xunit.Abstractions;

namespace Duplex.Tests.Cli;

/// <summary>The demo page of <c>duplex serve</c>, driven in headless Chromium as a person would use it: the WebSocket echo, and the session echo over the transport picked.</summary>
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

    [Theory]
    [InlineData("websocket")]
    [InlineData("sse")]
    [InlineData("long-polling")]
    [InlineData("polling")]
    public async Task The_transport_in_the_page_url_carries_the_session_echo(string transport)
    {
        await using var serve = CliHarness.Start(["serve", "--port", "0"]);
        int port = await serve.ListeningPortAsync();
        await using var browser = PeerProcess.StartNode("chromium-demo-session.js", [$"http://127.0.0.1:{port}/?transport={transport}", "--expect", transport, "--timeout", "60"], output);

        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        JsonElement step = Assert.Single(result.Json.GetProperty("steps").EnumerateArray());
        Assert.Equal(transport, step.GetProperty("picked").GetString());
        Assert.Equal($"connected · {transport}", step.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Each_transport_picked_in_the_picker_opens_a_session_on_it_that_echoes_and_the_url_follows()
    {
        await using var serve = CliHarness.Start(["serve", "--port", "0"]);
        int port = await serve.ListeningPortAsync();
        await using var browser = PeerProcess.StartNode("chromium-demo-session.js", [$"http://127.0.0.1:{port}/", "--expect", "websocket", "--pick", "sse,long-polling,polling,websocket,auto", "--timeout", "60"], output);

        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        var steps = result.Json.GetProperty("steps").EnumerateArray()
            .Select(s => (s.GetProperty("picked").GetString(), s.GetProperty("transport").GetString(), s.GetProperty("search").GetString()))
            .ToArray();
        Assert.Equal(
            [
                ("auto", "websocket", ""), ("sse", "sse", "?transport=sse"), ("long-polling", "long-polling", "?transport=long-polling"),
                ("polling", "polling", "?transport=polling"), ("websocket", "websocket", "?transport=websocket"), ("auto", "websocket", ""),
            ],
            steps);
    }
}
