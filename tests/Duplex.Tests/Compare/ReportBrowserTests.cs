using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Reports;
using Duplex.Tests.Interop;
using Duplex.Tests.Support;
using Xunit.Abstractions;

namespace Duplex.Tests.Compare;

/// <summary>
/// The HTML report opened from disk in headless Chromium, as a person opens it: it renders, holds
/// every row, asks for nothing beyond the file, and its full-page screenshot is saved under
/// TestResults/screenshots (compare-report.png, beside the compare-report.html it shows).
/// </summary>
public sealed class ReportBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_html_report_renders_in_chromium_and_a_screenshot_is_saved()
    {
        CompareReport report = CompareReportSamples.Create();
        string folder = Screenshots.Folder();
        string page = Path.Combine(folder, "compare-report.html");
        string shot = Path.Combine(folder, "compare-report.png");
        File.Delete(shot);
        await File.WriteAllTextAsync(page, HtmlReport.Render(report));
        string url = new Uri(page).AbsoluteUri;

        await using var browser = PeerProcess.StartNode("chromium-screenshot.js", [url, "--selector", "#compare-table td.poor[data-column=reliable]", "--screenshot", shot, "--timeout", "60"], output);
        PeerResult result = await browser.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        Assert.StartsWith("duplex compare: loopback", result.GetString("title"), StringComparison.Ordinal);
        var tables = result.Json.GetProperty("tables").EnumerateArray()
            .Where(t => t.GetProperty("id").GetString() is not null)
            .ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("rows").GetInt32());
        Assert.Equal(report.Approaches.Count, tables["compare-table"]);
        Assert.Equal(7, tables["survival-table"]);
        Assert.Equal(4, result.GetInt("svgs"));
        Assert.Empty(result.Json.GetProperty("otherRequests").EnumerateArray());
        Screenshots.AssertSaved(shot);
    }
}
