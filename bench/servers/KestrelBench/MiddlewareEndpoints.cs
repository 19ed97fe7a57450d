using System.Collections.Concurrent;
using System.Net.WebSockets;

namespace KestrelBench;

/// <summary>
/// The endpoints of <c>duplex echo</c> with ASP.NET Core's own WebSocket middleware
/// (<c>UseWebSockets</c>, <c>AcceptWebSocketAsync</c>: the runtime's ManagedWebSocket), written the
/// way an app using it would: one receive buffer per connection, one send at a time per socket.
/// </summary>
internal static class MiddlewareEndpoints
{
    public static void Map(WebApplication app)
    {
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        var subscribers = new ConcurrentDictionary<WebSocket, SemaphoreSlim>();

        app.Map("/echo", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 426;
                return;
            }

            using WebSocket ws = await context.WebSockets.AcceptWebSocketAsync();
            await EchoAsync(ws, null);
        });

        app.Map("/broadcast", async context =>
        {
            using WebSocket ws = await context.WebSockets.AcceptWebSocketAsync();
            var gate = new SemaphoreSlim(1, 1);
            subscribers[ws] = gate;
            try
            {
                await EchoAsync(ws, gate);
            }
            finally
            {
                subscribers.TryRemove(ws, out _);
            }
        });

        app.Map("/publish", async context =>
        {
            using WebSocket ws = await context.WebSockets.AcceptWebSocketAsync();
            byte[] buffer = new byte[1 << 20];
            while (true)
            {
                (int count, WebSocketMessageType type, bool closed) = await ReadMessageAsync(ws, buffer);
                if (closed)
                {
                    await CloseAsync(ws);
                    return;
                }

                ReadOnlyMemory<byte> message = buffer.AsMemory(0, count);
                await Task.WhenAll(subscribers.Select(s => SendAsync(s.Key, s.Value, message, type)));
            }
        });
    }


    private static async Task EchoAsync(WebSocket ws, SemaphoreSlim? gate)
    {
        byte[] buffer = new byte[1 << 20];
        while (true)
        {
            (int count, WebSocketMessageType type, bool closed) = await ReadMessageAsync(ws, buffer);
            if (closed)
            {
                await CloseAsync(ws);
                return;
            }

            if (gate is null)
            {
                await ws.SendAsync(buffer.AsMemory(0, count), type, true, CancellationToken.None);
            }
            else
            {
                await SendAsync(ws, gate, buffer.AsMemory(0, count), type);
            }
        }
    }

    private static async Task<(int Count, WebSocketMessageType Type, bool Closed)> ReadMessageAsync(WebSocket ws, byte[] buffer)
    {
        int count = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result = await ws.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (0, result.MessageType, true);
            }

            count += result.Count;
            if (result.EndOfMessage)
            {
                return (count, result.MessageType, false);
            }
        }
    }

    private static async Task SendAsync(WebSocket ws, SemaphoreSlim gate, ReadOnlyMemory<byte> message, WebSocketMessageType type)
    {
        // ManagedWebSocket allows one send at a time: the publisher and the subscriber's own echo share it.
        await gate.WaitAsync();
        try
        {
            if (ws.State == WebSocketState.Open)
            {
                await ws.SendAsync(message, type, true, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task CloseAsync(WebSocket ws)
    {
        try
        {
            await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
    }
}
