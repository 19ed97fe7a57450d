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

    /// <summary>Settings of the Duplex server and the Sec-WebSocket-Extensions it must answer Chromium's offer with.</summary>
    public static TheoryData<string> DuplexServerSettings => ["no context takeover either way", "window bits 10 for the server and 9 for the client"];

    [Fact]
    public async Task Chromium_WebSocket_negotiates_permessage_deflate_with_the_Duplex_server_and_both_compress_text_binary_and_200kB_JSON()
    {
        await using var server = await InteropDuplexServer.StartAsync(staticDirectory: _site, compression: new PerMessageDeflateOptions());
        await using var relay = CountingTcpRelay.Start(server.Port);
        // The page comes straight from the Duplex server, the WebSocket goes through the relay.
        await using var browser = PeerProcess.StartNode(
            "chromium-ws.js",
            [
                new Uri(server.HttpUri, "index.html").ToString(), "--ws", relay.WebSocketUri(InteropDuplexServer.EchoPath).ToString(),
                "--json-size", "204800", "--count", "50", "--timeout", "60",
            ],
            output);

        var result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.Equal(
            ["connect", "text", "empty-text", "empty-binary", "binary-65536", "text-262144", "json-204800", "burst-50", "close"],
            result.Steps);
        var accepted = await server.WaitForAcceptAsync(InteropTimeouts.Step);
        CompressionInterop.AssertPermessageDeflate(accepted.Extensions, "the Duplex server");
        Assert.Equal(accepted.Extensions, result.GetString("extensions"));
        Assert.Equal(new ReceivedClose(1000, "bye"), await server.WaitForCloseAsync(InteropTimeouts.Step));

        // 64 KiB binary, 256 KiB text and 200 kB JSON each way, besides the small messages.
        const long payload = 65536 + 262144 + 204800;
        output.WriteLine($"ws.extensions = {result.GetString("extensions")}; {payload} bytes of payload each way, on the wire {relay.ClientToServerBytes} up, {relay.ServerToClientBytes} down");
        CompressionInterop.AssertCompressedOnTheWire(relay.ClientToServerBytes, payload, "Chromium's messages to the Duplex server");
        CompressionInterop.AssertCompressedOnTheWire(relay.ServerToClientBytes, payload, "the Duplex server's echoes to Chromium");
    }

    [Theory]
    [MemberData(nameof(DuplexServerSettings))]
    public async Task Chromium_WebSocket_honours_what_the_Duplex_server_settings_impose_on_permessage_deflate(string setting)
    {
        var (options, expected) = setting switch
        {
            "no context takeover either way" => (
                new PerMessageDeflateOptions { ServerNoContextTakeover = true, ClientNoContextTakeover = true },
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
            _ => (
                new PerMessageDeflateOptions { ServerMaxWindowBits = 10, ClientMaxWindowBits = 9 },
                "permessage-deflate; server_max_window_bits=10; client_max_window_bits=9"),
        };
        await using var server = await InteropDuplexServer.StartAsync(staticDirectory: _site, compression: options);
        await using var browser = PeerProcess.StartNode(
            "chromium-ws.js",
            [
                new Uri(server.HttpUri, "index.html").ToString(), "--ws", server.WebSocketUri().ToString(),
                "--json-size", "204800", "--count", "50", "--timeout", "60",
            ],
            output);

        var result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.Equal("close", result.Steps[^1]);
        Assert.Equal(expected, result.GetString("extensions"));
        Assert.Equal(expected, (await server.WaitForAcceptAsync(InteropTimeouts.Step)).Extensions);
        Assert.Equal(new ReceivedClose(1000, "bye"), await server.WaitForCloseAsync(InteropTimeouts.Step));
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
