namespace Duplex.Tests.Conformance;

/// <summary>
/// Autobahn group 3, reserved bits: with no extension negotiated, any frame with RSV bits set
/// (values 1 to 7, on text, binary, ping and close frames) fails the connection with 1002 at
/// once. Where the case first sends a valid text message, its echo must arrive before the close,
/// and the ping sent after the bad frame must get no pong.
/// </summary>
public class Group3ReservedBitsTests : ConformanceTestBase
{
    private static readonly byte[] Hello = Utf8("Hello, world!");

    [Fact]
    public async Task Case_3_1_text_with_rsv_1_fails_with_1002()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(TextOp, Hello, rsv: 1);
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    [Fact]
    public async Task Case_3_2_text_then_text_with_rsv_2_then_ping_echoes_first_then_fails_with_1002_without_pong()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendAsync(
            run.Peer.Frame(TextOp, Hello),
            run.Peer.Frame(TextOp, Hello, rsv: 2),
            run.Peer.Frame(PingOp, []));
        await run.ExpectFailureAsync(ProtocolError, [WireEvent.Text(Hello)]);
    }

    [Fact]
    public async Task Case_3_3_rsv_3_sent_frame_by_frame_echoes_first_then_fails_with_1002_without_pong()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendEachAsync(
            run.Peer.Frame(TextOp, Hello),
            run.Peer.Frame(TextOp, Hello, rsv: 3),
            run.Peer.Frame(PingOp, []));
        await run.ExpectFailureAsync(ProtocolError, [WireEvent.Text(Hello)]);
    }

    [Fact]
    public async Task Case_3_4_rsv_4_sent_byte_by_byte_echoes_first_then_fails_with_1002_without_pong()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(TextOp, Hello, chop: 1);
        await run.Peer.SendFrameAsync(TextOp, Hello, rsv: 4, chop: 1);
        await run.Peer.SendFrameAsync(PingOp, [], chop: 1);
        await run.ExpectFailureAsync(ProtocolError, [WireEvent.Text(Hello)]);
    }

    [Fact]
    public async Task Case_3_5_binary_with_rsv_5_fails_with_1002()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(BinaryOp, Hex("00FFFEFDFCFB00FF"), rsv: 5);
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    [Fact]
    public async Task Case_3_6_ping_with_rsv_6_fails_with_1002_and_no_pong()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(PingOp, Hello, rsv: 6);
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    [Fact]
    public async Task Case_3_6_binary_variant_with_rsv_6_fails_with_1002()
    {
        // Later revisions of the suite send this case's frame as binary rather than ping.
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(BinaryOp, Hello, rsv: 6);
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    [Fact]
    public async Task Case_3_7_close_with_rsv_7_fails_with_1002()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(CloseOp, [], rsv: 7);
        await run.ExpectFailureAsync(ProtocolError, None);
    }
}
