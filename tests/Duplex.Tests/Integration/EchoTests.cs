using System.Text;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

public sealed class EchoTests
{
    public static TheoryData<int> Sizes => [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Binary_messages_are_echoed_byte_for_byte(int size)
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri());
        byte[] payload = Pattern(size);

        await ws.SendBinaryAsync(payload, Bounded.Token());
        WebSocketMessage echo = await ws.ReceiveAsync(Bounded.Token()).Within("the echo");

        Assert.Equal(MessageType.Binary, echo.Type);
        Assert.True(payload.AsSpan().SequenceEqual(echo.Data.Span), $"the {size}-byte echo differs");
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Text_messages_are_echoed_as_text(int size)
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri());
        string text = string.Create(size, 0, (span, _) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i % 26));
            }
        });

        await ws.SendTextAsync(text, Bounded.Token());
        WebSocketMessage echo = await ws.ReceiveAsync(Bounded.Token()).Within("the echo");

        Assert.Equal(MessageType.Text, echo.Type);
        Assert.Equal(text, echo.Text);
    }

    [Fact]
    public async Task Multibyte_text_survives_the_round_trip()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri());
        const string text = "κόσμε — 你好 — 🎉 — ﷽";

        await ws.SendTextAsync(text, Bounded.Token());

        Assert.Equal(text, (await ws.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
    }

    [Fact]
    public async Task A_fragmented_message_is_received_whole()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri());

        await ws.SendAsync(MessageType.Text, Encoding.UTF8.GetBytes("frag"), endOfMessage: false, Bounded.Token());
        await ws.SendAsync(MessageType.Text, ReadOnlyMemory<byte>.Empty, endOfMessage: false, Bounded.Token());
        await ws.SendAsync(MessageType.Text, Encoding.UTF8.GetBytes("mented"), endOfMessage: true, Bounded.Token());

        WebSocketMessage echo = await ws.ReceiveAsync(Bounded.Token()).Within("the echo");
        Assert.Equal("fragmented", echo.Text);
    }

    [Fact]
    public async Task Fragments_interleaved_with_a_ping_arrive_whole_and_the_ping_is_answered()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        await raw.SendFrameAsync(Protocol.Frames.Opcode.Text, Encoding.UTF8.GetBytes("Hel"), fin: false);
        await raw.SendFrameAsync(Protocol.Frames.Opcode.Ping, Encoding.UTF8.GetBytes("are you there"));
        await raw.SendFrameAsync(Protocol.Frames.Opcode.Continuation, Encoding.UTF8.GetBytes("lo"));

        RawFrame? pong = await raw.ReadFrameAsync();
        Assert.NotNull(pong);
        Assert.Equal(Protocol.Frames.Opcode.Pong, pong.Opcode);
        Assert.Equal("are you there", Encoding.UTF8.GetString(pong.Payload));
        Assert.False(pong.Masked);

        RawFrame? echo = await raw.ReadFrameAsync();
        Assert.NotNull(echo);
        Assert.Equal(Protocol.Frames.Opcode.Text, echo.Opcode);
        Assert.Equal("Hello", Encoding.UTF8.GetString(echo.Payload));
    }

    [Fact]
    public async Task A_large_message_can_be_read_as_a_stream()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri());
        byte[] payload = Pattern(3 << 20);

        await ws.SendBinaryAsync(payload, Bounded.Token());
        WebSocketMessageStream? stream = await ws.ReceiveStreamAsync(Bounded.Token()).Within("the stream");
        Assert.NotNull(stream);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, 8192, Bounded.Token());

        Assert.Equal(MessageType.Binary, stream.MessageType);
        Assert.True(payload.AsSpan().SequenceEqual(copy.ToArray()));
    }

    [Fact]
    public async Task Concurrent_senders_keep_every_message_whole_and_in_order()
    {
        const int Senders = 8;
        const int PerSender = 200;
        await using EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri());

        Task[] senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            for (int i = 0; i < PerSender; i++)
            {
                // Sizes vary so that frames of different lengths interleave on the wire.
                string body = new('x', (i * 37) % 3000);
                await ws.SendTextAsync($"{s}:{i}:{body}", Bounded.Token());
            }
        })).ToArray();

        var next = new int[Senders];
        for (int received = 0; received < Senders * PerSender; received++)
        {
            WebSocketMessage message = await ws.ReceiveAsync(Bounded.Token()).Within("an echo");
            string[] parts = message.Text.Split(':');
            int sender = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            int index = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(next[sender], index);
            Assert.Equal((index * 37) % 3000, parts[2].Length);
            next[sender]++;
        }

        await Task.WhenAll(senders).Within("the senders");
        Assert.All(next, n => Assert.Equal(PerSender, n));
    }

    [Fact]
    public async Task Subprotocol_is_negotiated_from_the_client_list()
    {
        await using EchoServer server = await EchoServer.StartAsync(endpoint: new WebSocketEndpointOptions { SubProtocols = ["v2.chat", "v1.chat"] });
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(
            server.Uri(), new WebSocketClientOptions { SubProtocols = ["v1.chat", "v2.chat"] });

        Assert.Equal("v1.chat", ws.SubProtocol);
    }

    [Fact]
    public async Task No_subprotocol_is_chosen_when_none_is_shared()
    {
        await using EchoServer server = await EchoServer.StartAsync(endpoint: new WebSocketEndpointOptions { SubProtocols = ["mqtt"] });
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri(), new WebSocketClientOptions { SubProtocols = ["chat"] });

        Assert.Null(ws.SubProtocol);
    }

    internal static byte[] Pattern(int size)
    {
        var bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = (byte)(i * 31 + (i >> 8));
        }

        return bytes;
    }
}
