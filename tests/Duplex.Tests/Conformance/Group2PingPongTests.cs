namespace Duplex.Tests.Conformance;

/// <summary>
/// Autobahn group 2, pings and pongs: every ping (0 to 125 bytes, text or binary payload, whole or
/// byte by byte) is answered by exactly one pong with the same payload, in order; a ping of 126
/// bytes fails the connection with 1002 and gets no pong; an unsolicited pong gets nothing.
/// </summary>
public class Group2PingPongTests : ConformanceTestBase
{
    private async Task PingAsync(byte[] payload, int? chop = null)
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(PingOp, payload, chop: chop);
        await run.EchoThenCloseAsync(WireEvent.Pong(payload));
    }

    [Fact]
    public Task Case_2_1_ping_without_payload_gets_empty_pong() => PingAsync([]);

    [Fact]
    public Task Case_2_2_ping_with_small_text_payload_gets_same_pong() => PingAsync(Utf8("Hello, world!"));

    [Fact]
    public Task Case_2_3_ping_with_small_binary_payload_gets_same_pong() => PingAsync(Hex("00FFFEFDFCFB00FF"));

    [Fact]
    public Task Case_2_4_ping_with_125_byte_payload_gets_same_pong() => PingAsync(Repeat(0xFE, 125));

    [Fact]
    public async Task Case_2_5_ping_with_126_byte_payload_fails_with_1002_and_no_pong()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(PingOp, Repeat(0xFE, 126));
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    [Fact]
    public Task Case_2_6_ping_with_125_byte_payload_sent_byte_by_byte_gets_same_pong() => PingAsync(Repeat(0xFE, 125), chop: 1);

    [Fact]
    public async Task Case_2_7_unsolicited_empty_pong_is_ignored()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(PongOp, []);
        await run.Peer.SendCloseAsync(1000);
        await run.ExpectCloseReplyAsync(Normal, None);
    }

    [Fact]
    public async Task Case_2_8_unsolicited_pong_with_payload_is_ignored()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(PongOp, Utf8("unsolicited pong payload"));
        await run.Peer.SendCloseAsync(1000);
        await run.ExpectCloseReplyAsync(Normal, None);
    }

    [Fact]
    public async Task Case_2_9_unsolicited_pong_then_ping_gets_only_the_pong_for_the_ping()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(PongOp, Utf8("unsolicited pong payload"));
        await run.Peer.SendFrameAsync(PingOp, Utf8("ping payload"));
        await run.EchoThenCloseAsync(WireEvent.Pong("ping payload"));
    }

    private async Task TenPingsAsync(int? chop)
    {
        await using CaseRun run = await StartAsync();
        var expected = new WireEvent[10];
        for (int i = 0; i < 10; i++)
        {
            string payload = $"payload-{i}";
            expected[i] = WireEvent.Pong(payload);
            await run.Peer.SendFrameAsync(PingOp, Utf8(payload), chop: chop);
        }

        await run.EchoThenCloseAsync(expected);
    }

    [Fact]
    public Task Case_2_10_ten_pings_get_ten_pongs_in_order() => TenPingsAsync(chop: null);

    [Fact]
    public Task Case_2_11_ten_pings_sent_byte_by_byte_get_ten_pongs_in_order() => TenPingsAsync(chop: 1);
}
