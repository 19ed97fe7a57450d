namespace Duplex.Realtime.Channels;

/// <summary>
/// Who is in one channel (docs/PROTOCOL.md §10.1): members by presence id, each with the info it
/// gave (a JSON value, kept as its text). Joins and leaves report whether they changed anything,
/// so the channel announces each once. Bounded by the caller (one member per subscribed session).
/// Not thread-safe: the channel holds its lock around it.
/// </summary>
public sealed class ChannelPresence
{
    /// <summary>The largest info accepted, in UTF-8 bytes of its JSON text (docs/PROTOCOL.md §10: 1 KiB encoded).</summary>
    public const int MaxInfoBytes = 1024;

    private readonly Dictionary<string, string?> _members = new(StringComparer.Ordinal);

    /// <summary>Members now.</summary>
    public int Count => _members.Count;

    /// <summary>Adds <paramref name="id"/> with <paramref name="info"/>; true when it was not a member (a join to announce).</summary>
    public bool Join(string id, string? info)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (info is not null && System.Text.Encoding.UTF8.GetByteCount(info) > MaxInfoBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(info), $"Presence info is limited to {MaxInfoBytes} bytes of UTF-8.");
        }

        if (_members.ContainsKey(id))
        {
            _members[id] = info;
            return false;
        }

        _members.Add(id, info);
        return true;
    }

    /// <summary>Removes <paramref name="id"/>; true when it was a member (a leave to announce).</summary>
    public bool Leave(string id) => _members.Remove(id);

    /// <summary>True when <paramref name="id"/> is a member.</summary>
    public bool Contains(string id) => _members.ContainsKey(id);

    /// <summary>The members now, ordered by id (a stable order for clients and tests).</summary>
    public IReadOnlyList<ChannelMember> Members() =>
        _members.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new ChannelMember(m.Key, m.Value)).ToArray();
}

/// <summary>A member of a channel: its presence id and the info it gave (JSON text, or null).</summary>
public readonly record struct ChannelMember(string Id, string? Info);
