namespace Duplex.Tests.Packaging;

/// <summary>
/// The packaging tests share one <see cref="PackedFeed"/> (one <c>dotnet pack</c>) and run alone:
/// their builds use both cores for a minute, and the timing tests beside them keep their margins.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackagingCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "Packaging";
}
