namespace Duplex.Cli.Compare.Server;

/// <summary>
/// The run groups of one /compare endpoint, by run id; thread-safe. A group exists while it has
/// a member: it is made by the first hello with its id and forgotten when its last member leaves.
/// </summary>
internal sealed class RunGroups
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RunGroup> _groups = new(StringComparer.Ordinal);

    /// <summary>How many groups have members now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _groups.Count;
            }
        }
    }

    /// <summary>Adds <paramref name="member"/> to the group of <paramref name="run"/> (made if missing); returns the group and its member count after.</summary>
    public (RunGroup Group, int Members) Join(string run, CompareMember member)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(run, out RunGroup? group))
            {
                group = new RunGroup(run);
                _groups.Add(run, group);
            }

            return (group, group.Add(member));
        }
    }

    /// <summary>Takes <paramref name="member"/> out of <paramref name="group"/>; the group goes when it was the last.</summary>
    public void Leave(RunGroup group, CompareMember member)
    {
        lock (_gate)
        {
            if (group.Remove(member) == 0 && _groups.TryGetValue(group.Run, out RunGroup? current) && ReferenceEquals(current, group))
            {
                _groups.Remove(group.Run);
            }
        }
    }

    /// <summary>The group of <paramref name="run"/>, or null when it has no member.</summary>
    public RunGroup? Find(string run)
    {
        lock (_gate)
        {
            return _groups.GetValueOrDefault(run);
        }
    }
}
