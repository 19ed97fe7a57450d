namespace Duplex.Tests.Cli;

public sealed class EchoCommandTests
{
    [Fact]
    public async Task Publish_fans_out_to_every_broadcast_subscriber_and_echo_echoes()
    {
        await using CliHarness echo = CliHarness.Start(["echo", "--port", "0"]);
        int port = await echo.ListeningPortAsync();
        Assert.Contains($"ws://127.0.0.1:{port}/echo", echo.Out, StringComparison.Ordinal);
        CancellationToken ct = TestServers.Bounded();

        WebSocketConnection first = await SubscribeAsync(port, ct);
        WebSocketConnection second = await SubscribeAsync(port, ct);
        WebSocketConnection publisher = await WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/publish"), ct);

        await publisher.SendTextAsync("news 1", ct);
        await publisher.SendBinaryAsync(new byte[] { 7, 8, 9 }, ct);

        foreach (WebSocketConnection subscriber in new[] { first, second })
        {
            WebSocketMessage text = await subscriber.ReceiveAsync(ct);
            Assert.Equal(MessageType.Text, text.Type);
            Assert.Equal("news 1", text.Text);
            WebSocketMessage binary = await subscriber.ReceiveAsync(ct);
            Assert.Equal(MessageType.Binary, binary.Type);
            Assert.Equal(new byte[] { 7, 8, 9 }, binary.Data.ToArray());
        }

        WebSocketConnection echoClient = await WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"), ct);
        await echoClient.SendTextAsync("again", ct);
        Assert.Equal("again", (await echoClient.ReceiveAsync(ct)).Text);

        // Close (1000) from the clients; the server's 1001 on shutdown would wait for clients
        // that no longer read.
        foreach (WebSocketConnection client in new[] { first, second, publisher, echoClient })
        {
            await client.DisposeAsync();
            Assert.Equal(CloseStatus.NormalClosure, client.CloseStatus);
        }

        Assert.Equal(0, await echo.StopAsync());
    }

    /// <summary>Subscribes to /broadcast and waits until the server has registered it (its echo of "ready").</summary>
    private static async Task<WebSocketConnection> SubscribeAsync(int port, CancellationToken ct)
    {
        WebSocketConnection ws = await WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/broadcast"), ct);
        await ws.SendTextAsync("ready", ct);
        Assert.Equal("ready", (await ws.ReceiveAsync(ct)).Text);
        return ws;
    }
}
