namespace Duplex.Realtime.Channels;

/// <summary>
/// The idempotency keys a channel has seen and the numbers they got (docs/PROTOCOL.md §10), so
/// that a publisher retrying after a lost acknowledgement publishes once. Keys are forgotten after
/// a time and beyond a count (oldest first): bounded memory, and a retry within the window is
/// always recognised. Not thread-safe: the channel holds its lock around it.
/// </summary>
public sealed class IdempotencyKeys
{
    /// <summary>The longest key accepted.</summary>
    public const int MaxKeyLength = 64;

    private readonly Dictionary<string, long> _numbers = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, DateTimeOffset Seen)> _order = new();
    private readonly int _maxKeys;
    private readonly TimeSpan _window;

    /// <summary>Remembers at most <paramref name="maxKeys"/> keys for at most <paramref name="window"/>.</summary>
    public IdempotencyKeys(int maxKeys, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxKeys);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _maxKeys = maxKeys;
        _window = window;
    }

    /// <summary>Keys remembered now.</summary>
    public int Count => _numbers.Count;

    /// <summary>True when <paramref name="key"/> is 1 to <see cref="MaxKeyLength"/> printable ASCII characters.</summary>
    public static bool IsValid(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength)
        {
            return false;
        }

        foreach (char c in key)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The number <paramref name="key"/> got, if it was seen within the window.</summary>
    public bool TryGet(string key, DateTimeOffset now, out long sequence)
    {
        Expire(now);
        return _numbers.TryGetValue(key, out sequence);
    }

    /// <summary>Remembers that <paramref name="key"/> got <paramref name="sequence"/>.</summary>
    public void Remember(string key, long sequence, DateTimeOffset now)
    {
        Expire(now);
        if (_numbers.TryAdd(key, sequence))
        {
            _order.Enqueue((key, now));
            while (_numbers.Count > _maxKeys)
            {
                _numbers.Remove(_order.Dequeue().Key);
            }
        }
    }

    private void Expire(DateTimeOffset now)
    {
        while (_order.Count > 0 && now - _order.Peek().Seen > _window)
        {
            _numbers.Remove(_order.Dequeue().Key);
        }
    }
}
