namespace Duplex.Tests.Conformance;

/// <summary>
/// Autobahn group 13, permessage-deflate parameters, with the JSON data and the 18 message
/// sizes of group 12 (fewer messages per case, see <see cref="CompressionCases.Count"/>). Each
/// subgroup pairs what the suite's client offers, as (server_no_context_takeover,
/// server_max_window_bits) with 0 for none, with how the suite's server accepts, as
/// (client_no_context_takeover, client_max_window_bits):
/// 13.1 [(False, 0)] / [(False, 0)]; 13.2 [(True, 0)] / [(True, 0)]; 13.3 [(False, 8)] / [(False, 8)];
/// 13.4 [(False, 15)] / [(False, 15)]; 13.5 [(True, 8)] / [(True, 8)]; 13.6 [(True, 15)] / [(True, 15)];
/// 13.7 the three offers [(True, 8), (True, 0), (False, 0)] / accept 13.5's, else 13.2's, else 13.1's.
/// Against the Duplex server the raw client sends the offers and requires an answer that
/// accepts one of them (an offered server_no_context_takeover answered, an offered
/// server_max_window_bits answered with that value or less — declining is the suite's
/// UNIMPLEMENTED, a failure here), then checks that Duplex compresses as it answered: within
/// the window, and with no context takeover each message inflating with a fresh inflater.
/// Against the Duplex client the fake server answers the client's offer with the case's
/// accept, and the client must take it and compress as told.
/// </summary>
public class Group13CompressionTests : ConformanceTestBase
{
    public static TheoryData<string, int, int> Cases_13_1 => CompressionCases.Numbered("13.1");

    public static TheoryData<string, int, int> Cases_13_2 => CompressionCases.Numbered("13.2");

    public static TheoryData<string, int, int> Cases_13_3 => CompressionCases.Numbered("13.3");

    public static TheoryData<string, int, int> Cases_13_4 => CompressionCases.Numbered("13.4");

    public static TheoryData<string, int, int> Cases_13_5 => CompressionCases.Numbered("13.5");

    public static TheoryData<string, int, int> Cases_13_6 => CompressionCases.Numbered("13.6");

    public static TheoryData<string, int, int> Cases_13_7 => CompressionCases.Numbered("13.7");

    private async Task RunAsync(int subgroup, string caseId, int length, int autoFragment)
    {
        Assert.StartsWith($"13.{subgroup}.", caseId, StringComparison.Ordinal);
        CompressionSetting setting = CompressionSetting.Group13[subgroup - 1];
        await using CompressionCaseRun run = await CompressionCaseRun.StartAsync(Side, caseId, setting, new PerMessageDeflateOptions());
        await run.EchoMessagesAsync(CompressionTestData.Json, length, autoFragment, CompressionCases.Count(length));
        await run.CloseNormallyAsync();
    }

    [Theory]
    [MemberData(nameof(Cases_13_1))]
    public Task Case_13_1_x_default_offer_default_accept(string caseId, int length, int autoFragment) =>
        RunAsync(1, caseId, length, autoFragment);

    [Theory]
    [MemberData(nameof(Cases_13_2))]
    public Task Case_13_2_x_no_context_takeover_offered_and_accepted(string caseId, int length, int autoFragment) =>
        RunAsync(2, caseId, length, autoFragment);

    [Theory]
    [MemberData(nameof(Cases_13_3))]
    public Task Case_13_3_x_window_8_offered_and_accepted(string caseId, int length, int autoFragment) =>
        RunAsync(3, caseId, length, autoFragment);

    [Theory]
    [MemberData(nameof(Cases_13_4))]
    public Task Case_13_4_x_window_15_offered_and_accepted(string caseId, int length, int autoFragment) =>
        RunAsync(4, caseId, length, autoFragment);

    [Theory]
    [MemberData(nameof(Cases_13_5))]
    public Task Case_13_5_x_no_context_takeover_and_window_8_offered_and_accepted(string caseId, int length, int autoFragment) =>
        RunAsync(5, caseId, length, autoFragment);

    [Theory]
    [MemberData(nameof(Cases_13_6))]
    public Task Case_13_6_x_no_context_takeover_and_window_15_offered_and_accepted(string caseId, int length, int autoFragment) =>
        RunAsync(6, caseId, length, autoFragment);

    [Theory]
    [MemberData(nameof(Cases_13_7))]
    public Task Case_13_7_x_three_offers_first_applicable_accept(string caseId, int length, int autoFragment) =>
        RunAsync(7, caseId, length, autoFragment);
}
