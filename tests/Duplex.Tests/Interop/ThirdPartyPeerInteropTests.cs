using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Duplex.Tests.Interop;

/// <summary>
/// Interop in both directions with a third-party WebSocket library run as a separate process:
/// its scripted client against the Duplex server, and the Duplex client against its echo server.
/// Each derived class names the peer (Node's ws, Python's websockets); the tests are the same.
/// </summary>
public abstract class ThirdPartyPeerInteropTests(ITestOutputHelper output)
{
    protected ITestOutputHelper Output { get; } = output;

    /// <summary>Starts the peer's scripted client (ws-client.js / websockets-client.py) with these arguments.</summary>
    protected abstract PeerProcess StartClient(IEnumerable<string> arguments);

    /// <summary>Starts the peer's echo server (ws-echo-server.js / websockets-echo-server.py) with these arguments.</summary>
    protected abstract PeerProcess StartEchoServer(IEnumerable<string> arguments);

    // ---- the peer's client against the Duplex server -------------------------------------------

    [Fact]
    public async Task Peer_client_round_trips_text_empty_binary_1MiB_ping_and_a_burst_through_the_Duplex_server()
    {
        await using var server = await InteropDuplexServer.StartAsync();
        await using var client = StartClient([server.WebSocketUri().ToString(), "--count", "200"]);

        var result = await client.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        Assert.Equal(
            ["connect", "text", "empty-text", "empty-binary", "binary-65536", "text-1048576", "fragmented-text", "fragmented-binary", "ping", "burst-200", "close"],
            result.Steps);
        Assert.Equal(1000, result.GetInt("closeCode"));
        var close = await server.WaitForCloseAsync(InteropTimeouts.Step);
        Assert.Equal(new ReceivedClose(1000, "bye"), close);
    }

    [Fact]
    public async Task Duplex_server_selects_the_first_subprotocol_the_peer_client_offers_that_it_supports()
    {
        await using var server = await InteropDuplexServer.StartAsync(subProtocols: ["chat", "superchat"]);
        await using var client = StartClient([
            server.WebSocketUri().ToString(), "--subprotocol", "x-unknown", "--subprotocol", "superchat", "--subprotocol", "chat",
            "--size", "1000", "--count", "2"]);

        var result = await client.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        Assert.Equal("superchat", result.GetString("protocol"));
        Assert.Equal("superchat", (await server.WaitForAcceptAsync(InteropTimeouts.Step)).SubProtocol);
    }

    [Fact]
    public async Task Peer_client_close_code_and_reason_reach_the_Duplex_server_which_echoes_the_code()
    {
        const string reason = "\u00fcber \u2713 done";
        await using var server = await InteropDuplexServer.StartAsync();
        await using var client = StartClient([
            server.WebSocketUri().ToString(), "--close-code", "4321", "--close-reason", reason, "--size", "1000", "--count", "2"]);

        var result = await client.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        Assert.Equal(4321, result.GetInt("closeCode"));
        Assert.Equal(new ReceivedClose(4321, reason), await server.WaitForCloseAsync(InteropTimeouts.Step));
    }

    // ---- permessage-deflate: the peer's client against the Duplex server ------------------------

    /// <summary>Offers of the peer's client (its --deflate parameters) and the answer the Duplex server must give.</summary>
    public static TheoryData<string> PeerClientOffers =>
    [
        "server_no_context_takeover",
        "client_no_context_takeover",
        "server_max_window_bits=10",
        "client_max_window_bits=9",
        "all four parameters",
    ];

    /// <summary>Settings of the Duplex server and the answer it must give to the peer's default offer.</summary>
    public static TheoryData<string> DuplexServerSettings => ["no context takeover either way", "window bits 11 for the server and 10 for the client"];

    [Fact]
    public async Task Peer_client_negotiates_permessage_deflate_with_the_Duplex_server_and_both_compress_the_whole_script_on_the_wire()
    {
        await using var server = await InteropDuplexServer.StartAsync(compression: new PerMessageDeflateOptions());
        await using var relay = CountingTcpRelay.Start(server.Port);
        await using var client = StartClient([relay.WebSocketUri(InteropDuplexServer.EchoPath).ToString(), "--deflate", "--count", "200"]);

        var result = await client.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        Assert.Equal(
            ["connect", "text", "empty-text", "empty-binary", "binary-65536", "text-1048576", "fragmented-text", "fragmented-binary", "ping", "burst-200", "close"],
            result.Steps);
        var accepted = await server.WaitForAcceptAsync(InteropTimeouts.Step);
        CompressionInterop.AssertPermessageDeflate(accepted.Extensions, "the Duplex server");
        Assert.Equal(accepted.Extensions, result.GetString("extensionsHeader"));
        Assert.Equal(new ReceivedClose(1000, "bye"), await server.WaitForCloseAsync(InteropTimeouts.Step));

        // The script's 1 MiB text, 64 KiB binary and 100000-byte fragmented binary, both ways.
        const long payload = (1 << 20) + 65536 + 100_000;
        Output.WriteLine($"{payload} bytes of payload each way; on the wire {relay.ClientToServerBytes} up, {relay.ServerToClientBytes} down");
        CompressionInterop.AssertCompressedOnTheWire(relay.ClientToServerBytes, payload, "the peer client's messages to the Duplex server");
        CompressionInterop.AssertCompressedOnTheWire(relay.ServerToClientBytes, payload, "the Duplex server's echoes to the peer client");
    }

    [Theory]
    [MemberData(nameof(PeerClientOffers))]
    public async Task Duplex_server_accepts_and_honours_a_peer_client_permessage_deflate_offer_with(string offer)
    {
        var (arguments, expected) = offer switch
        {
            "server_no_context_takeover" => ((string[])["--server-no-context-takeover"], "permessage-deflate; server_no_context_takeover"),
            "client_no_context_takeover" => (["--client-no-context-takeover"], "permessage-deflate; client_no_context_takeover"),
            "server_max_window_bits=10" => (["--server-max-window-bits", "10"], "permessage-deflate; server_max_window_bits=10"),
            "client_max_window_bits=9" => (["--client-max-window-bits", "9"], "permessage-deflate; client_max_window_bits=9"),
            _ => (
                ["--server-no-context-takeover", "--client-no-context-takeover", "--server-max-window-bits", "10", "--client-max-window-bits", "9"],
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9"),
        };
        await using var server = await InteropDuplexServer.StartAsync(compression: new PerMessageDeflateOptions());

        await RunCompressedScriptAsync(server, arguments, expected);
    }

    [Theory]
    [MemberData(nameof(DuplexServerSettings))]
    public async Task Peer_client_honours_what_the_Duplex_server_settings_impose_on_permessage_deflate(string setting)
    {
        var (options, expected) = setting switch
        {
            "no context takeover either way" => (
                new PerMessageDeflateOptions { ServerNoContextTakeover = true, ClientNoContextTakeover = true },
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
            _ => (
                new PerMessageDeflateOptions { ServerMaxWindowBits = 11, ClientMaxWindowBits = 10 },
                "permessage-deflate; server_max_window_bits=11; client_max_window_bits=10"),
        };
        await using var server = await InteropDuplexServer.StartAsync(compression: options);

        await RunCompressedScriptAsync(server, [], expected);
    }

    [Fact]
    public async Task Duplex_server_fails_the_connection_with_1009_when_a_small_compressed_message_from_the_peer_client_inflates_past_its_limit()
    {
        await using var server = await InteropDuplexServer.StartAsync(compression: new PerMessageDeflateOptions());
        await using var relay = CountingTcpRelay.Start(server.Port);
        // 20000 bytes of a 256-byte pattern deflate to a few hundred bytes: the frame is below the
        // 1024-byte limit, the message it inflates to is far above it.
        await using var client = StartClient([
            relay.WebSocketUri(InteropDuplexServer.SmallPath).ToString(), "--deflate", "--expect-server-close", "--send-binary", "20000"]);

        var result = await client.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        CompressionInterop.AssertPermessageDeflate(result.GetString("extensionsHeader"), "the peer client");
        Assert.Equal(1009, result.GetInt("closeCode"));
        Assert.Equal(1009, (await server.WaitForCloseAsync(InteropTimeouts.Step)).Code);
        CompressionInterop.AssertCompressedOnTheWire(relay.ClientToServerBytes, 20_000, "the peer client's 20000-byte binary");
    }

    [Fact]
    public async Task Peer_client_sees_the_code_and_reason_of_a_close_the_Duplex_server_starts()
    {
        await using var server = await InteropDuplexServer.StartAsync();
        await using var client = StartClient([server.WebSocketUri(InteropDuplexServer.ServerClosePath).ToString(), "--expect-server-close"]);

        var result = await client.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        Assert.Equal(InteropDuplexServer.ServerCloseCode, result.GetInt("closeCode"));
        Assert.Equal(InteropDuplexServer.ServerCloseReason, result.GetString("closeReason"));
        // The peer's answer completes the server's closing handshake with the same code.
        Assert.Equal(InteropDuplexServer.ServerCloseCode, (await server.WaitForCloseAsync(InteropTimeouts.Step)).Code);
    }

    [Fact]
    public async Task Duplex_server_fails_the_connection_with_1009_when_the_peer_client_sends_a_message_over_its_limit()
    {
        await using var server = await InteropDuplexServer.StartAsync();
        await using var client = StartClient([
            server.WebSocketUri(InteropDuplexServer.SmallPath).ToString(), "--expect-server-close",
            "--send-binary", (InteropDuplexServer.SmallMessageLimit + 1).ToString(CultureInfo.InvariantCulture)]);

        var result = await client.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        Assert.Equal(1009, result.GetInt("closeCode"));
        Assert.Equal(1009, (await server.WaitForCloseAsync(InteropTimeouts.Step)).Code);
    }

    [Fact]
    public async Task Peer_client_gets_1001_going_away_when_the_Duplex_server_shuts_down()
    {
        var server = await InteropDuplexServer.StartAsync();
        await using var stopServer = server;
        await using var client = StartClient([server.WebSocketUri().ToString(), "--expect-server-close"]);
        await server.WaitForAcceptAsync(InteropTimeouts.Step);

        await server.DisposeAsync().AsTask().WaitAsync(InteropTimeouts.Step);
        var result = await client.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        Assert.Equal(1001, result.GetInt("closeCode"));
    }

    // ---- the Duplex client against the peer's server ------------------------------------------

    [Fact]
    public async Task Duplex_client_fails_the_connection_with_1009_when_the_peer_server_echoes_a_message_over_its_limit()
    {
        await using var peer = StartEchoServer([]);
        var port = await peer.WaitForListeningPortAsync(InteropTimeouts.PeerStart);
        await using var ws = await WebSocketClient.ConnectAsync(
            new Uri($"ws://127.0.0.1:{port}/echo"),
            new WebSocketClientOptions { UseEnvironmentProxy = false, WebSocket = new WebSocketConnectionOptions { MaxMessageSize = 1000 } },
            InteropTimeouts.Token());

        await ws.SendBinaryAsync(InteropPayloads.Binary(1001), InteropTimeouts.Token());
        var message = await ws.ReceiveAsync(InteropTimeouts.Token());

        Assert.Equal(MessageType.Close, message.Type);
        Assert.Equal(CloseStatus.MessageTooBig, ws.CloseStatus);
        var close = await peer.WaitForEventAsync("CLOSE", InteropTimeouts.Step);
        Assert.Equal(1009, close.GetProperty("code").GetInt32());
    }


    [Fact]
    public async Task Duplex_client_round_trips_text_binary_empty_and_1MiB_messages_through_the_peer_server()
    {
        await using var peer = StartEchoServer([]);
        var port = await peer.WaitForListeningPortAsync(InteropTimeouts.PeerStart);
        await using var ws = await ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"));

        await AssertTextEchoAsync(ws, "hello \u00e9\u2713\U0001F600");
        await AssertTextEchoAsync(ws, "");
        await AssertBinaryEchoAsync(ws, []);
        await AssertBinaryEchoAsync(ws, InteropPayloads.Binary(65536));
        await AssertTextEchoAsync(ws, InteropPayloads.Text(1 << 20));
        await AssertBinaryEchoAsync(ws, InteropPayloads.Binary(1 << 20));

        await ws.CloseAsync(CloseStatus.NormalClosure, "bye", InteropTimeouts.Token());
        Assert.Equal(CloseStatus.NormalClosure, ws.CloseStatus);
        var close = await peer.WaitForEventAsync("CLOSE", InteropTimeouts.Step);
        Assert.Equal(1000, close.GetProperty("code").GetInt32());
        Assert.Equal("bye", close.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Duplex_client_burst_of_messages_comes_back_from_the_peer_server_in_order()
    {
        await using var peer = StartEchoServer([]);
        var port = await peer.WaitForListeningPortAsync(InteropTimeouts.PeerStart);
        await using var ws = await ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"));
        const int count = 300;

        for (var i = 0; i < count; i++)
        {
            if (i % 2 == 0)
            {
                await ws.SendTextAsync($"burst-{i}", InteropTimeouts.Token());
            }
            else
            {
                await ws.SendBinaryAsync(InteropPayloads.Binary(i), InteropTimeouts.Token());
            }
        }

        for (var i = 0; i < count; i++)
        {
            var message = await ws.ReceiveAsync(InteropTimeouts.Token());
            if (i % 2 == 0)
            {
                Assert.Equal(MessageType.Text, message.Type);
                Assert.Equal($"burst-{i}", message.Text);
            }
            else
            {
                Assert.Equal(MessageType.Binary, message.Type);
                InteropPayloads.AssertSameBytes(InteropPayloads.Binary(i), message.Data.Span, $"burst message {i}");
            }
        }

        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
    }

    [Fact]
    public async Task Duplex_client_negotiates_a_subprotocol_with_the_peer_server()
    {
        await using var peer = StartEchoServer(["--subprotocol", "chat"]);
        var port = await peer.WaitForListeningPortAsync(InteropTimeouts.PeerStart);
        await using var ws = await ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"), ["chat", "other"]);

        Assert.Equal("chat", ws.SubProtocol);
        var connect = await peer.WaitForEventAsync("CONNECT", InteropTimeouts.Step);
        Assert.Equal("chat", connect.GetProperty("protocol").GetString());
        await AssertTextEchoAsync(ws, "in chat");
        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
    }

    [Fact]
    public async Task Duplex_client_close_code_and_reason_reach_the_peer_server_which_echoes_the_code()
    {
        const string reason = "done \u2713";
        await using var peer = StartEchoServer([]);
        var port = await peer.WaitForListeningPortAsync(InteropTimeouts.PeerStart);
        await using var ws = await ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"));
        await AssertTextEchoAsync(ws, "before close");

        await ws.CloseAsync((CloseStatus)4002, reason, InteropTimeouts.Token());

        Assert.Equal((CloseStatus)4002, ws.CloseStatus);
        Assert.Equal(WebSocketConnectionState.Closed, ws.State);
        var close = await peer.WaitForEventAsync("CLOSE", InteropTimeouts.Step);
        Assert.Equal(4002, close.GetProperty("code").GetInt32());
        Assert.Equal(reason, close.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Duplex_client_reports_the_code_and_reason_of_a_close_the_peer_server_starts()
    {
        await using var peer = StartEchoServer([]);
        var port = await peer.WaitForListeningPortAsync(InteropTimeouts.PeerStart);
        await using var ws = await ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo?close=4003&reason=server%20closing"));

        var message = await ws.ReceiveAsync(InteropTimeouts.Token());

        Assert.Equal(MessageType.Close, message.Type);
        Assert.Equal((CloseStatus)4003, ws.CloseStatus);
        Assert.Equal("server closing", ws.CloseStatusDescription);
        var close = await peer.WaitForEventAsync("CLOSE", InteropTimeouts.Step);
        Assert.Equal(4003, close.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Duplex_client_answers_a_ping_from_the_peer_server_with_the_same_payload()
    {
        await using var peer = StartEchoServer([]);
        var port = await peer.WaitForListeningPortAsync(InteropTimeouts.PeerStart);
        await using var ws = await ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo?ping=are-you-there"));

        // Pings are answered by a pending receive.
        var receive = ws.ReceiveAsync(InteropTimeouts.Token()).AsTask();
        var pong = await peer.WaitForEventAsync("PONG", InteropTimeouts.Step);

        Assert.Equal("are-you-there", pong.GetProperty("payload").GetString());
        await ws.SendTextAsync("after the ping", InteropTimeouts.Token());
        var echo = await receive.WaitAsync(InteropTimeouts.Step);
        Assert.Equal("after the ping", echo.Text);
        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
    }

    // ---- permessage-deflate: the Duplex client against the peer's server -----------------------

    /// <summary>What the Duplex client offers or the peer's server imposes, beyond the defaults.</summary>
    public static TheoryData<string> PeerServerVariants =>
    [
        "client offers server_no_context_takeover",
        "client offers client_no_context_takeover",
        "client offers server_max_window_bits=10",
        "client offers client_max_window_bits=9",
        "server imposes server_no_context_takeover",
        "server imposes client_no_context_takeover",
        "server imposes server_max_window_bits=11",
        "server imposes client_max_window_bits=10",
    ];

    [Fact]
    public async Task Duplex_client_negotiates_permessage_deflate_with_the_peer_server_and_round_trips_0_bytes_to_1MiB_compressible_and_incompressible()
    {
        await using var peer = StartEchoServer(["--deflate"]);
        var port = await peer.WaitForListeningPortAsync(InteropTimeouts.PeerStart);
        // Every message compressed, however small: the empty ones too.
        await using var ws = await CompressionInterop.ConnectAsync(
            new Uri($"ws://127.0.0.1:{port}/echo"), new PerMessageDeflateOptions { MinimumMessageSize = 0 });

        CompressionInterop.AssertPermessageDeflate(ws.Extensions, "the Duplex client");
        var connect = await peer.WaitForEventAsync("CONNECT", InteropTimeouts.Step);
        Assert.Equal(ws.Extensions, connect.GetProperty("extensionsHeader").GetString());
        Output.WriteLine($"extensions agreed: {ws.Extensions}");

        await CompressionInterop.AssertRoundTripsAsync(ws);

        await ws.CloseAsync(CloseStatus.NormalClosure, "bye", InteropTimeouts.Token());
        var close = await peer.WaitForEventAsync("CLOSE", InteropTimeouts.Step);
        Assert.Equal(1000, close.GetProperty("code").GetInt32());
        Assert.Equal("bye", close.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Duplex_client_and_the_peer_server_both_compress_a_100kB_text_on_the_wire()
    {
        await using var peer = StartEchoServer(["--deflate"]);
        var port = await peer.WaitForListeningPortAsync(InteropTimeouts.PeerStart);
        await using var relay = CountingTcpRelay.Start(port);
        await using var ws = await CompressionInterop.ConnectAsync(relay.WebSocketUri("/echo"), new PerMessageDeflateOptions());

        CompressionInterop.AssertPermessageDeflate(ws.Extensions, "the Duplex client");
        await CompressionInterop.AssertBothDirectionsCompressedAsync(ws, relay, "the peer server");

        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
        Assert.Equal(1000, (await peer.WaitForEventAsync("CLOSE", InteropTimeouts.Step)).GetProperty("code").GetInt32());
    }

    [Theory]
    [MemberData(nameof(PeerServerVariants))]
    public async Task Duplex_client_and_the_peer_server_agree_on_permessage_deflate_and_round_trip_when_the(string variant)
    {
        var (client, arguments, expected) = variant switch
        {
            "client offers server_no_context_takeover" => (
                new PerMessageDeflateOptions { ServerNoContextTakeover = true }, (string[])[], (string[])["server_no_context_takeover"]),
            "client offers client_no_context_takeover" => (new PerMessageDeflateOptions { ClientNoContextTakeover = true }, [], []),
            "client offers server_max_window_bits=10" => (new PerMessageDeflateOptions { ServerMaxWindowBits = 10 }, [], ["server_max_window_bits=10"]),
            "client offers client_max_window_bits=9" => (new PerMessageDeflateOptions { ClientMaxWindowBits = 9 }, [], []),
            "server imposes server_no_context_takeover" => (new PerMessageDeflateOptions(), ["--server-no-context-takeover"], ["server_no_context_takeover"]),
            "server imposes client_no_context_takeover" => (new PerMessageDeflateOptions(), ["--client-no-context-takeover"], ["client_no_context_takeover"]),
            "server imposes server_max_window_bits=11" => (new PerMessageDeflateOptions(), ["--server-max-window-bits", "11"], ["server_max_window_bits=11"]),
            _ => (new PerMessageDeflateOptions(), ["--client-max-window-bits", "10"], ["client_max_window_bits=10"]),
        };
        await using var peer = StartEchoServer(["--deflate", .. arguments]);
        var port = await peer.WaitForListeningPortAsync(InteropTimeouts.PeerStart);
        await using var ws = await CompressionInterop.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"), client);

        Output.WriteLine($"extensions agreed: {ws.Extensions ?? "(none)"}");
        CompressionInterop.AssertHasParameters(ws.Extensions, expected, "the Duplex client");
        var connect = await peer.WaitForEventAsync("CONNECT", InteropTimeouts.Step);
        Assert.Equal(ws.Extensions, connect.GetProperty("extensionsHeader").GetString());

        await CompressionInterop.AssertShortRoundTripsAsync(ws);

        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
        Assert.Equal(1000, (await peer.WaitForEventAsync("CLOSE", InteropTimeouts.Step)).GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Duplex_client_offer_is_declined_by_a_peer_server_without_deflate_and_messages_still_round_trip()
    {
        await using var peer = StartEchoServer([]);
        var port = await peer.WaitForListeningPortAsync(InteropTimeouts.PeerStart);
        await using var ws = await CompressionInterop.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"), new PerMessageDeflateOptions());

        Assert.Null(ws.Extensions);
        await AssertTextEchoAsync(ws, InteropPayloads.Text(100_000));
        await AssertBinaryEchoAsync(ws, InteropPayloads.Binary(100_000));
        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
        Assert.Equal(1000, (await peer.WaitForEventAsync("CLOSE", InteropTimeouts.Step)).GetProperty("code").GetInt32());
    }

    // ---- helpers -------------------------------------------------------------------------------

    internal static Task<WebSocketConnection> ConnectAsync(Uri uri, IReadOnlyList<string>? subProtocols = null) =>
        WebSocketClient.ConnectAsync(
            uri,
            new WebSocketClientOptions
            {
                SubProtocols = subProtocols ?? [],
                UseEnvironmentProxy = false,
                ConnectTimeout = InteropTimeouts.Step,
                WebSocket = new WebSocketConnectionOptions { MaxMessageSize = InteropDuplexServer.MaxMessageSize },
            },
            InteropTimeouts.Token());

    internal static async Task AssertTextEchoAsync(WebSocketConnection ws, string text)
    {
        await ws.SendTextAsync(text, InteropTimeouts.Token());
        var echo = await ws.ReceiveAsync(InteropTimeouts.Token());
        Assert.Equal(MessageType.Text, echo.Type);
        InteropPayloads.AssertSameBytes(Encoding.UTF8.GetBytes(text), echo.Data.Span, $"the echo of a {Encoding.UTF8.GetByteCount(text)}-byte text");
    }

    internal static async Task AssertBinaryEchoAsync(WebSocketConnection ws, byte[] data)
    {
        await ws.SendBinaryAsync(data, InteropTimeouts.Token());
        var echo = await ws.ReceiveAsync(InteropTimeouts.Token());
        Assert.Equal(MessageType.Binary, echo.Type);
        InteropPayloads.AssertSameBytes(data, echo.Data.Span, $"the echo of a {data.Length}-byte binary");
    }

    /// <summary>
    /// Runs the peer client's whole script with --deflate and these parameters against the Duplex
    /// server, and checks that both agreed on exactly <paramref name="expected"/>. The script
    /// sends many similar messages, so a side that kept its context where the agreement says not
    /// to, or used a larger window than agreed, makes the other side's inflater fail.
    /// </summary>
    private async Task RunCompressedScriptAsync(InteropDuplexServer server, IEnumerable<string> deflateArguments, string expected)
    {
        await using var client = StartClient([server.WebSocketUri().ToString(), "--deflate", .. deflateArguments, "--size", "300000", "--count", "50"]);

        var result = await client.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        Assert.Equal("close", result.Steps[^1]);
        Assert.Equal(expected, result.GetString("extensionsHeader"));
        Assert.Equal(expected, (await server.WaitForAcceptAsync(InteropTimeouts.Step)).Extensions);
        Assert.Equal(new ReceivedClose(1000, "bye"), await server.WaitForCloseAsync(InteropTimeouts.Step));
    }
}

/// <summary>Interop with Node's `ws` library (tests/peers/node).</summary>
public sealed class NodeWsInteropTests(ITestOutputHelper output) : ThirdPartyPeerInteropTests(output)
{
    [Fact]
    public async Task Duplex_server_fails_the_connection_with_1007_when_the_peer_client_sends_invalid_UTF8_text()
    {
        await using var server = await InteropDuplexServer.StartAsync();
        // "κόσμε" then a UTF-16 surrogate encoded in UTF-8 (ED A0 80), which UTF-8 forbids.
        await using var client = StartClient([
            server.WebSocketUri().ToString(), "--expect-server-close", "--send-text-hex", "cebae1bdb9cf83cebcceb5eda080656469746564"]);

        var result = await client.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        Assert.Equal(1007, result.GetInt("closeCode"));
        Assert.Equal(1007, (await server.WaitForCloseAsync(InteropTimeouts.Step)).Code);
    }

    protected override PeerProcess StartClient(IEnumerable<string> arguments) =>
        PeerProcess.StartNode("ws-client.js", [.. arguments, "--timeout", "60"], Output);

    protected override PeerProcess StartEchoServer(IEnumerable<string> arguments) =>
        PeerProcess.StartNode("ws-echo-server.js", arguments, Output);
}

/// <summary>Interop with Python's `websockets` library (tests/peers/python, Debian's python3-websockets).</summary>
public sealed class PythonWebsocketsInteropTests(ITestOutputHelper output) : ThirdPartyPeerInteropTests(output)
{
    protected override PeerProcess StartClient(IEnumerable<string> arguments) =>
        PeerProcess.StartPython("websockets-client.py", [.. arguments, "--timeout", "60"], Output);

    protected override PeerProcess StartEchoServer(IEnumerable<string> arguments) =>
        PeerProcess.StartPython("websockets-echo-server.py", arguments, Output);
}
