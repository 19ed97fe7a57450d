using System.Net.WebSockets;
using System.Text;
using WsMessageType = System.Net.WebSockets.WebSocketMessageType;
using WsState = System.Net.WebSockets.WebSocketState;

namespace Duplex.Tests.Interop;

/// <summary>.NET's own System.Net.WebSockets.ClientWebSocket against the Duplex server.</summary>
public sealed class ClientWebSocketInteropTests
{
    public static TheoryData<int> Sizes => [0, 1, 125, 126, 65535, 65536, 1 << 20];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ClientWebSocket_binary_message_is_echoed_by_the_Duplex_server(int size)
    {
        await using var server = await InteropDuplexServer.StartAsync();
        using var ws = await ConnectAsync(server.WebSocketUri());
        var payload = InteropPayloads.Binary(size);

        await ws.SendAsync(payload, WsMessageType.Binary, endOfMessage: true, InteropTimeouts.Token());
        var (type, data) = await ReceiveMessageAsync(ws);

        Assert.Equal(WsMessageType.Binary, type);
        InteropPayloads.AssertSameBytes(payload, data, $"the echo of a {size}-byte binary");
        await CloseAsync(ws);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ClientWebSocket_text_message_is_echoed_as_text_by_the_Duplex_server(int size)
    {
        await using var server = await InteropDuplexServer.StartAsync();
        using var ws = await ConnectAsync(server.WebSocketUri());
        var payload = Encoding.UTF8.GetBytes(InteropPayloads.Text(size));

        await ws.SendAsync(payload, WsMessageType.Text, endOfMessage: true, InteropTimeouts.Token());
        var (type, data) = await ReceiveMessageAsync(ws);

        Assert.Equal(WsMessageType.Text, type);
        InteropPayloads.AssertSameBytes(payload, data, $"the echo of a {size}-byte text");
        await CloseAsync(ws);
    }

    [Fact]
    public async Task ClientWebSocket_fragmented_text_split_inside_characters_is_echoed_whole_by_the_Duplex_server()
    {
        await using var server = await InteropDuplexServer.StartAsync();
        using var ws = await ConnectAsync(server.WebSocketUri());
        var payload = Encoding.UTF8.GetBytes(InteropPayloads.Text(10_000));

        // Pieces of 1, 2, 3, ... bytes: most cuts fall inside a 2-, 3- or 4-byte character.
        var offset = 0;
        for (var piece = 1; offset < payload.Length; piece++)
        {
            var length = Math.Min(piece, payload.Length - offset);
            var last = offset + length == payload.Length;
            await ws.SendAsync(payload.AsMemory(offset, length), WsMessageType.Text, last, InteropTimeouts.Token());
            offset += length;
        }

        var (type, data) = await ReceiveMessageAsync(ws);

        Assert.Equal(WsMessageType.Text, type);
        InteropPayloads.AssertSameBytes(payload, data, "the echo of the fragmented text");
        await CloseAsync(ws);
    }

    [Fact]
    public async Task ClientWebSocket_fragmented_binary_with_an_empty_last_fragment_is_echoed_whole_by_the_Duplex_server()
    {
        await using var server = await InteropDuplexServer.StartAsync();
        using var ws = await ConnectAsync(server.WebSocketUri());
        var payload = InteropPayloads.Binary(200_000);

        await ws.SendAsync(payload.AsMemory(0, 70_000), WsMessageType.Binary, false, InteropTimeouts.Token());
        await ws.SendAsync(payload.AsMemory(70_000, 0), WsMessageType.Binary, false, InteropTimeouts.Token());
        await ws.SendAsync(payload.AsMemory(70_000), WsMessageType.Binary, false, InteropTimeouts.Token());
        await ws.SendAsync(ReadOnlyMemory<byte>.Empty, WsMessageType.Binary, true, InteropTimeouts.Token());
        var (type, data) = await ReceiveMessageAsync(ws);

        Assert.Equal(WsMessageType.Binary, type);
        InteropPayloads.AssertSameBytes(payload, data, "the echo of the fragmented binary");
        await CloseAsync(ws);
    }

    [Fact]
    public async Task ClientWebSocket_close_status_and_description_reach_the_Duplex_server_which_echoes_the_status()
    {
        const string description = "finished \u2713";
        await using var server = await InteropDuplexServer.StartAsync();
        using var ws = await ConnectAsync(server.WebSocketUri());

        await ws.CloseAsync((WebSocketCloseStatus)4100, description, InteropTimeouts.Token());

        Assert.Equal(WsState.Closed, ws.State);
        Assert.Equal((WebSocketCloseStatus)4100, ws.CloseStatus);
        Assert.Equal(new ReceivedClose(4100, description), await server.WaitForCloseAsync(InteropTimeouts.Step));
    }

    [Fact]
    public async Task ClientWebSocket_close_with_a_standard_status_reaches_the_Duplex_server()
    {
        await using var server = await InteropDuplexServer.StartAsync();
        using var ws = await ConnectAsync(server.WebSocketUri());

        await ws.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "going away", InteropTimeouts.Token());

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, ws.CloseStatus);
        Assert.Equal(new ReceivedClose(1001, "going away"), await server.WaitForCloseAsync(InteropTimeouts.Step));
    }

    [Fact]
    public async Task ClientWebSocket_receives_the_status_and_description_of_a_close_the_Duplex_server_starts()
    {
        await using var server = await InteropDuplexServer.StartAsync();
        using var ws = await ConnectAsync(server.WebSocketUri(InteropDuplexServer.ServerClosePath));

        var buffer = new byte[1024];
        var result = await ws.ReceiveAsync(buffer.AsMemory(), InteropTimeouts.Token());

        Assert.Equal(WsMessageType.Close, result.MessageType);
        Assert.Equal((WebSocketCloseStatus)InteropDuplexServer.ServerCloseCode, ws.CloseStatus);
        Assert.Equal(InteropDuplexServer.ServerCloseReason, ws.CloseStatusDescription);
        await ws.CloseOutputAsync(ws.CloseStatus!.Value, null, InteropTimeouts.Token());
        Assert.Equal(InteropDuplexServer.ServerCloseCode, (await server.WaitForCloseAsync(InteropTimeouts.Step)).Code);
    }

    [Fact]
    public async Task ClientWebSocket_negotiates_the_subprotocol_it_prefers_with_the_Duplex_server()
    {
        await using var server = await InteropDuplexServer.StartAsync(subProtocols: ["json", "msgpack"]);
        using var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("msgpack");
        ws.Options.AddSubProtocol("json");
        ws.Options.Proxy = null;

        await ws.ConnectAsync(server.WebSocketUri(), InteropTimeouts.Token());

        Assert.Equal("msgpack", ws.SubProtocol);
        Assert.Equal("msgpack", (await server.WaitForAcceptAsync(InteropTimeouts.Step)).SubProtocol);
        await CloseAsync(ws);
    }

    [Fact]
    public async Task ClientWebSocket_burst_of_messages_comes_back_from_the_Duplex_server_in_order()
    {
        await using var server = await InteropDuplexServer.StartAsync();
        using var ws = await ConnectAsync(server.WebSocketUri());
        const int count = 500;

        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await ws.SendAsync(Encoding.UTF8.GetBytes($"message {i}"), WsMessageType.Text, true, InteropTimeouts.Token());
            }
        });
        for (var i = 0; i < count; i++)
        {
            var (type, data) = await ReceiveMessageAsync(ws);
            Assert.Equal(WsMessageType.Text, type);
            Assert.Equal($"message {i}", Encoding.UTF8.GetString(data));
        }

        await sending.WaitAsync(InteropTimeouts.Step);
        await CloseAsync(ws);
    }

    private static async Task<ClientWebSocket> ConnectAsync(Uri uri)
    {
        var ws = new ClientWebSocket();
        ws.Options.Proxy = null;
        try
        {
            await ws.ConnectAsync(uri, InteropTimeouts.Token());
            return ws;
        }
        catch
        {
            ws.Dispose();
            throw;
        }
    }

    /// <summary>Receives one whole message, however many pieces ClientWebSocket hands it over in.</summary>
    internal static async Task<(WsMessageType Type, byte[] Data)> ReceiveMessageAsync(ClientWebSocket ws)
    {
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var token = InteropTimeouts.Token();
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer.AsMemory(), token);
            if (result.MessageType == WsMessageType.Close)
            {
                Assert.Fail($"the Duplex server closed the connection ({ws.CloseStatus} {ws.CloseStatusDescription}) instead of echoing");
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    internal static async Task CloseAsync(ClientWebSocket ws)
    {
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", InteropTimeouts.Token());
        Assert.Equal(WsState.Closed, ws.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
    }
}
