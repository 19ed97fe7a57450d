using System.Net.WebSockets;
using System.Text;
using Xunit.Abstractions;
using WsMessageType = System.Net.WebSockets.WebSocketMessageType;

namespace Duplex.Tests.Interop;

/// <summary>
/// .NET's ClientWebSocket with <see cref="ClientWebSocketOptions.DangerousDeflateOptions"/>
/// against the Duplex server with permessage-deflate (RFC 7692) on: the negotiation seen in the
/// 101 response (CollectHttpResponseDetails), the echoes, and the bytes on the wire.
/// </summary>
public sealed class ClientWebSocketCompressionInteropTests(ITestOutputHelper output)
{
    private const string ExtensionsHeader = "Sec-WebSocket-Extensions";

    /// <summary>DangerousDeflateOptions settings, each with the answer the Duplex server must give.</summary>
    public static TheoryData<string> DeflateSettings =>
    [
        "defaults",
        "ClientMaxWindowBits=9",
        "ClientContextTakeover=false",
        "ServerMaxWindowBits=10",
        "ServerContextTakeover=false",
        "all four",
    ];

    public static TheoryData<int> Sizes => [.. CompressionInterop.RoundTripSizes];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ClientWebSocket_with_deflate_gets_compressible_and_incompressible_text_and_binary_echoed_by_the_Duplex_server(int size)
    {
        await using var server = await InteropDuplexServer.StartAsync(compression: new PerMessageDeflateOptions { MinimumMessageSize = 0 });
        using var ws = await ConnectAsync(server.WebSocketUri(), new WebSocketDeflateOptions());
        AssertAgreed(ws, "permessage-deflate");

        await AssertEchoAsync(ws, Encoding.UTF8.GetBytes(InteropPayloads.Text(size)), WsMessageType.Text);
        await AssertEchoAsync(ws, InteropPayloads.Binary(size), WsMessageType.Binary);
        await AssertEchoAsync(ws, CompressionInterop.Incompressible(size), WsMessageType.Binary);

        await ClientWebSocketInteropTests.CloseAsync(ws);
        Assert.Equal("permessage-deflate", (await server.WaitForAcceptAsync(InteropTimeouts.Step)).Extensions);
    }

    [Theory]
    [MemberData(nameof(DeflateSettings))]
    public async Task ClientWebSocket_and_the_Duplex_server_agree_on_permessage_deflate_and_round_trip_with(string setting)
    {
        var (deflate, expected) = setting switch
        {
            "defaults" => (new WebSocketDeflateOptions(), "permessage-deflate"),
            "ClientMaxWindowBits=9" => (new WebSocketDeflateOptions { ClientMaxWindowBits = 9 }, "permessage-deflate; client_max_window_bits=9"),
            "ClientContextTakeover=false" => (new WebSocketDeflateOptions { ClientContextTakeover = false }, "permessage-deflate; client_no_context_takeover"),
            "ServerMaxWindowBits=10" => (new WebSocketDeflateOptions { ServerMaxWindowBits = 10 }, "permessage-deflate; server_max_window_bits=10"),
            "ServerContextTakeover=false" => (new WebSocketDeflateOptions { ServerContextTakeover = false }, "permessage-deflate; server_no_context_takeover"),
            _ => (
                new WebSocketDeflateOptions { ClientMaxWindowBits = 9, ClientContextTakeover = false, ServerMaxWindowBits = 10, ServerContextTakeover = false },
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9"),
        };
        await using var server = await InteropDuplexServer.StartAsync(compression: new PerMessageDeflateOptions());
        using var ws = await ConnectAsync(server.WebSocketUri(), deflate);

        AssertAgreed(ws, expected);
        Assert.Equal(expected, (await server.WaitForAcceptAsync(InteropTimeouts.Step)).Extensions);

        // Similar messages one after another: a side that kept its context against the agreement,
        // or used a larger window than agreed, makes the other side's inflater fail.
        var json = Encoding.UTF8.GetBytes(CompressionInterop.JsonLike(20_000));
        for (var i = 0; i < 3; i++)
        {
            await AssertEchoAsync(ws, json, WsMessageType.Text);
        }

        await AssertEchoAsync(ws, [], WsMessageType.Text);
        await AssertEchoAsync(ws, [], WsMessageType.Binary);
        await AssertEchoAsync(ws, CompressionInterop.RepeatedRandomBlocks(256 * 1024, 4096), WsMessageType.Binary);
        await AssertEchoAsync(ws, CompressionInterop.RepeatedRandomBlocks(64 * 1024, 700), WsMessageType.Binary);
        await AssertEchoAsync(ws, CompressionInterop.Incompressible(70_000), WsMessageType.Binary);
        await AssertEchoAsync(ws, Encoding.UTF8.GetBytes(InteropPayloads.Text(1 << 20)), WsMessageType.Text);
        for (var i = 0; i < 3; i++)
        {
            await AssertEchoAsync(ws, json, WsMessageType.Text);
        }

        await ClientWebSocketInteropTests.CloseAsync(ws);
    }

    [Fact]
    public async Task ClientWebSocket_and_the_Duplex_server_both_compress_a_100kB_text_on_the_wire()
    {
        await using var connection = await RelayedDeflateConnection.OpenAsync(InteropDuplexServer.EchoPath);
        var (_, relay, ws) = connection;
        var payload = Encoding.UTF8.GetBytes(InteropPayloads.Text(100_000));

        var before = relay.Snapshot();
        await AssertEchoAsync(ws, payload, WsMessageType.Text);
        var wire = relay.Snapshot() - before;

        output.WriteLine($"100000-byte text: {wire.ClientToServer} bytes up, {wire.ServerToClient} bytes down");
        CompressionInterop.AssertCompressedOnTheWire(wire.ClientToServer, payload.Length, "ClientWebSocket's 100 kB text to the Duplex server");
        CompressionInterop.AssertCompressedOnTheWire(wire.ServerToClient, payload.Length, "the Duplex server's echo of the 100 kB text");
        await ClientWebSocketInteropTests.CloseAsync(ws);
    }

    [Fact]
    public async Task ClientWebSocket_messages_sent_with_DisableCompression_and_in_fragments_are_echoed_by_the_Duplex_server_with_deflate_on()
    {
        await using var connection = await RelayedDeflateConnection.OpenAsync(InteropDuplexServer.EchoPath);
        var (_, relay, ws) = connection;
        var payload = Encoding.UTF8.GetBytes(InteropPayloads.Text(100_000));

        // RSV1 clear on a connection that agreed on deflate: an uncompressed message.
        var before = relay.Snapshot();
        await ws.SendAsync(payload, WsMessageType.Text, WebSocketMessageFlags.EndOfMessage | WebSocketMessageFlags.DisableCompression, InteropTimeouts.Token());
        var (type, data) = await ClientWebSocketInteropTests.ReceiveMessageAsync(ws);
        var wire = relay.Snapshot() - before;
        Assert.Equal(WsMessageType.Text, type);
        InteropPayloads.AssertSameBytes(payload, data, "the echo of the uncompressed text");
        Assert.True(wire.ClientToServer >= payload.Length, $"the text sent with DisableCompression took {wire.ClientToServer} bytes, fewer than its {payload.Length}");
        CompressionInterop.AssertCompressedOnTheWire(wire.ServerToClient, payload.Length, "the Duplex server's (compressed) echo of the uncompressed text");

        // One compressed message in fragments of 37, 74, 111, ... bytes, most cut inside characters.
        var offset = 0;
        for (var piece = 1; offset < payload.Length; piece++)
        {
            var length = Math.Min(piece * 37, payload.Length - offset);
            var last = offset + length == payload.Length;
            await ws.SendAsync(payload.AsMemory(offset, length), WsMessageType.Text, last, InteropTimeouts.Token());
            offset += length;
        }

        (type, data) = await ClientWebSocketInteropTests.ReceiveMessageAsync(ws);
        Assert.Equal(WsMessageType.Text, type);
        InteropPayloads.AssertSameBytes(payload, data, "the echo of the fragmented compressed text");
        await ClientWebSocketInteropTests.CloseAsync(ws);
    }

    [Fact]
    public async Task Duplex_server_enables_permessage_deflate_only_on_the_endpoint_whose_options_ask_for_it()
    {
        // Server-wide compression off; only /deflate has its own WebSocketConnectionOptions with it.
        await using var server = await InteropDuplexServer.StartAsync();
        var payload = Encoding.UTF8.GetBytes(InteropPayloads.Text(50_000));

        using (var plain = await ConnectAsync(server.WebSocketUri(), new WebSocketDeflateOptions()))
        {
            Assert.False(plain.HttpResponseHeaders!.ContainsKey(ExtensionsHeader), "the Duplex server accepted permessage-deflate on /echo, where it is off");
            Assert.Null((await server.WaitForAcceptAsync(InteropTimeouts.Step)).Extensions);
            await AssertEchoAsync(plain, payload, WsMessageType.Text);
            await ClientWebSocketInteropTests.CloseAsync(plain);
        }

        using var compressed = await ConnectAsync(server.WebSocketUri(InteropDuplexServer.DeflatePath), new WebSocketDeflateOptions());
        AssertAgreed(compressed, "permessage-deflate");
        Assert.Equal("permessage-deflate", (await server.WaitForAcceptAsync(InteropTimeouts.Step)).Extensions);
        await AssertEchoAsync(compressed, payload, WsMessageType.Text);
        await ClientWebSocketInteropTests.CloseAsync(compressed);
    }

    [Fact]
    public async Task Duplex_server_closes_with_1009_when_a_small_compressed_message_from_ClientWebSocket_inflates_past_its_limit()
    {
        await using var connection = await RelayedDeflateConnection.OpenAsync(InteropDuplexServer.SmallPath);
        var (server, relay, ws) = connection;

        // 100000 zeros deflate to about a hundred bytes, far below the endpoint's 1024-byte limit
        // that the message inflates past.
        var before = relay.Snapshot();
        await ws.SendAsync(new byte[100_000], WsMessageType.Binary, endOfMessage: true, InteropTimeouts.Token());
        var result = await ws.ReceiveAsync(new byte[1024].AsMemory(), InteropTimeouts.Token());
        var wire = relay.Snapshot() - before;

        Assert.Equal(WsMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
        Assert.Equal(1009, (await server.WaitForCloseAsync(InteropTimeouts.Step)).Code);
        Assert.True(wire.ClientToServer < InteropDuplexServer.SmallMessageLimit, $"ClientWebSocket's 100000 zeros took {wire.ClientToServer} bytes on the wire, not under the limit");
    }

    /// <summary>
    /// The Duplex server with permessage-deflate on, a <see cref="CountingTcpRelay"/> in front of
    /// it, and a ClientWebSocket with default <see cref="WebSocketDeflateOptions"/> connected
    /// through the relay to <c>path</c>, whose 101 response has agreed on plain permessage-deflate.
    /// </summary>
    private sealed class RelayedDeflateConnection(InteropDuplexServer server, CountingTcpRelay relay, ClientWebSocket ws) : IAsyncDisposable
    {
        /// <summary>Starts the server and the relay, connects through them to <paramref name="path"/> and checks the agreement.</summary>
        public static async Task<RelayedDeflateConnection> OpenAsync(string path)
        {
            var started = await InteropDuplexServer.StartAsync(compression: new PerMessageDeflateOptions());
            CountingTcpRelay? opened = null;
            ClientWebSocket? connected = null;
            try
            {
                opened = CountingTcpRelay.Start(started.Port);
                connected = await ConnectAsync(opened.WebSocketUri(path), new WebSocketDeflateOptions());
                AssertAgreed(connected, "permessage-deflate");
                return new RelayedDeflateConnection(started, opened, connected);
            }
            catch
            {
                connected?.Dispose();
                if (opened is not null)
                {
                    await opened.DisposeAsync();
                }

                await started.DisposeAsync();
                throw;
            }
        }

        /// <summary>Gives the server, the relay and the ClientWebSocket, for a test to name as it likes.</summary>
        public void Deconstruct(out InteropDuplexServer duplexServer, out CountingTcpRelay countingRelay, out ClientWebSocket client)
        {
            duplexServer = server;
            countingRelay = relay;
            client = ws;
        }

        /// <summary>Disposes the ClientWebSocket, then the relay, then the server.</summary>
        public async ValueTask DisposeAsync()
        {
            ws.Dispose();
            await relay.DisposeAsync();
            await server.DisposeAsync();
        }
    }

    private static async Task<ClientWebSocket> ConnectAsync(Uri uri, WebSocketDeflateOptions deflate)
    {
        var ws = new ClientWebSocket();
        ws.Options.Proxy = null;
        ws.Options.CollectHttpResponseDetails = true;
        ws.Options.DangerousDeflateOptions = deflate;
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

    /// <summary>Fails unless the 101 response agreed on exactly <paramref name="expected"/>.</summary>
    private static void AssertAgreed(ClientWebSocket ws, string expected)
    {
        Assert.Equal(101, (int)ws.HttpStatusCode);
        Assert.NotNull(ws.HttpResponseHeaders);
        Assert.True(
            ws.HttpResponseHeaders.TryGetValue(ExtensionsHeader, out var values),
            $"the Duplex server's 101 response has no {ExtensionsHeader}: compression is off");
        Assert.Equal(expected, string.Join(", ", values));
    }

    private static async Task AssertEchoAsync(ClientWebSocket ws, byte[] payload, WsMessageType messageType)
    {
        await ws.SendAsync(payload, messageType, endOfMessage: true, InteropTimeouts.Token());
        var (type, data) = await ClientWebSocketInteropTests.ReceiveMessageAsync(ws);
        Assert.Equal(messageType, type);
        InteropPayloads.AssertSameBytes(payload, data, $"the echo of a {payload.Length}-byte {messageType}");
    }
}
