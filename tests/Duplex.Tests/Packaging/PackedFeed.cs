using System.Diagnostics;
using System.Xml.Linq;
using Duplex.Tests.Interop;

namespace Duplex.Tests.Packaging;

/// <summary>
/// The packages as users get them, made once for the packaging tests: <c>dotnet pack
/// Duplex.Packages.slnf -c Release</c> into a folder feed under a temporary folder, which also
/// holds a NuGet package cache of its own (so what the tests install comes from the feed, never
/// from an older copy in the user's cache) and whatever the tests install. All of it is deleted
/// at the end.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    /// <summary>How long packing may take: a full Release build on a busy 2-core machine.</summary>
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(4);

    public PackedFeed()
    {
        Root = Path.Combine(Path.GetTempPath(), "duplex-packaging-" + Guid.NewGuid().ToString("N")[..12]);
        Version = ReadVersionPrefix();
    }

    /// <summary>The temporary folder.</summary>
    public string Root { get; }

    /// <summary>The folder feed the packages are packed into.</summary>
    public string Feed => Path.Combine(Root, "feed");

    /// <summary>The NuGet package cache (NUGET_PACKAGES) of the tests' restores and installs.</summary>
    public string PackageCache => Path.Combine(Root, "nuget-packages");

    /// <summary>The packages' version: VersionPrefix of Directory.Build.props.</summary>
    public string Version { get; }

    /// <summary>How long <c>dotnet pack</c> took.</summary>
    public TimeSpan PackTime { get; private set; }

    /// <summary>What a restore or install from the feed needs in its environment.</summary>
    public IReadOnlyDictionary<string, string> NuGetEnvironment => new Dictionary<string, string> { ["NUGET_PACKAGES"] = PackageCache };

    public string PackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.nupkg");

    public string SymbolPackagePath(string id) => Path.Combine(Feed, $"{id}.{Version}.snupkg");

    /// <summary>VersionPrefix of the root Directory.Build.props: the one place the version is set.</summary>
    public static string ReadVersionPrefix()
    {
        XDocument props = XDocument.Load(Path.Combine(PeerProcess.RepoRoot, "Directory.Build.props"));
        return props.Descendants("VersionPrefix").Single().Value.Trim();
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        var clock = Stopwatch.StartNew();
        await ChildProcess.RunAsync(
            ChildProcess.Dotnet,
            // Without the analyzers: they change no byte of the dlls (the build is deterministic) and
            // more than double the time; the test project's own build has run them on this code.
            // No compiler or MSBuild server is left running after the test.
            ["pack", Path.Combine(PeerProcess.RepoRoot, "Duplex.Packages.slnf"), "-c", "Release", "-o", Feed, "-p:RunAnalyzers=false", "--disable-build-servers"],
            PeerProcess.RepoRoot,
            PackTimeout);
        PackTime = clock.Elapsed;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // a process the test killed may still hold a file for a moment; the folder is in /tmp
        }

        return Task.CompletedTask;
    }
}
