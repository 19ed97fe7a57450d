namespace Duplex.Realtime.Channels;

/// <summary>
/// The rule for channel names (docs/PROTOCOL.md §10): 1 to <see cref="MaxLength"/> characters of
/// <c>A–Z a–z 0–9 _ - . : @ /</c>, not starting with <c>:</c> or <c>/</c>. Short and plain, so that
/// a name is safe in a log line, a metric tag, a Redis key and a URL without escaping.
/// </summary>
public static class ChannelName
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>True when <paramref name="name"/> is a valid channel name.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name[0] is ':' or '/')
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!IsAllowed(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAllowed(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':' or '@' or '/';
}
