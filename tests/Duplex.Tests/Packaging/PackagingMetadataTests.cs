using System.Text.Json;
using System.Xml.Linq;
using Duplex.Tests.Interop;

namespace Duplex.Tests.Packaging;

/// <summary>The packaging files agree with each other, checked without building anything.</summary>
public sealed class PackagingMetadataTests
{
    [Fact]
    public void Duplex_Packages_slnf_packs_every_project_of_src()
    {
        using JsonDocument filter = JsonDocument.Parse(File.ReadAllText(Path.Combine(PeerProcess.RepoRoot, "Duplex.Packages.slnf")));
        string[] listed = filter.RootElement.GetProperty("solution").GetProperty("projects").EnumerateArray()
            .Select(p => p.GetString()!.Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        string[] inSrc = Directory.GetFiles(Path.Combine(PeerProcess.RepoRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(PeerProcess.RepoRoot, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(inSrc, listed);
    }

    [Fact]
    public void The_sample_asks_for_the_version_the_repository_packs()
    {
        XDocument project = XDocument.Load(Path.Combine(PeerProcess.RepoRoot, "samples", "ChatOnAspNetCore", "ChatOnAspNetCore.csproj"));

        Assert.Equal(PackedFeed.ReadVersionPrefix(), project.Descendants("DuplexVersion").Single().Value.Trim());
    }
}
