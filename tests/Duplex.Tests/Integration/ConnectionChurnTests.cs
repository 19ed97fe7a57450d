using System.Text;
using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

/// <summary>
/// Many connections at once doing different things to one server — echoing and closing,
/// aborting, canceling a waiting receive and going on, dropping mid-frame — with every wait
/// on the socket going through the same readiness engine: each connection gets what it asked
/// for, none disturbs another, and the server drains to nothing when stopped.
/// </summary>
public sealed class ConnectionChurnTests
{
    private const int Waves = 3;
    private const int PerWave = 40;

    [Fact]
    public async Task Echoing_aborting_canceling_and_dropping_connections_do_not_disturb_each_other()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        for (int wave = 0; wave < Waves; wave++)
        {
            Task[] clients = [.. Enumerable.Range(0, PerWave).Select(i => RunClientAsync(server, (wave * PerWave) + i))];
            await Task.WhenAll(clients).Within($"wave {wave} of {PerWave} clients", TimeSpan.FromSeconds(60));
        }

        // Still serving after all that.
        await using (WebSocketConnection last = await EchoServer.ConnectAsync(server.Uri()))
        {
            await EchoAsync(last, Encoding.UTF8.GetBytes("after the churn"), text: true);
            await last.CloseAsync(CloseStatus.NormalClosure, null, Bounded.Token()).Within("the last close");
        }

        // Stopping drains every connection the server still holds (the aborted and dropped ones included).
        await server.Server.StopAsync(Bounded.Token()).Within("the server to stop");
        Assert.Equal(0, server.Server.WebSocketCount);
        Assert.Equal(0, server.Server.ConnectionCount);
    }

    private static async Task RunClientAsync(EchoServer server, int id)
    {
        var random = new Random(id);
        switch (id % 4)
        {
            case 0:
            {
                await using WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri());
                for (int i = 0; i < 10; i++)
                {
                    await EchoAsync(client, Payload(random, i == 5 ? 70_000 : random.Next(1, 2_000)), text: false);
                }

                await client.CloseAsync(CloseStatus.NormalClosure, "done", Bounded.Token()).Within($"client {id} to close");
                Assert.Equal(CloseStatus.NormalClosure, client.CloseStatus);
                break;
            }

            case 1:
            {
                WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri());
                for (int i = 0; i < 3; i++)
                {
                    await EchoAsync(client, Payload(random, random.Next(1, 500)), text: false);
                }

                client.Abort();
                await client.DisposeAsync();
                break;
            }

            case 2:
            {
                await using WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri());
                using (var cancel = new CancellationTokenSource())
                {
                    ValueTask<WebSocketMessage> waiting = client.ReceiveAsync(cancel.Token);
                    await cancel.CancelAsync();
                    await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask()).Within($"client {id}'s canceled receive");
                }

                // Nothing had arrived: the connection goes on as before.
                await EchoAsync(client, Encoding.UTF8.GetBytes($"client {id} after a canceled receive"), text: true);
                await EchoAsync(client, Payload(random, 20_000), text: false);
                await client.CloseAsync(CloseStatus.NormalClosure, null, Bounded.Token()).Within($"client {id} to close");
                Assert.Equal(CloseStatus.NormalClosure, client.CloseStatus);
                break;
            }

            default:
            {
                // Half a frame, then the TCP connection goes away.
                await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);
                byte[] frame = RawWebSocket.Frame(Opcode.Binary, Payload(random, 300));
                await raw.SendAsync(frame[..100]);
                break;
            }
        }
    }

    private static async Task EchoAsync(WebSocketConnection client, byte[] payload, bool text)
    {
        if (text)
        {
            await client.SendTextAsync(Encoding.UTF8.GetString(payload), Bounded.Token()).AsTask().Within("a send");
        }
        else
        {
            await client.SendAsync(MessageType.Binary, payload, Bounded.Token()).AsTask().Within("a send");
        }

        WebSocketMessage echo = await client.ReceiveAsync(Bounded.Token()).Within("an echo");
        Assert.Equal(text ? MessageType.Text : MessageType.Binary, echo.Type);
        Assert.True(echo.Data.Span.SequenceEqual(payload), "the echo differs from what was sent");
    }

    private static byte[] Payload(Random random, int size)
    {
        byte[] bytes = new byte[size];
        random.NextBytes(bytes);
        return bytes;
    }
}
