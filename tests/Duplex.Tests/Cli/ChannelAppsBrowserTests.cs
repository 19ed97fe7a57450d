using System.Net;
using System.Text.Json;
using Duplex.Cli.Faults;
using Duplex.Tests.Interop;
using Duplex.Tests.Support;
using Xunit.Abstractions;

namespace Duplex.Tests.Cli;

/// <summary>
/// The chat and ticker pages of <c>duplex serve</c> (web/chat.html, web/ticker.html: plain HTML on
/// duplex.js's channels) in headless Chromium, on each transport pinned in the page's URL. The
/// pages are saved as PNGs under TestResults/screenshots.
/// </summary>
public sealed class ChannelAppsBrowserTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("websocket")]
    [InlineData("sse")]
    [InlineData("long-polling")]
    [InlineData("polling")]
    public async Task Two_chat_pages_talk_and_the_one_cut_off_shows_every_message_sent_meanwhile_once_and_in_order(string transport)
    {
        await using var serve = CliHarness.Start(["serve", "--port", "0"]);
        int port = await serve.ListeningPortAsync();
        // Bob's page goes through the fault proxy: his connections are reset while his network is away.
        await using FaultProxy proxy = FaultProxy.Start(new FaultProxyOptions { Upstream = new IPEndPoint(IPAddress.Loopback, port), Mode = FaultMode.PassThrough });
        string room = $"room-{transport}";
        string page = $"chat.html?transport={transport}&room={room}";
        string shots = Screenshots.Folder();
        await using var browser = PeerProcess.StartNode(
            "chromium-chat.js",
            [$"http://127.0.0.1:{port}/{page}", $"http://127.0.0.1:{proxy.LocalEndPoint.Port}/{page}", "--while", "5", "--screenshots", shots, "--prefix", $"chat-{transport}", "--timeout", "60"],
            output);

        await browser.WaitForLineAsync("PAUSE", InteropTimeouts.Browser);
        proxy.ResetAll();
        await browser.WriteLineAsync("GO");
        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.Equal(transport, result.GetString("transport"));
        Assert.Equal(transport, result.GetString("bobTransport"));
        Assert.Equal(["Alice", "Bob"], Strings(result, "membersSeenByBob"));
        Assert.Equal("reconnecting…", result.GetString("bobStatusWhileAway"));

        // Nothing of what Alice said while Bob was away reached him then; all of it once he was back.
        Assert.Equal(2, result.GetInt("bobShowsBeforeComingBack"));
        string[] expected =
        [
            "hello, anyone here?", "κόσμε ✓ 🎉 \"quoted\"",
            .. Enumerable.Range(1, 5).Select(i => $"while you were away {i}"),
            "back again, thanks",
        ];
        Assert.Equal(expected, Strings(result, "bobTexts"));
        Assert.Equal(expected, Strings(result, "aliceTexts"));

        Assert.Equal(["Alice"], Strings(result, "membersAfterLeave"));
        Assert.Equal(["Bob joined", "Bob left"], Strings(result, "aliceNotices"));
        foreach (string name in new[] { "reconnecting", "bob", "alice" })
        {
            Screenshots.AssertSaved(Path.Combine(shots, $"chat-{transport}-{name}.png"));
        }
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("sse")]
    [InlineData("long-polling")]
    [InlineData("polling")]
    public async Task The_ticker_page_shows_every_symbol_updating_live_with_the_transport_and_the_delivery_latency(string transport)
    {
        await using var serve = CliHarness.Start(["serve", "--port", "0", "--ticker-interval", "100"]);
        int port = await serve.ListeningPortAsync();
        string shot = Path.Combine(Screenshots.Folder(), $"ticker-{transport}.png");
        await using var browser = PeerProcess.StartNode("chromium-ticker.js", [$"http://127.0.0.1:{port}/ticker.html?transport={transport}", "--ticks", "8", "--screenshot", shot, "--timeout", "60"], output);

        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.Equal(transport, result.GetString("transport"));
        Assert.Equal("connected", result.GetString("status"));
        JsonElement[] symbols = result.Json.GetProperty("symbols").EnumerateArray().ToArray();
        Assert.Equal(["EURUSD", "GBPUSD", "USDJPY", "BTCUSD", "ETHUSD", "XAUUSD"], symbols.Select(s => s.GetProperty("symbol").GetString()));
        Assert.All(symbols, s =>
        {
            Assert.True(s.GetProperty("ticks").GetInt32() >= 8, $"{s.GetProperty("symbol")}: {s.GetProperty("ticks")} ticks");
            Assert.True(double.TryParse(s.GetProperty("price").GetString(), System.Globalization.CultureInfo.InvariantCulture, out double price) && price > 0, $"{s.GetProperty("symbol")} shows {s.GetProperty("price")}");
            Assert.True(s.GetProperty("points").GetInt32() >= 8, $"{s.GetProperty("symbol")}'s chart has {s.GetProperty("points")} points");
        });

        // The first card's price changed at least twice while watched.
        Assert.Equal(3, result.Json.GetProperty("moving").GetArrayLength());
        Assert.Matches(@"^\d+ ms \(avg \d+\.\d ms\)$", result.GetString("latency"));
        Screenshots.AssertSaved(shot);
    }

    private static string[] Strings(PeerResult result, string name) =>
        result.Json.GetProperty(name).EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
}
