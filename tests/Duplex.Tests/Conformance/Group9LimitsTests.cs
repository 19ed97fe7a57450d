namespace Duplex.Tests.Conformance;

/// <summary>
/// Autobahn group 9, limits and performance, bounded for a unit-test run: large text and binary
/// messages in one frame (9.1/9.2, 64 KiB to 16 MiB), a 4 MiB message in fragments of 64 B to
/// 4 MiB (9.3/9.4), and a 1 MiB message written in chops of 64 B to 2 KiB (9.5/9.6). Each must
/// come back as one message of the same type with the same bytes (the suite itself checks only
/// the length), followed by a clean close with 1000. Sending runs alongside reading, as it does
/// on a real socket.
/// </summary>
public class Group9LimitsTests : ConformanceTestBase
{
    private static readonly byte[] TextPattern = Utf8("BAsd7&jh23");
    private static readonly byte[] BinaryPattern = Hex("00FE23FAF0");

    private static readonly int[] SingleFrameLengths = [64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024, 8 * 1024 * 1024, 16 * 1024 * 1024];

    private static readonly int[] FragmentLengths = [64, 256, 1024, 4 * 1024, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

    private static readonly int[] ChopLengths = [64, 128, 256, 512, 1024, 2048];

    /// <summary>Numbers the sizes of a subgroup as its cases: ("9.3.1", 64), ("9.3.2", 256), ...</summary>
    private static TheoryData<string, int> Numbered(int subgroup, int[] sizes)
    {
        var data = new TheoryData<string, int>();
        for (int i = 0; i < sizes.Length; i++)
        {
            data.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"9.{subgroup}.{i + 1}"), sizes[i]);
        }

        return data;
    }

    public static TheoryData<string, int> Cases_9_1 => Numbered(1, SingleFrameLengths);

    public static TheoryData<string, int> Cases_9_2 => Numbered(2, SingleFrameLengths);

    public static TheoryData<string, int> Cases_9_3 => Numbered(3, FragmentLengths);

    public static TheoryData<string, int> Cases_9_4 => Numbered(4, FragmentLengths);

    public static TheoryData<string, int> Cases_9_5 => Numbered(5, ChopLengths);

    public static TheoryData<string, int> Cases_9_6 => Numbered(6, ChopLengths);

    private async Task EchoAsync(bool text, int length, int? fragmentSize = null, int? chop = null)
    {
        byte[] payload = text ? Repeat((byte)'*', length) : Pattern(BinaryPattern, length);
        if (text && fragmentSize is null)
        {
            payload = Pattern(TextPattern, length);
        }

        int opcode = text ? TextOp : BinaryOp;
        await using CaseRun run = await StartAsync();
        byte[] wire = fragmentSize is int size ? run.Peer.Fragments(opcode, payload, size) : run.Peer.Frame(opcode, payload);
        Task sending = run.Peer.SendAsync(wire, chop);
        await run.ExpectEventsAsync(text ? WireEvent.Text(payload) : WireEvent.Binary(payload));
        await sending;
        await run.Peer.SendCloseAsync(1000);
        await run.ExpectCloseReplyAsync(Normal, run.Received.ToArray());
    }

    [Theory]
    [MemberData(nameof(Cases_9_1))]
    public Task Case_9_1_x_large_text_message_is_echoed(string caseId, int length)
    {
        Assert.StartsWith("9.", caseId, StringComparison.Ordinal);
        return EchoAsync(text: true, length);
    }

    [Theory]
    [MemberData(nameof(Cases_9_2))]
    public Task Case_9_2_x_large_binary_message_is_echoed(string caseId, int length)
    {
        Assert.StartsWith("9.", caseId, StringComparison.Ordinal);
        return EchoAsync(text: false, length);
    }

    [Theory]
    [MemberData(nameof(Cases_9_3))]
    public Task Case_9_3_x_4_MiB_text_message_in_fragments_is_echoed(string caseId, int fragmentSize)
    {
        Assert.StartsWith("9.", caseId, StringComparison.Ordinal);
        return EchoAsync(text: true, 4 * 1024 * 1024, fragmentSize: fragmentSize);
    }

    [Theory]
    [MemberData(nameof(Cases_9_4))]
    public Task Case_9_4_x_4_MiB_binary_message_in_fragments_is_echoed(string caseId, int fragmentSize)
    {
        Assert.StartsWith("9.", caseId, StringComparison.Ordinal);
        return EchoAsync(text: false, 4 * 1024 * 1024, fragmentSize: fragmentSize);
    }

    [Theory]
    [MemberData(nameof(Cases_9_5))]
    public Task Case_9_5_x_1_MiB_text_message_written_in_chops_is_echoed(string caseId, int chop)
    {
        Assert.StartsWith("9.", caseId, StringComparison.Ordinal);
        return EchoAsync(text: true, 1024 * 1024, chop: chop);
    }

    [Theory]
    [MemberData(nameof(Cases_9_6))]
    public Task Case_9_6_x_1_MiB_binary_message_written_in_chops_is_echoed(string caseId, int chop)
    {
        Assert.StartsWith("9.", caseId, StringComparison.Ordinal);
        return EchoAsync(text: false, 1024 * 1024, chop: chop);
    }
}
