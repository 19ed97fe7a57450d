namespace Duplex.Cli.Compare.Server;

/// <summary>
/// The sessions that said the same run id in their hello: a chat message of one goes to every
/// one. Members change under <see cref="RunGroups"/>'s lock; readers take <see cref="Members"/>,
/// a snapshot that never changes once read.
/// </summary>
internal sealed class RunGroup(string run)
{
    private volatile CompareMember[] _members = [];

    public string Run { get; } = run;

    /// <summary>The members now (a snapshot).</summary>
    public IReadOnlyList<CompareMember> Members => _members;

    /// <summary>Adds one; under the registry's lock. Returns the count after.</summary>
    internal int Add(CompareMember member)
    {
        _members = [.. _members, member];
        return _members.Length;
    }

    /// <summary>Removes one; under the registry's lock. Returns the count after.</summary>
    internal int Remove(CompareMember member)
    {
        _members = [.. _members.Where(m => !ReferenceEquals(m, member))];
        return _members.Length;
    }
}
