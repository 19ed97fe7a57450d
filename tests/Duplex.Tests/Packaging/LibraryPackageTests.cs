using System.IO.Compression;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Duplex.Tests.Packaging;

/// <summary>The library packages as <c>dotnet pack -c Release</c> makes them.</summary>
[Collection(PackagingCollection.Name)]
public sealed class LibraryPackageTests(PackedFeed feed, ITestOutputHelper log)
{
    public static TheoryData<string> Libraries => ["Duplex.Protocol", "Duplex", "Duplex.Realtime", "Duplex.AspNetCore"];

    [Theory]
    [MemberData(nameof(Libraries))]
    public void A_library_package_holds_its_dll_xml_docs_and_readme_and_has_symbols_beside_it(string id)
    {
        log.WriteLine($"dotnet pack (Release, every package): {feed.PackTime.TotalSeconds:0.0} s");
        using ZipArchive package = ZipFile.OpenRead(feed.PackagePath(id));
        string[] entries = package.EntryNames();
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);
        Assert.Contains("README.md", entries);

        XElement metadata = NuspecReader.Metadata(package, id);
        Assert.Equal(feed.Version, metadata.Field("version"));
        Assert.Equal("Duplex contributors", metadata.Field("authors"));
        Assert.Equal("MIT", metadata.Field("license"));
        Assert.Equal("README.md", metadata.Field("readme"));
        Assert.False(string.IsNullOrWhiteSpace(metadata.Field("description")));
        Assert.Contains("websocket", metadata.Field("tags"), StringComparison.Ordinal);
        Assert.Equal("git", metadata.Named("repository").Single().Attribute("type")?.Value);
        // A package depends on its siblings at its own version.
        foreach (XElement dependency in metadata.Named("dependency").Where(d => d.Attribute("id")!.Value.StartsWith("Duplex", StringComparison.Ordinal)))
        {
            Assert.Equal(feed.Version, dependency.Attribute("version")?.Value);
        }

        using ZipArchive symbols = ZipFile.OpenRead(feed.SymbolPackagePath(id));
        Assert.Contains($"lib/net10.0/{id}.pdb", symbols.EntryNames());
    }
}
