namespace Duplex.Tests.Conformance;

// The client side of every group: the same cases, played by a fake server (RawWebSocketServer,
// unmasked frames) against a Duplex WebSocketClient running the echo loop of
// `duplex autobahn-agent`. The fake server checks, after every closing handshake, that the client
// waited for the server to close TCP instead of dropping it first.

/// <summary>Group 1 (framing) against the Duplex client.</summary>
public sealed class Group1FramingClientTests : Group1FramingTests
{
    protected override Side Side => Side.Client;
}

/// <summary>Group 2 (pings and pongs) against the Duplex client.</summary>
public sealed class Group2PingPongClientTests : Group2PingPongTests
{
    protected override Side Side => Side.Client;
}

/// <summary>Group 3 (reserved bits) against the Duplex client.</summary>
public sealed class Group3ReservedBitsClientTests : Group3ReservedBitsTests
{
    protected override Side Side => Side.Client;
}

/// <summary>Group 4 (reserved opcodes) against the Duplex client.</summary>
public sealed class Group4ReservedOpcodesClientTests : Group4ReservedOpcodesTests
{
    protected override Side Side => Side.Client;
}

/// <summary>Group 5 (fragmentation) against the Duplex client.</summary>
public sealed class Group5FragmentationClientTests : Group5FragmentationTests
{
    protected override Side Side => Side.Client;
}

/// <summary>Group 6 (UTF-8) against the Duplex client.</summary>
public sealed class Group6Utf8ClientTests : Group6Utf8Tests
{
    protected override Side Side => Side.Client;
}

/// <summary>Group 7 (closing) against the Duplex client.</summary>
public sealed class Group7CloseClientTests : Group7CloseTests
{
    protected override Side Side => Side.Client;
}

/// <summary>Group 9 (limits) against the Duplex client.</summary>
public sealed class Group9LimitsClientTests : Group9LimitsTests
{
    protected override Side Side => Side.Client;
}

/// <summary>Group 10 (miscellaneous) against the Duplex client.</summary>
public sealed class Group10MiscClientTests : Group10MiscTests
{
    protected override Side Side => Side.Client;
}

/// <summary>
/// What only a client must do: reject masked frames from the server with 1002 (RFC 6455 §5.1),
/// and, after the closing handshake, leave closing TCP to the server (§7.1.1) — without hanging
/// once the server has done so.
/// </summary>
public sealed class ClientConformanceTests : ConformanceTestBase
{
    protected override Side Side => Side.Client;

    [Fact]
    public async Task Client_fails_masked_text_frame_from_server_with_1002_and_does_not_echo_it()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendAsync(RawPeer.Encode(TextOp, Utf8("Hello, world!"), fin: true, rsv: 0, mask: true));
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    [Fact]
    public async Task Client_fails_masked_binary_frame_after_a_valid_one_with_1002_after_echoing_the_valid_one()
    {
        await using CaseRun run = await StartAsync();
        byte[] data = Hex("00FFFEFDFCFB00FF");
        await run.Peer.SendAsync(
            run.Peer.Frame(BinaryOp, data),
            RawPeer.Encode(BinaryOp, data, fin: true, rsv: 0, mask: true),
            run.Peer.Frame(PingOp, []));
        await run.ExpectFailureAsync(ProtocolError, [WireEvent.Binary(data)]);
    }

    [Fact]
    public async Task Client_fails_masked_ping_from_server_with_1002_and_no_pong()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendAsync(RawPeer.Encode(PingOp, Utf8("ping payload"), fin: true, rsv: 0, mask: true));
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    [Fact]
    public async Task Client_fails_masked_close_from_server_with_1002()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendAsync(RawPeer.Encode(CloseOp, RawPeer.ClosePayload(1000, []), fin: true, rsv: 0, mask: true));
        await run.ExpectCloseReplyAsync(ProtocolError, None);
    }

    [Fact]
    public async Task Client_fails_masked_continuation_inside_a_message_with_1002()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendAsync(
            run.Peer.Frame(TextOp, Utf8("fragment1"), fin: false),
            RawPeer.Encode(ContinuationOp, Utf8("fragment2"), fin: true, rsv: 0, mask: true));
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    [Fact]
    public async Task Client_keeps_tcp_open_after_answering_the_servers_close_until_the_server_closes_it()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendCloseAsync(1000);
        WireEvent? reply = await run.Peer.ReadEventAsync(CaseRun.EventTimeout, "the client's close reply");
        Assert.NotNull(reply);
        Assert.Equal(WireEventKind.Close, reply.Kind);
        Assert.Equal(1000, reply.CloseCode);

        // A second, far longer look than the per-case probe: the client must still be waiting.
        await run.ExpectSilenceAsync(TimeSpan.FromMilliseconds(750), "the client must leave closing TCP to the server");
        Assert.False(run.Client!.Completion.IsCompleted, "The client released its connection before the server closed TCP.");

        long started = Environment.TickCount64;
        await run.ExpectTcpCloseAfterHandshakeAsync();
        long elapsed = Environment.TickCount64 - started;
        Assert.True(elapsed < 3000, $"The client took {elapsed} ms to finish after the server closed TCP.");
        Assert.Equal(CloseStatus.NormalClosure, run.Client.CloseStatus);
    }

    [Fact]
    public async Task Client_keeps_tcp_open_after_failing_the_connection_until_the_server_closes_it()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(TextOp, Hex("CEBAE1BDB9CF83CEBCCEB5EDA080656469746564"));
        WireEvent? close = await run.Peer.ReadEventAsync(CaseRun.EventTimeout, "the client's close");
        Assert.NotNull(close);
        Assert.Equal(WireEventKind.Close, close.Kind);
        Assert.Equal(1007, close.CloseCode);
        await run.Peer.SendCloseAsync(1007);
        await run.ExpectSilenceAsync(TimeSpan.FromMilliseconds(750), "the client must leave closing TCP to the server");
        await run.ExpectTcpCloseAfterHandshakeAsync();
        Assert.Equal(CloseStatus.InvalidPayloadData, run.Client!.CloseStatus);
    }
}
