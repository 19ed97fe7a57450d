namespace Duplex.Tests.Conformance;

/// <summary>
/// Autobahn group 5, fragmentation: control frames may not be fragmented (1002); a fragmented
/// text message is echoed whole, with pings between its fragments answered at once; a
/// continuation with nothing to continue, or a new data frame inside a fragmented message,
/// fails with 1002. "One chop" sends the frames in one write, "frame by frame" one write per
/// frame, "byte by byte" one write per byte.
/// </summary>
public class Group5FragmentationTests : ConformanceTestBase
{
    private static readonly byte[] Fragment1 = Utf8("fragment1");
    private static readonly byte[] Fragment2 = Utf8("fragment2");
    private static readonly byte[] PingPayload = Utf8("ping payload");

    private enum Chops
    {
        One,
        FrameByFrame,
        ByteByByte,
    }

    private static async Task SendAsync(CaseRun run, Chops chops, params (int Opcode, byte[] Payload, bool Fin)[] frames)
    {
        byte[][] encoded = frames.Select(f => run.Peer.Frame(f.Opcode, f.Payload, f.Fin)).ToArray();
        switch (chops)
        {
            case Chops.One:
                await run.Peer.SendAsync(encoded);
                break;
            case Chops.FrameByFrame:
                await run.Peer.SendEachAsync(encoded);
                break;
            default:
                foreach (byte[] frame in encoded)
                {
                    await run.Peer.SendAsync(frame, chop: 1);
                }

                break;
        }
    }

    [Fact]
    public async Task Case_5_1_fragmented_ping_fails_with_1002()
    {
        await using CaseRun run = await StartAsync();
        await SendAsync(run, Chops.One, (PingOp, Fragment1, false), (ContinuationOp, Fragment2, true));
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    [Fact]
    public async Task Case_5_2_fragmented_pong_fails_with_1002()
    {
        await using CaseRun run = await StartAsync();
        await SendAsync(run, Chops.One, (PongOp, Fragment1, false), (ContinuationOp, Fragment2, true));
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    private async Task TwoFragmentsAsync(Chops chops)
    {
        await using CaseRun run = await StartAsync();
        await SendAsync(run, chops, (TextOp, Fragment1, false), (ContinuationOp, Fragment2, true));
        await run.EchoThenCloseAsync(WireEvent.Text("fragment1fragment2"));
    }

    [Fact]
    public Task Case_5_3_text_in_two_fragments_is_echoed_whole() => TwoFragmentsAsync(Chops.One);

    [Fact]
    public Task Case_5_4_text_in_two_fragments_sent_frame_by_frame_is_echoed_whole() => TwoFragmentsAsync(Chops.FrameByFrame);

    [Fact]
    public Task Case_5_5_text_in_two_fragments_sent_byte_by_byte_is_echoed_whole() => TwoFragmentsAsync(Chops.ByteByByte);

    private async Task PingBetweenFragmentsAsync(Chops chops)
    {
        await using CaseRun run = await StartAsync();
        await SendAsync(run, chops, (TextOp, Fragment1, false), (PingOp, PingPayload, true), (ContinuationOp, Fragment2, true));
        await run.EchoThenCloseAsync(WireEvent.Pong(PingPayload), WireEvent.Text("fragment1fragment2"));
    }

    [Fact]
    public Task Case_5_6_ping_between_fragments_is_answered_before_the_echo() => PingBetweenFragmentsAsync(Chops.One);

    [Fact]
    public Task Case_5_7_ping_between_fragments_sent_frame_by_frame_is_answered_before_the_echo() => PingBetweenFragmentsAsync(Chops.FrameByFrame);

    [Fact]
    public Task Case_5_8_ping_between_fragments_sent_byte_by_byte_is_answered_before_the_echo() => PingBetweenFragmentsAsync(Chops.ByteByByte);

    private async Task NothingToContinueAsync(bool fin, Chops chops)
    {
        await using CaseRun run = await StartAsync();
        await SendAsync(run, chops, (ContinuationOp, Utf8("non-continuation payload"), fin), (TextOp, Utf8("Hello, world!"), true));
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    [Fact]
    public Task Case_5_9_continuation_with_fin_and_nothing_to_continue_fails_with_1002() => NothingToContinueAsync(fin: true, Chops.One);

    [Fact]
    public Task Case_5_10_continuation_with_fin_and_nothing_to_continue_sent_frame_by_frame_fails_with_1002() => NothingToContinueAsync(fin: true, Chops.FrameByFrame);

    [Fact]
    public Task Case_5_11_continuation_with_fin_and_nothing_to_continue_sent_byte_by_byte_fails_with_1002() => NothingToContinueAsync(fin: true, Chops.ByteByByte);

    [Fact]
    public Task Case_5_12_continuation_without_fin_and_nothing_to_continue_fails_with_1002() => NothingToContinueAsync(fin: false, Chops.One);

    [Fact]
    public Task Case_5_13_continuation_without_fin_and_nothing_to_continue_sent_frame_by_frame_fails_with_1002() => NothingToContinueAsync(fin: false, Chops.FrameByFrame);

    [Fact]
    public Task Case_5_14_continuation_without_fin_and_nothing_to_continue_sent_byte_by_byte_fails_with_1002() => NothingToContinueAsync(fin: false, Chops.ByteByByte);

    [Fact]
    public async Task Case_5_15_continuation_after_a_complete_fragmented_message_echoes_it_then_fails_with_1002()
    {
        await using CaseRun run = await StartAsync();
        await SendAsync(
            run,
            Chops.One,
            (TextOp, Fragment1, false),
            (ContinuationOp, Fragment2, true),
            (ContinuationOp, Utf8("fragment3"), false),
            (TextOp, Utf8("fragment4"), true));
        await run.ExpectFailureAsync(ProtocolError, [WireEvent.Text("fragment1fragment2")]);
    }

    private async Task RepeatedNothingToContinueAsync(bool firstFin)
    {
        await using CaseRun run = await StartAsync();
        var frames = new List<(int, byte[], bool)>();
        for (int i = 0; i < 2; i++)
        {
            frames.Add((ContinuationOp, Fragment1, firstFin));
            frames.Add((TextOp, Fragment2, false));
            frames.Add((ContinuationOp, Utf8("fragment3"), true));
        }

        await SendAsync(run, Chops.One, [.. frames]);
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    [Fact]
    public Task Case_5_16_continuation_without_fin_first_repeated_twice_fails_with_1002() => RepeatedNothingToContinueAsync(firstFin: false);

    [Fact]
    public Task Case_5_17_continuation_with_fin_first_repeated_twice_fails_with_1002() => RepeatedNothingToContinueAsync(firstFin: true);

    [Fact]
    public async Task Case_5_18_text_frame_inside_a_fragmented_text_message_fails_with_1002()
    {
        await using CaseRun run = await StartAsync();
        await SendAsync(run, Chops.One, (TextOp, Fragment1, false), (TextOp, Fragment2, true));
        await run.ExpectFailureAsync(ProtocolError, None);
    }

    private async Task PingsWhileFragmentingAsync(Chops chops)
    {
        await using CaseRun run = await StartAsync();
        await SendAsync(run, chops, (TextOp, Fragment1, false), (ContinuationOp, Fragment2, false), (PingOp, Utf8("pongme 1!"), true));

        // The first pong must come before the message is finished (the suite waits a second here).
        await run.ExpectEventsAsync(WireEvent.Pong("pongme 1!"));
        await SendAsync(
            run,
            chops,
            (ContinuationOp, Utf8("fragment3"), false),
            (ContinuationOp, Utf8("fragment4"), false),
            (PingOp, Utf8("pongme 2!"), true),
            (ContinuationOp, Utf8("fragment5"), true));
        await run.EchoThenCloseAsync(WireEvent.Pong("pongme 2!"), WireEvent.Text("fragment1fragment2fragment3fragment4fragment5"));
    }

    [Fact]
    public Task Case_5_19_pings_between_fragments_are_answered_at_once_and_the_message_is_echoed_whole() => PingsWhileFragmentingAsync(Chops.One);

    [Fact]
    public Task Case_5_20_same_as_5_19_sent_frame_by_frame() => PingsWhileFragmentingAsync(Chops.FrameByFrame);
}
