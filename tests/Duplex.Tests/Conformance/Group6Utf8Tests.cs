namespace Duplex.Tests.Conformance;

/// <summary>
/// Autobahn group 6, UTF-8 handling: empty and valid text (whole, in fragments, split inside
/// code points) is echoed exactly; invalid text fails the connection with 1007, and fails it
/// fast — as soon as the bytes received cannot be valid, even in the middle of a frame, before
/// the rest of the message is sent (6.4.x).
/// </summary>
public class Group6Utf8Tests : ConformanceTestBase
{
    /// <summary>"Hello-µ@ßöäüàá-UTF-8!!"</summary>
    private static readonly byte[] HelloUtf8 = Utf8("Hello-\u00B5@\u00DF\u00F6\u00E4\u00FC\u00E0\u00E1-UTF-8!!");

    /// <summary>"κόσμε"</summary>
    private static readonly byte[] Kosme = Hex("CEBAE1BDB9CF83CEBCCEB5");

    /// <summary>κόσμε, then a UTF-16 surrogate (invalid at its second byte, message byte 12), then "edited".</summary>
    private static readonly byte[] KosmeSurrogateEdited = Hex("CEBAE1BDB9CF83CEBCCEB5" + "EDA080" + "656469746564");

    /// <summary>κόσμε, then F4 90 80 80 (above U+10FFFF, invalid at its second byte, message byte 12), then "edited".</summary>
    private static readonly byte[] KosmeBeyondUnicodeEdited = Hex("CEBAE1BDB9CF83CEBCCEB5" + "F4908080" + "656469746564");

    /// <summary>How long a fail-fast case waits to see that a valid prefix is not rejected (the suite waits 1 s).</summary>
    private static readonly TimeSpan ValidPrefixWindow = TimeSpan.FromMilliseconds(300);

    /// <summary>How soon the close must follow the byte that makes the text invalid; the rest is never sent.</summary>
    private static readonly TimeSpan FailFastWithin = TimeSpan.FromSeconds(2);

    private async Task FragmentsAsync(byte[] expected, params byte[][] fragments)
    {
        await using CaseRun run = await StartAsync();
        byte[][] frames = fragments
            .Select((f, i) => run.Peer.Frame(i == 0 ? TextOp : ContinuationOp, f, fin: i == fragments.Length - 1))
            .ToArray();
        await run.Peer.SendAsync(frames);
        await run.EchoThenCloseAsync(WireEvent.Text(expected));
    }

    private static byte[][] Bytewise(byte[] payload) => payload.Select(b => new[] { b }).ToArray();

    [Fact]
    public Task Case_6_1_1_empty_text_is_echoed() => FragmentsAsync([], [[]]);

    [Fact]
    public Task Case_6_1_2_three_empty_fragments_are_echoed_as_empty_text() => FragmentsAsync([], [], [], []);

    [Fact]
    public Task Case_6_1_3_empty_nonempty_empty_fragments_are_echoed_as_the_middle_payload() =>
        FragmentsAsync(Utf8("middle frame payload"), [], Utf8("middle frame payload"), []);

    [Fact]
    public Task Case_6_2_1_valid_utf8_text_is_echoed() => FragmentsAsync(HelloUtf8, HelloUtf8);

    [Fact]
    public Task Case_6_2_2_valid_utf8_text_in_two_fragments_split_on_a_code_point_boundary_is_echoed() =>
        FragmentsAsync(HelloUtf8, Utf8("Hello-\u00B5@\u00DF\u00F6\u00E4"), Utf8("\u00FC\u00E0\u00E1-UTF-8!!"));

    [Fact]
    public Task Case_6_2_3_valid_utf8_text_in_one_byte_fragments_is_echoed() => FragmentsAsync(HelloUtf8, Bytewise(HelloUtf8));

    [Fact]
    public Task Case_6_2_4_kosme_in_one_byte_fragments_is_echoed() => FragmentsAsync(Kosme, Bytewise(Kosme));

    [Fact]
    public async Task Case_6_3_1_invalid_utf8_text_fails_with_1007()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(TextOp, KosmeSurrogateEdited);
        await run.ExpectFailureAsync(InvalidPayload, None);
    }

    [Fact]
    public async Task Case_6_3_2_invalid_utf8_text_in_one_byte_fragments_fails_with_1007()
    {
        await using CaseRun run = await StartAsync();
        byte[][] fragments = Bytewise(KosmeSurrogateEdited);
        await run.Peer.SendAsync(fragments
            .Select((f, i) => run.Peer.Frame(i == 0 ? TextOp : ContinuationOp, f, fin: i == fragments.Length - 1))
            .ToArray());
        await run.ExpectFailureAsync(InvalidPayload, None);
    }

    [Fact]
    public async Task Case_6_4_1_invalid_code_point_in_second_of_three_frames_fails_fast_with_1007()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(TextOp, KosmeBeyondUnicodeEdited[..11], fin: false);
        await run.ExpectSilenceAsync(ValidPrefixWindow, "the first frame is valid UTF-8 so far");
        await run.Peer.SendFrameAsync(ContinuationOp, KosmeBeyondUnicodeEdited[11..15], fin: false);
        await run.ExpectFailureAsync(InvalidPayload, None, within: FailFastWithin);
    }

    [Fact]
    public async Task Case_6_4_2_second_frame_holding_only_the_invalidating_byte_fails_fast_with_1007()
    {
        await using CaseRun run = await StartAsync();
        await run.Peer.SendFrameAsync(TextOp, KosmeBeyondUnicodeEdited[..12], fin: false);
        await run.ExpectSilenceAsync(ValidPrefixWindow, "the first frame (ending in a lead byte F4) is valid UTF-8 so far");
        await run.Peer.SendFrameAsync(ContinuationOp, KosmeBeyondUnicodeEdited[12..13], fin: false);
        await run.ExpectFailureAsync(InvalidPayload, None, within: FailFastWithin);
    }

    private async Task OneFrameInChopsAsync(int firstChop, int secondChop)
    {
        await using CaseRun run = await StartAsync();
        byte[] frame = run.Peer.Frame(TextOp, KosmeBeyondUnicodeEdited);
        int header = frame.Length - KosmeBeyondUnicodeEdited.Length;
        await run.Peer.SendAsync(frame[..(header + firstChop)]);
        await run.ExpectSilenceAsync(ValidPrefixWindow, "the frame's payload so far is valid UTF-8");
        await run.Peer.SendAsync(frame[(header + firstChop)..(header + firstChop + secondChop)]);

        // The rest of the frame is not sent: the close must come in the middle of the frame.
        await run.ExpectFailureAsync(InvalidPayload, None, within: FailFastWithin);
    }

    [Fact]
    public Task Case_6_4_3_invalid_code_point_in_the_middle_of_a_frame_fails_fast_with_1007_before_the_frame_ends() =>
        OneFrameInChopsAsync(firstChop: 11, secondChop: 4);

    [Fact]
    public Task Case_6_4_4_invalidating_byte_in_the_middle_of_a_frame_fails_fast_with_1007_before_the_frame_ends() =>
        OneFrameInChopsAsync(firstChop: 12, secondChop: 1);

    [Theory]
    [MemberData(nameof(Utf8Sequences.All), MemberType = typeof(Utf8Sequences))]
    public async Task Case_6_5_to_6_23_text_is_echoed_when_valid_utf8_else_fails_with_1007(string caseId, string hex, bool valid)
    {
        await using CaseRun run = await StartAsync();
        byte[] payload = Hex(hex);
        await run.Peer.SendFrameAsync(TextOp, payload);
        await ExpectVerdictAsync(run, caseId, payload, valid);
    }

    /// <summary>Not an Autobahn case: the same vectors, each byte in its own frame, must be judged the same way.</summary>
    [Theory]
    [MemberData(nameof(Utf8Sequences.All), MemberType = typeof(Utf8Sequences))]
    public async Task Case_6_5_to_6_23_vectors_sent_one_byte_per_frame_are_judged_the_same(string caseId, string hex, bool valid)
    {
        await using CaseRun run = await StartAsync();
        byte[] payload = Hex(hex);
        byte[][] fragments = Bytewise(payload);
        await run.Peer.SendAsync(fragments
            .Select((f, i) => run.Peer.Frame(i == 0 ? TextOp : ContinuationOp, f, fin: i == fragments.Length - 1))
            .ToArray());
        await ExpectVerdictAsync(run, caseId, payload, valid);
    }

    private static async Task ExpectVerdictAsync(CaseRun run, string caseId, byte[] payload, bool valid)
    {
        Assert.False(string.IsNullOrEmpty(caseId));
        if (valid)
        {
            await run.EchoThenCloseAsync(WireEvent.Text(payload));
        }
        else
        {
            await run.ExpectFailureAsync(InvalidPayload, None);
        }
    }
}
