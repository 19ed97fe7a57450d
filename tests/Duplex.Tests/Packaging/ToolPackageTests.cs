using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using Duplex.Tests.Support;
using Xunit.Abstractions;

namespace Duplex.Tests.Packaging;

/// <summary>The <c>duplex</c> command as a .NET tool: installed from the feed, run from a folder of its own.</summary>
[Collection(PackagingCollection.Name)]
public sealed partial class ToolPackageTests(PackedFeed feed, ITestOutputHelper log)
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [GeneratedRegex(@"Duplex listening on http://(127\.0\.0\.1:\d+)")]
    private static partial Regex ServeListening();

    [Fact]
    public async Task The_duplex_tool_installs_from_the_feed_and_serves_its_pages_and_duplex_js_from_any_folder_on_either_host()
    {
        using (ZipArchive package = ZipFile.OpenRead(feed.PackagePath("Duplex.Cli")))
        {
            string[] entries = package.EntryNames();
            Assert.Contains("tools/net10.0/any/Duplex.Cli.dll", entries);
            Assert.Contains("tools/net10.0/any/web/index.html", entries);
            Assert.Contains("README.md", entries);
            Assert.Equal("DotnetTool", NuspecReader.Metadata(package, "Duplex.Cli").Named("packageType").Single().Attribute("name")?.Value);
        }

        var clock = Stopwatch.StartNew();
        string tools = Path.Combine(feed.Root, "tools");
        await ChildProcess.RunAsync(
            ChildProcess.Dotnet,
            ["tool", "install", "Duplex.Cli", "--tool-path", tools, "--add-source", feed.Feed, "--version", feed.Version],
            feed.Root,
            InstallTimeout,
            feed.NuGetEnvironment);
        log.WriteLine($"dotnet tool install: {clock.Elapsed.TotalSeconds:0.0} s");
        string duplex = Path.Combine(tools, OperatingSystem.IsWindows() ? "duplex.exe" : "duplex");

        // A folder with no web/ in it: the pages come with the tool.
        string elsewhere = Directory.CreateDirectory(Path.Combine(feed.Root, "elsewhere")).FullName;
        Assert.Contains(feed.Version, await ChildProcess.RunAsync(duplex, ["--version"], elsewhere, StartTimeout), StringComparison.Ordinal);
        Assert.Contains("serve", await ChildProcess.RunAsync(duplex, ["--help"], elsewhere, StartTimeout), StringComparison.Ordinal);

        await using ChildProcess serve = ChildProcess.Start(duplex, ["serve", "--host", "127.0.0.1", "--port", "0"], elsewhere);
        string authority = (await serve.WaitForLineAsync(ServeListening(), StartTimeout)).Groups[1].Value;
        using var http = new HttpClient { Timeout = Bounded.Default };
        using HttpResponseMessage page = await http.GetAsync(new Uri($"http://{authority}/"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("/realtime/duplex.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using HttpResponseMessage script = await http.GetAsync(new Uri($"http://{authority}/realtime/duplex.js"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("RealtimeClient", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The ASP.NET Core host comes with the tool too.
        await using ChildProcess hosted = ChildProcess.Start(duplex, ["serve", "--aspnetcore", "--host", "127.0.0.1", "--port", "0"], elsewhere);
        string hostedAuthority = (await hosted.WaitForLineAsync(ServeListening(), StartTimeout)).Groups[1].Value;
        using HttpResponseMessage hostedPage = await http.GetAsync(new Uri($"http://{hostedAuthority}/"));
        Assert.Equal(HttpStatusCode.OK, hostedPage.StatusCode);
        Assert.Contains("/realtime/duplex.js", await hostedPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
