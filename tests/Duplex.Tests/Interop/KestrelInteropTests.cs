using System.Text;

namespace Duplex.Tests.Interop;

/// <summary>The Duplex client against ASP.NET Core Kestrel's WebSocket middleware (in process).</summary>
public sealed class KestrelInteropTests
{
    public static TheoryData<int> Sizes => [0, 1, 125, 126, 65535, 65536, 1 << 20];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Duplex_client_binary_message_is_echoed_by_Kestrel(int size)
    {
        await using var kestrel = await KestrelEchoServer.StartAsync();
        await using var ws = await ThirdPartyPeerInteropTests.ConnectAsync(kestrel.EchoUri);

        await ThirdPartyPeerInteropTests.AssertBinaryEchoAsync(ws, InteropPayloads.Binary(size));

        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Duplex_client_text_message_is_echoed_as_text_by_Kestrel(int size)
    {
        await using var kestrel = await KestrelEchoServer.StartAsync();
        await using var ws = await ThirdPartyPeerInteropTests.ConnectAsync(kestrel.EchoUri);

        await ThirdPartyPeerInteropTests.AssertTextEchoAsync(ws, InteropPayloads.Text(size));

        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
    }

    [Fact]
    public async Task Duplex_client_fragmented_text_is_reassembled_by_Kestrel()
    {
        await using var kestrel = await KestrelEchoServer.StartAsync();
        await using var ws = await ThirdPartyPeerInteropTests.ConnectAsync(kestrel.EchoUri);
        var payload = Encoding.UTF8.GetBytes(InteropPayloads.Text(5_000));

        // Pieces of 1, 2, 3, ... bytes: most cuts fall inside a multibyte character.
        var offset = 0;
        for (var piece = 1; offset < payload.Length; piece++)
        {
            var length = Math.Min(piece, payload.Length - offset);
            await ws.SendAsync(MessageType.Text, payload.AsMemory(offset, length), offset + length == payload.Length, InteropTimeouts.Token());
            offset += length;
        }

        var echo = await ws.ReceiveAsync(InteropTimeouts.Token());

        Assert.Equal(MessageType.Text, echo.Type);
        InteropPayloads.AssertSameBytes(payload, echo.Data.Span, "the echo of the fragmented text");
        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
    }

    [Fact]
    public async Task Duplex_client_burst_of_messages_comes_back_from_Kestrel_in_order()
    {
        await using var kestrel = await KestrelEchoServer.StartAsync();
        await using var ws = await ThirdPartyPeerInteropTests.ConnectAsync(kestrel.EchoUri);
        const int count = 500;

        for (var i = 0; i < count; i++)
        {
            await ws.SendTextAsync($"message {i}", InteropTimeouts.Token());
        }

        for (var i = 0; i < count; i++)
        {
            var message = await ws.ReceiveAsync(InteropTimeouts.Token());
            Assert.Equal($"message {i}", message.Text);
        }

        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
    }

    [Fact]
    public async Task Duplex_client_negotiates_a_subprotocol_with_Kestrel()
    {
        await using var kestrel = await KestrelEchoServer.StartAsync(subProtocols: ["graphql-ws", "chat"]);
        await using var ws = await ThirdPartyPeerInteropTests.ConnectAsync(kestrel.EchoUri, ["chat", "unknown"]);

        Assert.Equal("chat", ws.SubProtocol);
        Assert.Equal("chat", await kestrel.WaitForAcceptAsync(InteropTimeouts.Step));
        await ThirdPartyPeerInteropTests.AssertTextEchoAsync(ws, "hello in chat");
        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
    }

    [Fact]
    public async Task Duplex_client_close_status_and_reason_reach_Kestrel_which_echoes_them()
    {
        const string reason = "\u00fcber \u2713 done";
        await using var kestrel = await KestrelEchoServer.StartAsync();
        await using var ws = await ThirdPartyPeerInteropTests.ConnectAsync(kestrel.EchoUri);
        await ThirdPartyPeerInteropTests.AssertTextEchoAsync(ws, "before close");

        await ws.CloseAsync((CloseStatus)4200, reason, InteropTimeouts.Token());

        Assert.Equal(WebSocketConnectionState.Closed, ws.State);
        Assert.Equal((CloseStatus)4200, ws.CloseStatus);
        Assert.Equal(reason, ws.CloseStatusDescription);
        Assert.Equal(new ReceivedClose(4200, reason), await kestrel.WaitForCloseAsync(InteropTimeouts.Step));
    }

    [Fact]
    public async Task Duplex_client_reports_the_status_and_reason_of_a_close_Kestrel_starts()
    {
        await using var kestrel = await KestrelEchoServer.StartAsync();
        await using var ws = await ThirdPartyPeerInteropTests.ConnectAsync(new Uri(kestrel.EchoUri, "?close=4300&reason=kestrel%20closing"));

        var message = await ws.ReceiveAsync(InteropTimeouts.Token());

        Assert.Equal(MessageType.Close, message.Type);
        Assert.Equal((CloseStatus)4300, ws.CloseStatus);
        Assert.Equal("kestrel closing", ws.CloseStatusDescription);
        Assert.Equal(4300, (await kestrel.WaitForCloseAsync(InteropTimeouts.Step)).Code);
    }
}
