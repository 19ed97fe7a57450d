using System.IO.Compression;
using System.Xml.Linq;

namespace Duplex.Tests.Packaging;

/// <summary>The metadata of a package's .nuspec, whatever its XML namespace.</summary>
internal static class NuspecReader
{
    public static XElement Metadata(ZipArchive package, string id)
    {
        using Stream nuspec = (package.GetEntry($"{id}.nuspec") ?? throw new InvalidOperationException($"{id}.nuspec is missing from the package")).Open();
        return XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    /// <summary>The text of a metadata field, or "" when it is missing.</summary>
    public static string Field(this XElement metadata, string name) =>
        metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

    public static IEnumerable<XElement> Named(this XElement element, string name) =>
        element.Descendants().Where(e => e.Name.LocalName == name);

    public static string[] EntryNames(this ZipArchive package) => package.Entries.Select(e => e.FullName).ToArray();
}
