using System.Text.Json;
using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Reports;

namespace Duplex.Tests.Compare;

/// <summary>The <c>--json</c> file: camelCase, indented, text as is, and read back to the same report.</summary>
public sealed class ReportJsonTests
{
    [Fact]
    public void A_report_written_and_read_back_is_the_same_report()
    {
        CompareReport report = CompareReportSamples.Create();

        string json = CompareJson.Serialize(report);
        CompareReport back = CompareJson.Deserialize(json);

        Assert.Equal(json, CompareJson.Serialize(back));
        Assert.Equal(report.Settings, back.Settings);
        Assert.Equal(report.Machine, back.Machine);
        Assert.Equal(report.StartedAt, back.StartedAt);
        Assert.Equal(report.Notes, back.Notes);
        Assert.Equal(report.Approaches.Select(a => a.Id), back.Approaches.Select(a => a.Id));
        ApproachResult polling = back.Approaches[0];
        Assert.Equal(report.Approaches[0].DownLatency.Distribution, polling.DownLatency.Distribution);
        Assert.Equal(report.Approaches[0].Integrity, polling.Integrity);
        Assert.Equal(report.Approaches[0].Workloads, polling.Workloads);
        Assert.Equal(report.Survival, back.Survival);
    }

    [Fact]
    public void The_file_is_indented_camelCase_with_text_as_is()
    {
        CompareReport report = CompareReportSamples.Create() with { Notes = ["κόσμε ✓ → <b>\"quoted\"</b>"] };

        string json = CompareJson.Serialize(report);

        Assert.Contains("\n  \"duplexVersion\": \"0.13.0\"", json, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement first = doc.RootElement.GetProperty("approaches")[0];
        Assert.Equal("polling", first.GetProperty("id").GetString());
        Assert.Equal(248, first.GetProperty("downLatency").GetProperty("p50").GetDouble());
        Assert.Equal(10, first.GetProperty("downLatency").GetProperty("distribution").GetArrayLength());
        Assert.Equal(500, doc.RootElement.GetProperty("settings").GetProperty("pollIntervalMs").GetDouble());
        Assert.Equal(28, doc.RootElement.GetProperty("survival").GetArrayLength());
        Assert.Contains("κόσμε ✓ → <b>\\\"quoted\\\"</b>", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_that_did_not_run_keeps_its_error_and_empty_measurements()
    {
        CompareReport report = CompareReportSamples.WithNotRan(CompareReportSamples.Create(), "websocket-h2", "the host does not offer extended CONNECT");

        CompareReport back = CompareJson.Deserialize(CompareJson.Serialize(report));

        ApproachResult row = back.Approaches.Single(a => a.Id == "websocket-h2");
        Assert.False(row.Ran);
        Assert.Equal("the host does not offer extended CONNECT", row.Error);
        Assert.Equal(0, row.DownLatency.Count);
        Assert.Equal(Integrity.None, row.Integrity);
        Assert.Null(row.ServerCost.CpuMillisecondsPerClientSecond);
    }

    [Fact]
    public void A_measurement_that_is_not_a_number_is_written_rather_than_failing_the_file()
    {
        CompareReport report = CompareReportSamples.Create() with { WallSeconds = double.NaN };

        CompareReport back = CompareJson.Deserialize(CompareJson.Serialize(report));

        Assert.True(double.IsNaN(back.WallSeconds));
    }
}
