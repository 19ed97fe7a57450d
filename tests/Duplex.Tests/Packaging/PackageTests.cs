using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Duplex.Tests.Interop;
using Duplex.Tests.Support;
using Xunit.Abstractions;

namespace Duplex.Tests.Packaging;

/// <summary>Builds (dotnet pack, restore) use both cores for a minute: alone, so the timing tests beside them keep their margins.</summary>
[CollectionDefinition(nameof(PackageTests), DisableParallelization = true)]
public sealed class PackageTestsCollection;

/// <summary>
/// What a .NET developer installs: the library packages and the <c>duplex</c> tool packed once
/// (<see cref="PackedFeed"/>, Release), the tool installed from that feed and run from a folder
/// of its own, and the ASP.NET Core sample restored from it, built and run.
/// </summary>
[Collection(nameof(PackageTests))]
public sealed partial class PackageTests(PackedFeed feed, ITestOutputHelper log) : IClassFixture<PackedFeed>
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The library packages: each a dll with its XML docs and README, symbols beside it.</summary>
    public static TheoryData<string> Libraries => ["Duplex.Protocol", "Duplex", "Duplex.Realtime"];

    [GeneratedRegex(@"Duplex listening on http://(127\.0\.0\.1:\d+)")]
    private static partial Regex ServeListening();

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex AspNetCoreListening();

    [Theory]
    [MemberData(nameof(Libraries))]
    public void A_library_package_holds_its_dll_xml_docs_and_readme_and_has_symbols_beside_it(string id)
    {
        log.WriteLine($"dotnet pack (Release, all packages): {feed.PackTime.TotalSeconds:0.0} s");
        using ZipArchive package = ZipFile.OpenRead(feed.PackagePath(id));
        string[] entries = package.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);
        Assert.Contains("README.md", entries);

        XElement metadata = Nuspec(package, id);
        Assert.Equal(feed.Version, Field(metadata, "version"));
        Assert.Equal("Duplex contributors", Field(metadata, "authors"));
        Assert.Equal("MIT", Field(metadata, "license"));
        Assert.Equal("README.md", Field(metadata, "readme"));
        Assert.False(string.IsNullOrWhiteSpace(Field(metadata, "description")));
        Assert.Contains("websocket", Field(metadata, "tags"), StringComparison.Ordinal);
        Assert.Equal("git", metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("type")?.Value);
        // A package depends on its siblings at the same version.
        foreach (XElement dependency in metadata.Descendants().Where(e => e.Name.LocalName == "dependency" && e.Attribute("id")!.Value.StartsWith("Duplex", StringComparison.Ordinal)))
        {
            Assert.Equal(feed.Version, dependency.Attribute("version")?.Value);
        }

        using ZipArchive symbols = ZipFile.OpenRead(feed.SymbolPackagePath(id));
        Assert.Contains($"lib/net10.0/{id}.pdb", symbols.Entries.Select(e => e.FullName));
    }

    [Fact]
    public async Task The_duplex_tool_installs_from_the_feed_and_serves_its_pages_and_duplex_js_from_any_folder()
    {
        using (ZipArchive package = ZipFile.OpenRead(feed.PackagePath("Duplex.Cli")))
        {
            string[] entries = package.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("tools/net10.0/any/Duplex.Cli.dll", entries);
            Assert.Contains("tools/net10.0/any/web/index.html", entries);
            Assert.Contains("README.md", entries);
            Assert.Equal("DotnetTool", Nuspec(package, "Duplex.Cli").Descendants().Single(e => e.Name.LocalName == "packageType").Attribute("name")?.Value);
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

        // Run from a folder with no web/ in it: the pages come with the tool.
        string elsewhere = Directory.CreateDirectory(Path.Combine(feed.Root, "elsewhere")).FullName;
        string version = await ChildProcess.RunAsync(duplex, ["--version"], elsewhere, StartTimeout);
        Assert.Contains(feed.Version, version, StringComparison.Ordinal);
        string help = await ChildProcess.RunAsync(duplex, ["--help"], elsewhere, StartTimeout);
        Assert.Contains("serve", help, StringComparison.Ordinal);

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
    }

    private static XElement Nuspec(ZipArchive package, string id)
    {
        using Stream nuspec = package.GetEntry($"{id}.nuspec")!.Open();
        return XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string Field(XElement metadata, string name) =>
        metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
}
