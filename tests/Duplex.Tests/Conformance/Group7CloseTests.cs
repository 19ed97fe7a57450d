namespace Duplex.Tests.Conformance;

/// <summary>
/// Autobahn group 7, the closing handshake: nothing that follows a close frame is processed
/// (no echo, no pong); a close is answered with the same code (or 1000) and then TCP is closed by
/// the server; close payloads are checked: 1 byte, a reason longer than 123 bytes, a reason that
/// is not UTF-8, and codes that may not be sent (7.9.x) fail with 1002 or 1007, while every
/// code that may be sent (7.7.x) is accepted.
/// </summary>
public class Group7CloseTests : ConformanceTestBase
{
    private static readonly byte[] HelloWorld = Utf8("Hello World!");

    public static TheoryData<string, int> ValidCodes { get; } = new()
    {
        { "7.7.1", 1000 }, { "7.7.2", 1001 }, { "7.7.3", 1002 }, { "7.7.4", 1003 }, { "7.7.5", 1007 },
        { "7.7.6", 1008 }, { "7.7.7", 1009 }, { "7.7.8", 1010 }, { "7.7.9", 1011 }, { "7.7.10", 3000 },
        { "7.7.11", 3999 }, { "7.7.12", 4000 }, { "7.7.13", 4999 },
    };

    public static TheoryData<string, int> InvalidCodes { get; } = new()
    {
        { "7.9.1", 0 }, { "7.9.2", 999 }, { "7.9.3", 1004 }, { "7.9.4", 1005 }, { "7.9.5", 1006 },
        { "7.9.6", 1016 }, { "7.9.7", 1100 }, { "7.9.8", 2000 }, { "7.9.9", 2999 },
    };

    [Fact]
    public async Task Case_7_1_1_text_then_close_gets_echo_then_clean_close_with_1000()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(TextOp, HelloWorld);
        await run.EchoThenCloseAsync(WireEvent.Text(HelloWorld));
    }

    [Fact]
    public async Task Case_7_1_2_second_close_frame_is_ignored()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendAsync(run.Peer.Frame(CloseOp, RawPeerClose(1000)), run.Peer.Frame(CloseOp, []));
        await run.ExpectCloseReplyAsync(Normal, None);
    }

    [Fact]
    public async Task Case_7_1_3_ping_after_close_gets_no_pong()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendAsync(run.Peer.Frame(CloseOp, RawPeerClose(1000)), run.Peer.Frame(PingOp, []));
        await run.ExpectCloseReplyAsync(Normal, None);
    }

    [Fact]
    public async Task Case_7_1_4_text_after_close_is_not_echoed()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendAsync(run.Peer.Frame(CloseOp, RawPeerClose(1000)), run.Peer.Frame(TextOp, HelloWorld));
        await run.ExpectCloseReplyAsync(Normal, None);
    }

    [Fact]
    public async Task Case_7_1_5_fragment_then_close_then_last_fragment_is_not_echoed()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendAsync(
            run.Peer.Frame(TextOp, Utf8("fragment1"), fin: false),
            run.Peer.Frame(CloseOp, RawPeerClose(1000)),
            run.Peer.Frame(ContinuationOp, Utf8("fragment2")));
        await run.ExpectCloseReplyAsync(Normal, None);
    }

    [Fact]
    public async Task Case_7_1_6_large_text_then_text_then_close_then_ping_closes_cleanly_with_1000()
    {
        // Informational in the suite: the echoes may or may not come before the close. Whatever
        // is echoed must be exact and in order, the ping after the close gets no pong, and the
        // closing handshake is clean.
        await using CaseRun run = await StartAsync();
        byte[] large = Pattern(Utf8("BAsd7&jh23"), 256 * 1024);
        Task sending = run.Peer.SendAsync(
            run.Peer.Frame(TextOp, large),
            run.Peer.Frame(TextOp, HelloWorld),
            run.Peer.Frame(CloseOp, RawPeerClose(1000)),
            run.Peer.Frame(PingOp, []));
        WireEvent[][] allowed = [[], [WireEvent.Text(large)], [WireEvent.Text(large), WireEvent.Text(HelloWorld)]];
        var received = new List<WireEvent>();
        WireEvent? close = null;
        while (close is null)
        {
            WireEvent ev = await run.Peer.ReadEventAsync(CaseRun.EventTimeout, "the echoes and the close") ?? throw new IOException("TCP closed before the close frame.");
            if (ev.Kind == WireEventKind.Close)
            {
                close = ev;
            }
            else
            {
                received.Add(ev);
            }
        }

        await sending;
        Assert.True(allowed.Any(a => WireEvent.SameLists(a, received)), $"Unexpected events before the close: {WireEvent.Describe(received)}");
        Assert.Equal(1000, close.CloseCode);
        run.Received.AddRange(received);

        // Hand the rest (TCP closing order) to the usual check, with nothing more expected.
        await run.ExpectTcpCloseAfterHandshakeAsync();
    }

    [Fact]
    public async Task Case_7_3_1_close_without_payload_is_answered_and_closed_cleanly()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(CloseOp, []);

        // The suite wants 1000 or no code at all (reported as 1005) in the answer.
        await run.ExpectCloseReplyAsync([1000, 1005], None);
    }

    [Fact]
    public async Task Case_7_3_2_close_with_1_byte_payload_fails_with_1002()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(CloseOp, Utf8("a"));
        await run.ExpectCloseReplyAsync(ProtocolError, None);
    }

    [Fact]
    public async Task Case_7_3_3_close_with_code_1000_is_answered_with_1000()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendCloseAsync(1000);
        await run.ExpectCloseReplyAsync(Normal, None);
    }

    [Fact]
    public async Task Case_7_3_4_close_with_code_and_reason_is_answered_with_1000()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendCloseAsync(1000, "Hello World!");
        await run.ExpectCloseReplyAsync(Normal, None);
    }

    [Fact]
    public async Task Case_7_3_5_close_with_123_byte_reason_is_answered_with_1000()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendCloseAsync(1000, new string('*', 123));
        await run.ExpectCloseReplyAsync(Normal, None);
    }

    [Fact]
    public async Task Case_7_3_6_close_with_124_byte_reason_payload_126_fails_with_1002()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(CloseOp, RawPeer.ClosePayload(1000, Repeat((byte)'*', 124)));
        await run.ExpectCloseReplyAsync(ProtocolError, None);
    }

    [Fact]
    public async Task Case_7_5_1_close_with_invalid_utf8_reason_fails_with_1007()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(CloseOp, RawPeer.ClosePayload(1000, Hex("CEBAE1BDB9CF83CEBCCEB5EDA080656469746564")));
        await run.ExpectCloseReplyAsync(InvalidPayload, None);
    }

    [Theory]
    [MemberData(nameof(ValidCodes))]
    public async Task Case_7_7_x_close_with_valid_code_is_answered_with_that_code_or_1000(string caseId, int code)
    {
        Assert.StartsWith("7.7.", caseId, StringComparison.Ordinal);
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(CloseOp, RawPeerClose(code));
        await run.ExpectCloseReplyAsync([1000, code], None);
    }

    [Theory]
    [MemberData(nameof(InvalidCodes))]
    public async Task Case_7_9_x_close_with_invalid_code_fails_with_1002(string caseId, int code)
    {
        Assert.StartsWith("7.9.", caseId, StringComparison.Ordinal);
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(CloseOp, RawPeerClose(code));
        await run.ExpectCloseReplyAsync(ProtocolError, None);
    }

    [Theory]
    [InlineData("7.13.1", 5000)]
    [InlineData("7.13.2", 65535)]
    public async Task Case_7_13_x_close_with_code_above_4999_is_answered_with_1000_that_code_or_1002(string caseId, int code)
    {
        // Informational in the suite (the RFC does not define these codes): any of the three
        // answers is accepted, but the closing handshake must still end properly.
        Assert.StartsWith("7.13.", caseId, StringComparison.Ordinal);
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(CloseOp, RawPeerClose(code));
        await run.ExpectCloseReplyAsync([1000, code, 1002], None);
    }

    private static byte[] RawPeerClose(int code) => RawPeer.ClosePayload(code, []);
}
