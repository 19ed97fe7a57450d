using System.Net;

namespace Duplex.Tests.Cli;

public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serves_the_page_at_root_and_echoes_on_echo_then_closes_clients_with_1001()
    {
        await using CliHarness serve = CliHarness.Start(["serve", "--host", "127.0.0.1", "--port", "0"]);
        int port = await serve.ListeningPortAsync();

        using (var http = new HttpClient { Timeout = CliHarness.Timeout })
        {
            using HttpResponseMessage page = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            string html = await page.Content.ReadAsStringAsync();
            foreach (string id in new[] { "status", "input", "send", "log" })
            {
                Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
            }

            Assert.Contains("'/echo'", html, StringComparison.Ordinal);
        }

        CancellationToken ct = TestServers.Bounded();
        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"), ct);
        await ws.SendTextAsync("ping ✓", ct);
        WebSocketMessage text = await ws.ReceiveAsync(ct);
        Assert.Equal(MessageType.Text, text.Type);
        Assert.Equal("ping ✓", text.Text);

        await ws.SendBinaryAsync(new byte[] { 0, 1, 2, 250 }, ct);
        WebSocketMessage binary = await ws.ReceiveAsync(ct);
        Assert.Equal(MessageType.Binary, binary.Type);
        Assert.Equal(new byte[] { 0, 1, 2, 250 }, binary.Data.ToArray());

        // Ctrl+C: the server says goodbye (1001) to the clients it still has, and exits 0.
        Task<int> stopped = serve.StopAsync();
        WebSocketMessage close = await ws.ReceiveAsync(ct);
        Assert.True(close.IsClose);
        Assert.Equal(CloseStatus.GoingAway, ws.CloseStatus);
        Assert.Equal(0, await stopped);
    }

    [Fact]
    public async Task A_missing_web_folder_is_bad_usage()
    {
        var (exit, _, stderr) = await CliHarness.RunAsync(["serve", "--port", "0", "--web", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))]);

        Assert.Equal(2, exit);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_out_of_range_is_bad_usage()
    {
        Assert.Equal(2, (await CliHarness.RunAsync(["serve", "--port", "70000"])).Exit);
        Assert.Equal(2, (await CliHarness.RunAsync(["echo", "--host", "not-an-address", "--port", "0"])).Exit);
    }
}
