using System.Collections.Concurrent;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

public sealed class BroadcastTests
{
    [Fact]
    public async Task A_prepared_message_reaches_every_subscriber_including_compressed_ones()
    {
        var subscribers = new ConcurrentDictionary<WebSocketConnection, byte>();
        var joined = new SemaphoreSlim(0);
        await using EchoServer server = await EchoServer.StartAsync(
            webSocket: new WebSocketConnectionOptions { Compression = new PerMessageDeflateOptions() },
            map: s => s.MapWebSocket("/sub", async (ws, ct) =>
            {
                subscribers.TryAdd(ws, 0);
                joined.Release();
                await foreach (WebSocketMessage _ in ws.ReadMessagesAsync(ct))
                {
                }
            }));
        var plain = new WebSocketClientOptions();
        var compressed = new WebSocketClientOptions { WebSocket = new WebSocketConnectionOptions { Compression = new PerMessageDeflateOptions() } };
        await using WebSocketConnection a = await EchoServer.ConnectAsync(server.Uri("/sub"), plain);
        await using WebSocketConnection b = await EchoServer.ConnectAsync(server.Uri("/sub"), plain);
        await using WebSocketConnection c = await EchoServer.ConnectAsync(server.Uri("/sub"), compressed);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(await joined.WaitAsync(Bounded.Default), "a subscriber did not register");
        }

        var message = PreparedMessage.Text(new string('p', 300) + "rice");
        await Task.WhenAll(subscribers.Keys.Select(s => s.SendAsync(message, Bounded.Token()).AsTask())).Within("the broadcast");

        foreach (WebSocketConnection client in new[] { a, b, c })
        {
            WebSocketMessage received = await client.ReceiveAsync(Bounded.Token()).Within("the broadcast message");
            Assert.Equal(MessageType.Text, received.Type);
            Assert.Equal(new string('p', 300) + "rice", received.Text);
        }

        Assert.NotNull(c.Extensions);
    }

    [Fact]
    public async Task A_client_sends_a_prepared_message_masked()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri());

        await ws.SendAsync(new PreparedMessage(MessageType.Binary, [1, 2, 3]), Bounded.Token());

        WebSocketMessage echo = await ws.ReceiveAsync(Bounded.Token()).Within("the echo");
        Assert.Equal(new byte[] { 1, 2, 3 }, echo.Data.ToArray());
    }
}
