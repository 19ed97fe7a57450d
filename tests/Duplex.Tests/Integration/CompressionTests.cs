using System.Buffers;
using System.Text;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

public sealed class CompressionTests
{
    private static WebSocketConnectionOptions Compressed(long maxMessageSize = 32 << 20, PerMessageDeflateOptions? deflate = null) => new()
    {
        MaxMessageSize = maxMessageSize,
        Compression = deflate ?? new PerMessageDeflateOptions(),
    };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(70_000)]
    [InlineData(4 << 20)]
    public async Task Compressed_messages_round_trip_both_ways(int size)
    {
        await using EchoServer server = await EchoServer.StartAsync(webSocket: Compressed());
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri(), new WebSocketClientOptions { WebSocket = Compressed() });
        string text = string.Concat(Enumerable.Range(0, size / 10 + 1).Select(i => $"{{\"n\":{i % 1000,4}}}"))[..size];
        byte[] binary = EchoTests.Pattern(size);

        Assert.NotNull(ws.Extensions);
        Assert.StartsWith("permessage-deflate", ws.Extensions, StringComparison.Ordinal);
        for (int round = 0; round < 3; round++)
        {
            await ws.SendTextAsync(text, Bounded.Token());
            Assert.Equal(text, (await ws.ReceiveAsync(Bounded.Token()).Within("the text echo")).Text);
            await ws.SendBinaryAsync(binary, Bounded.Token());
            WebSocketMessage echo = await ws.ReceiveAsync(Bounded.Token()).Within("the binary echo");
            Assert.Equal(binary, echo.Data.ToArray());
        }
    }

    [Fact]
    public async Task No_context_takeover_on_both_sides_round_trips()
    {
        var deflate = new PerMessageDeflateOptions { ServerNoContextTakeover = true, ClientNoContextTakeover = true, ServerMaxWindowBits = 10, ClientMaxWindowBits = 11 };
        await using EchoServer server = await EchoServer.StartAsync(webSocket: Compressed(deflate: deflate));
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri(), new WebSocketClientOptions { WebSocket = Compressed(deflate: deflate) });

        Assert.Contains("server_no_context_takeover", ws.Extensions, StringComparison.Ordinal);
        Assert.Contains("client_no_context_takeover", ws.Extensions, StringComparison.Ordinal);
        for (int i = 0; i < 20; i++)
        {
            string text = new string('a', 500 + i) + i;
            await ws.SendTextAsync(text, Bounded.Token());
            Assert.Equal(text, (await ws.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
        }
    }

    [Fact]
    public async Task Server_sends_compressed_frames_with_RSV1_and_fewer_bytes()
    {
        await using EchoServer server = await EchoServer.StartAsync(webSocket: Compressed());
        await using RawWebSocket raw = await RawWebSocket.ConnectTcpAsync(server.Port);
        string head = await raw.SendRequestAsync(
            $"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n");
        Assert.Contains("Sec-WebSocket-Extensions: permessage-deflate", head, StringComparison.Ordinal);

        string json = string.Concat(Enumerable.Repeat("{\"price\":101.5,\"symbol\":\"ACME\"},", 100));
        await raw.SendTextAsync(json);
        RawFrame? echo = await raw.ReadFrameAsync();

        Assert.NotNull(echo);
        Assert.Equal(Opcode.Text, echo.Opcode);
        Assert.Equal(0x4, echo.Rsv);
        Assert.True(echo.Payload.Length < json.Length / 5, $"{echo.Payload.Length} compressed bytes for {json.Length}");
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        var output = new byte[json.Length + 16];
        Assert.Equal(OperationStatus.Done, inflater.Inflate(echo.Payload, output, out _, out int written));
        Assert.Equal(OperationStatus.Done, inflater.Finish(output.AsSpan(written), out int tail));
        Assert.Equal(json, Encoding.UTF8.GetString(output, 0, written + tail));
    }

    [Fact]
    public async Task Server_without_compression_declines_the_offer()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri(), new WebSocketClientOptions { WebSocket = Compressed() });

        Assert.Null(ws.Extensions);
        await ws.SendTextAsync("plain", Bounded.Token());
        Assert.Equal("plain", (await ws.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
    }

    [Fact]
    public async Task A_decompression_bomb_gets_1009_before_its_memory_is_spent()
    {
        const int Limit = 1 << 20;
        await using EchoServer server = await EchoServer.StartAsync(webSocket: Compressed(maxMessageSize: Limit));
        await using RawWebSocket raw = await RawWebSocket.ConnectTcpAsync(server.Port);
        await raw.SendRequestAsync(
            $"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
            "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n");

        // 100 MiB of zeros compresses to about 100 KiB.
        var bomb = new ArrayBufferWriter<byte>();
        using (var deflater = new MessageDeflater(15, 9, 8, noContextTakeover: false))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 100; i++)
            {
                deflater.CompressChunk(zeros, bomb, endOfMessage: i == 99);
            }
        }

        Assert.True(bomb.WrittenCount < 512 * 1024, $"the bomb is {bomb.WrittenCount} bytes");
        long before = GC.GetTotalMemory(forceFullCollection: false);
        await raw.SendAsync(RawWebSocket.Frame(Opcode.Binary, bomb.WrittenSpan.ToArray(), rsv: 0x4));

        RawFrame close = await raw.ReadCloseAsync();
        Assert.Equal(1009, close.CloseCode);
        long grown = GC.GetTotalMemory(forceFullCollection: false) - before;
        Assert.True(grown < 32L << 20, $"the managed heap grew by {grown} bytes while refusing a 100 MiB bomb");
    }

    [Fact]
    public async Task Without_context_takeover_an_idle_connection_holds_no_zlib_state()
    {
        var deflate = new PerMessageDeflateOptions { ServerNoContextTakeover = true, ClientNoContextTakeover = true };
        await using EchoServer server = await EchoServer.StartAsync(webSocket: Compressed(deflate: deflate));
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri(), new WebSocketClientOptions { WebSocket = Compressed(deflate: deflate) });

        for (int i = 0; i < 5; i++)
        {
            await ws.SendTextAsync(new string('z', 2000), Bounded.Token());
            Assert.Equal(2000, (await ws.ReceiveAsync(Bounded.Token()).Within("the echo")).Data.Length);
        }

        Assert.Equal(0, ws.CompressionNativeBytes);
    }

    [Fact]
    public async Task With_context_takeover_the_connection_keeps_its_zlib_state()
    {
        await using EchoServer server = await EchoServer.StartAsync(webSocket: Compressed());
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri(), new WebSocketClientOptions { WebSocket = Compressed() });

        await ws.SendTextAsync(new string('z', 2000), Bounded.Token());
        Assert.Equal(2000, (await ws.ReceiveAsync(Bounded.Token()).Within("the echo")).Data.Length);

        // A 15-bit compressor (about 262 KiB) and decompressor (about 39 KiB).
        Assert.True(ws.CompressionNativeBytes > 256 * 1024, $"{ws.CompressionNativeBytes} bytes");
    }
}
