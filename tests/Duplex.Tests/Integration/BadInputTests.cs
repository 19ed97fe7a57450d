using System.Text;
using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

public sealed class BadInputTests
{
    private static string Upgrade(int port, string path = "/echo", string? version = "13", string? key = "dGhlIHNhbXBsZSBub25jZQ==", string method = "GET", string extra = "")
    {
        var request = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
        if (key is not null)
        {
            request.Append($"Sec-WebSocket-Key: {key}\r\n");
        }

        if (version is not null)
        {
            request.Append($"Sec-WebSocket-Version: {version}\r\n");
        }

        return request.Append(extra).Append("\r\n").ToString();
    }

    private static async Task<string> RequestAsync(int port, string request)
    {
        await using RawWebSocket raw = await RawWebSocket.ConnectTcpAsync(port);
        return await raw.SendRequestAsync(request);
    }

    [Fact]
    public async Task Garbage_request_gets_400()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        Assert.StartsWith("HTTP/1.1 400", await RequestAsync(server.Port, "HELLO THERE\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Obs_fold_in_a_request_gets_400()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        string head = await RequestAsync(server.Port, "GET /echo HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n  folded\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_head_gets_431_without_waiting_for_its_end()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        string huge = "GET /echo HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 400).Select(i => $"X-H{i}: {new string('v', 60)}\r\n"));
        Assert.StartsWith("HTTP/1.1 431", await RequestAsync(server.Port, huge), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_version_gets_426_naming_version_13()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        string head = await RequestAsync(server.Port, Upgrade(server.Port, version: "8"));
        Assert.StartsWith("HTTP/1.1 426", head, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Version: 13", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_key_gets_400()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        Assert.StartsWith("HTTP/1.1 400", await RequestAsync(server.Port, Upgrade(server.Port, key: null)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_that_is_not_16_bytes_gets_400()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        Assert.StartsWith("HTTP/1.1 400", await RequestAsync(server.Port, Upgrade(server.Port, key: "c2hvcnQ=")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_upgrade_gets_400()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        Assert.StartsWith("HTTP/1.1 400", await RequestAsync(server.Port, Upgrade(server.Port, method: "POST")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upgrade_to_an_unknown_path_gets_404()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        Assert.StartsWith("HTTP/1.1 404", await RequestAsync(server.Port, Upgrade(server.Port, path: "/nowhere")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_GET_on_a_WebSocket_path_gets_426()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        string head = await RequestAsync(server.Port, $"GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 426", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_hook_can_refuse_an_origin_with_403()
    {
        await using EchoServer server = await EchoServer.StartAsync(endpoint: new WebSocketEndpointOptions
        {
            Accept = context => context.Origin == "https://good.example",
        });

        string refused = await RequestAsync(server.Port, Upgrade(server.Port, extra: "Origin: https://evil.example\r\n"));
        string accepted = await RequestAsync(server.Port, Upgrade(server.Port, extra: "Origin: https://good.example\r\n"));

        Assert.StartsWith("HTTP/1.1 403", refused, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 101", accepted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_response_carries_the_RFC_accept_value()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        string head = await RequestAsync(server.Port, Upgrade(server.Port));
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silent_client_is_dropped_after_the_handshake_timeout()
    {
        await using EchoServer server = await EchoServer.StartAsync(handshakeTimeout: TimeSpan.FromMilliseconds(300));
        await using RawWebSocket raw = await RawWebSocket.ConnectTcpAsync(server.Port);

        Assert.True(await raw.WaitForServerCloseAsync(), "the server should drop a client that never sends its request");
    }

    [Fact]
    public async Task Unmasked_client_frame_fails_with_1002()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        await raw.SendFrameAsync(Opcode.Text, "hi"u8.ToArray(), mask: false);

        Assert.Equal(1002, (await raw.ReadCloseAsync()).CloseCode);
        Assert.True(await raw.WaitForServerCloseAsync());
    }

    [Fact]
    public async Task Reserved_opcode_fails_with_1002()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        await raw.SendFrameAsync((Opcode)0x3, []);

        Assert.Equal(1002, (await raw.ReadCloseAsync()).CloseCode);
    }

    [Fact]
    public async Task Invalid_UTF8_fails_with_1007()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        await raw.SendFrameAsync(Opcode.Text, [0xCE, 0xBA, 0xED, 0xA0, 0x80]);

        Assert.Equal(1007, (await raw.ReadCloseAsync()).CloseCode);
    }

    [Fact]
    public async Task Invalid_UTF8_fails_fast_before_the_frame_is_complete()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);
        byte[] frame = RawWebSocket.Frame(Opcode.Text, [0x61, 0x62, 0xF4, 0x90, 0x80, 0x80, 0x61, 0x62, 0x63, 0x64]);

        // Only the header and the first four payload bytes: F4 90 is already beyond U+10FFFF.
        await raw.SendAsync(frame[..(6 + 4)]);

        Assert.Equal(1007, (await raw.ReadCloseAsync()).CloseCode);
    }

    [Fact]
    public async Task Message_over_the_limit_gets_1009_at_its_header()
    {
        await using EchoServer server = await EchoServer.StartAsync(webSocket: new WebSocketConnectionOptions { MaxMessageSize = 1024 });
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        // A header announcing 1 GiB, and not one byte of its payload.
        byte[] header = new byte[14];
        int length = FrameHeaderWriter.Write(header, true, Opcode.Binary, 0, 1L << 30, 0x01020304);
        await raw.SendAsync(header[..length]);

        Assert.Equal(1009, (await raw.ReadCloseAsync()).CloseCode);
    }

    [Fact]
    public async Task Fragments_summing_over_the_limit_get_1009()
    {
        await using EchoServer server = await EchoServer.StartAsync(webSocket: new WebSocketConnectionOptions { MaxMessageSize = 1000 });
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);

        await raw.SendFrameAsync(Opcode.Binary, new byte[600], fin: false);
        await raw.SendFrameAsync(Opcode.Continuation, new byte[600]);

        Assert.Equal(1009, (await raw.ReadCloseAsync()).CloseCode);
    }

    [Fact]
    public async Task A_misbehaving_client_does_not_disturb_another()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection good = await EchoServer.ConnectAsync(server.Uri());
        await using RawWebSocket bad = await RawWebSocket.ConnectAsync(server.Port);

        await bad.SendFrameAsync(Opcode.Ping, new byte[126]);
        Assert.Equal(1002, (await bad.ReadCloseAsync()).CloseCode);

        await good.SendTextAsync("still here", Bounded.Token());
        Assert.Equal("still here", (await good.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
    }
}
