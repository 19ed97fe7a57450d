namespace Duplex.Tests.Conformance;

/// <summary>
/// Autobahn group 12, permessage-deflate with the default offer: for each kind of data (12.1
/// JSON text, 12.2 bitmap, 12.3 German text sent as binary, 12.4 HTML text, 12.5 incompressible
/// bytes; generated stand-ins for the suite's files, see <see cref="CompressionTestData"/>) and
/// each of the 18 message sizes and auto-fragment sizes, a series of messages is sent
/// compressed and each echo must come back with the same type, length and SHA-1, compressed
/// where Duplex's policy says so, within the negotiated window and context; then a clean close
/// with 1000. The suite sends 1000 messages a case; this sends fewer (<see cref="CompressionCases.Count"/>).
/// Against the server the raw client sends the suite's default offer
/// (<c>permessage-deflate; client_no_context_takeover; client_max_window_bits</c>); against the
/// client the fake server accepts the Duplex client's offer as it stands. Duplex runs with the
/// default <see cref="PerMessageDeflateOptions"/>.
/// </summary>
public class Group12CompressionTests : ConformanceTestBase
{
    public static TheoryData<string, int, int> Cases_12_1 => CompressionCases.Numbered("12.1");

    public static TheoryData<string, int, int> Cases_12_2 => CompressionCases.Numbered("12.2");

    public static TheoryData<string, int, int> Cases_12_3 => CompressionCases.Numbered("12.3");

    public static TheoryData<string, int, int> Cases_12_4 => CompressionCases.Numbered("12.4");

    public static TheoryData<string, int, int> Cases_12_5 => CompressionCases.Numbered("12.5");

    /// <summary>Runs one case of <paramref name="subgroup"/> (its id must start with that number) with <paramref name="data"/>.</summary>
    private async Task RunAsync(string subgroup, string caseId, CompressionTestData data, int length, int autoFragment)
    {
        Assert.StartsWith($"{subgroup}.", caseId, StringComparison.Ordinal);
        await using CompressionCaseRun run = await CompressionCaseRun.StartAsync(Side, caseId, CompressionSetting.Default, new PerMessageDeflateOptions());
        await run.EchoMessagesAsync(data, length, autoFragment, CompressionCases.Count(length));
        await run.CloseNormallyAsync();
    }

    [Theory]
    [MemberData(nameof(Cases_12_1))]
    public Task Case_12_1_x_json_text_is_echoed_compressed(string caseId, int length, int autoFragment) =>
        RunAsync("12.1", caseId, CompressionTestData.Json, length, autoFragment);

    [Theory]
    [MemberData(nameof(Cases_12_2))]
    public Task Case_12_2_x_bitmap_is_echoed_compressed(string caseId, int length, int autoFragment) =>
        RunAsync("12.2", caseId, CompressionTestData.Bitmap, length, autoFragment);

    [Theory]
    [MemberData(nameof(Cases_12_3))]
    public Task Case_12_3_x_german_text_as_binary_is_echoed_compressed(string caseId, int length, int autoFragment) =>
        RunAsync("12.3", caseId, CompressionTestData.German, length, autoFragment);

    [Theory]
    [MemberData(nameof(Cases_12_4))]
    public Task Case_12_4_x_html_text_is_echoed_compressed(string caseId, int length, int autoFragment) =>
        RunAsync("12.4", caseId, CompressionTestData.Html, length, autoFragment);

    [Theory]
    [MemberData(nameof(Cases_12_5))]
    public Task Case_12_5_x_incompressible_bytes_are_echoed_compressed(string caseId, int length, int autoFragment) =>
        RunAsync("12.5", caseId, CompressionTestData.Random, length, autoFragment);
}
