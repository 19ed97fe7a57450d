using System.Net;
using Duplex.Cli.Compare;
using Duplex.Tests.Cli;

namespace Duplex.Tests.Compare;

/// <summary><c>duplex serve</c>'s /compare.json and /compare-report.html: the last report of the store, 404 while there is none, on both hosts.</summary>
public sealed class CompareReportRoutesTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_last_report_is_404_until_one_is_saved_then_served_as_json_and_html(bool aspNetCore)
    {
        string folder = Path.Combine(Path.GetTempPath(), "duplex-compare-routes-" + Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string> { ["DUPLEX_COMPARE_DIR"] = folder };
        try
        {
            await using CliHarness serve = CliHarness.Start(
                ["serve", "--port", "0", "--host", "127.0.0.1", .. (aspNetCore ? new[] { "--aspnetcore" } : [])], environment: environment);
            int port = await serve.ListeningPortAsync();
            using var http = new HttpClient { Timeout = CliHarness.Timeout };
            var json = new Uri($"http://127.0.0.1:{port}/compare.json");
            var html = new Uri($"http://127.0.0.1:{port}/compare-report.html");

            using (HttpResponseMessage none = await http.GetAsync(json, TestServers.Bounded()))
            {
                Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
                Assert.Contains("duplex compare", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            using (HttpResponseMessage none = await http.GetAsync(html, TestServers.Bounded()))
            {
                Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
            }

            new CompareReportStore(name => environment.GetValueOrDefault(name)).Save("""{"schema":1,"approaches":[]}""", "<!doctype html><title>report ✓</title>");

            using (HttpResponseMessage report = await http.GetAsync(json, TestServers.Bounded()))
            {
                Assert.Equal(HttpStatusCode.OK, report.StatusCode);
                Assert.Equal("application/json", report.Content.Headers.ContentType?.MediaType);
                Assert.Equal("no-store", report.Headers.CacheControl?.ToString());
                Assert.Equal("""{"schema":1,"approaches":[]}""", await report.Content.ReadAsStringAsync());
            }

            using (HttpResponseMessage page = await http.GetAsync(html, TestServers.Bounded()))
            {
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
                Assert.Equal("<!doctype html><title>report ✓</title>", await page.Content.ReadAsStringAsync());
            }

            // The static files are still served beside the routes.
            using HttpResponseMessage front = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/compare.html"), TestServers.Bounded());
            Assert.Equal(HttpStatusCode.OK, front.StatusCode);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
