using System.Net;
using System.Text;
using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Http;

/// <summary>The WebSocket upgrade on a keep-alive connection, and a WebSocket accepted by an HTTP handler through the exchange.</summary>
public sealed class HttpUpgradeTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    [Fact]
    public async Task Upgrade_as_the_third_request_on_a_keep_alive_connection_hands_over_the_bytes_read_after_its_head()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s =>
        {
            s.MapGet("/page", HttpTestServer.Text("page"));
            s.MapWebSocket("/echo", EchoServer.EchoAsync);
        });
        await using RawHttpClient client = await server.ConnectAsync();
        Assert.Equal("page", (await client.RequestAsync($"GET /page HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n")).Body);
        Assert.Equal("page", (await client.RequestAsync($"GET /page HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n")).Body);

        // The head and the first frame in one send: the frame is already read when the head is parsed.
        byte[] upgrade = Encoding.ASCII.GetBytes(
            $"GET /echo HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
        await client.SendAsync([.. upgrade, .. RawWebSocket.Frame(Opcode.Text, "early"u8.ToArray())]);

        RawResponse accepted = await client.ReadResponseAsync(head: true);
        Assert.Equal(101, accepted.Status);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", accepted.Header("Sec-WebSocket-Accept"));
        Assert.Equal("\u0081\u0005early", await client.ReadExactAsync(7));
        await HttpTestServer.EventuallyAsync(() => server.Server.WebSocketCount == 1, "the WebSocket to be open");
    }

    [Fact]
    public async Task Handler_accepting_a_WebSocket_through_the_exchange_serves_it_until_it_returns()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/ws", async (exchange, ct) =>
        {
            if (!exchange.IsWebSocketRequest)
            {
                await exchange.RespondTextAsync(400, "WebSocket only", ct);
                return;
            }

            await using WebSocketConnection ws = await exchange.AcceptWebSocketAsync(new WebSocketEndpointOptions { SubProtocols = ["chat"] }, ct);
            WebSocketMessage message = await ws.ReceiveAsync(ct);
            await ws.SendTextAsync("got " + message.Text, ct);
        }));
        var uri = new Uri($"ws://127.0.0.1:{server.Port}/ws");

        await using WebSocketConnection client = await WebSocketClient.ConnectAsync(uri, new WebSocketClientOptions { SubProtocols = ["chat"] }, Bounded.Token());
        Assert.Equal("chat", client.SubProtocol);
        await client.SendTextAsync("hi", Bounded.Token());

        Assert.Equal("got hi", (await client.ReceiveAsync(Bounded.Token())).Text);
        WebSocketMessage close = await client.ReceiveAsync(Bounded.Token());
        Assert.True(close.IsClose);
        Assert.Equal(CloseStatus.NormalClosure, client.CloseStatus);
    }

    [Fact]
    public async Task Handler_checking_for_a_WebSocket_gets_a_plain_request_as_plain()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/ws", (exchange, ct) =>
            exchange.RespondTextAsync(exchange.IsWebSocketRequest ? 500 : 200, "plain", ct).AsTask()));
        await using RawHttpClient client = await server.ConnectAsync();

        Assert.Equal("plain", (await client.RequestAsync($"GET /ws HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n")).Body);
    }

    [Fact]
    public async Task Upgrade_refused_by_the_handshake_rules_from_a_handler_is_answered_and_reported()
    {
        var refused = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/ws", async (exchange, ct) =>
        {
            try
            {
                await exchange.AcceptWebSocketAsync(cancellationToken: ct);
            }
            catch (WebSocketHandshakeException ex)
            {
                refused.TrySetResult(ex.StatusCode);
            }
        }));
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync(
            $"GET /ws HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 8\r\n\r\n");

        Assert.Equal(426, response.Status);
        Assert.Equal("13", response.Header("Sec-WebSocket-Version"));
        Assert.Equal(426, await refused.Task.Within("the handler to see the refusal"));
    }
}
