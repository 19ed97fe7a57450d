using System.Collections;
using Duplex.Protocol.Http;

namespace Duplex;

/// <summary>
/// The header fields of a message head, in the order they were received or added. Field names
/// compare ordinal-ignore-case (RFC 9110 §5.1); a name may occur more than once, and a value may
/// be a comma-separated list (RFC 9110 §5.3), which <see cref="GetTokens"/> and
/// <see cref="ContainsToken"/> both understand.
/// </summary>
public sealed class HttpHeaders : IReadOnlyCollection<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _fields;

    /// <summary>Creates an empty collection.</summary>
    public HttpHeaders()
    {
        _fields = [];
    }

    /// <summary>Creates an empty collection with room for <paramref name="capacity"/> fields.</summary>
    public HttpHeaders(int capacity)
    {
        _fields = new List<KeyValuePair<string, string>>(capacity);
    }

    /// <summary>The number of field lines (a repeated name counts once per line).</summary>
    public int Count => _fields.Count;

    /// <summary>
    /// All values of the field <paramref name="name"/> joined with ", " (which RFC 9110 §5.3 says
    /// is equivalent to the separate lines), or null when the field is absent.
    /// </summary>
    public string? this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            string? single = null;
            List<string>? many = null;
            foreach (KeyValuePair<string, string> field in _fields)
            {
                if (!IsName(field, name))
                {
                    continue;
                }

                if (single is null)
                {
                    single = field.Value;
                }
                else
                {
                    many ??= [single];
                    many.Add(field.Value);
                }
            }

            return many is null ? single : string.Join(", ", many);
        }
    }

    /// <summary>Adds a field line at the end.</summary>
    /// <exception cref="ArgumentException">
    /// The name is not a token, or the value holds CR, LF, another control character or a
    /// character above U+00FF (RFC 9110 §5.1, §5.5).
    /// </exception>
    public void Add(string name, string value)
    {
        HttpSyntax.ValidateField(name, value, nameof(name));
        _fields.Add(new KeyValuePair<string, string>(name, value));
    }

    /// <summary>Adds a field the parser has already checked.</summary>
    internal void AddUnchecked(string name, string value) => _fields.Add(new KeyValuePair<string, string>(name, value));

    /// <summary>The field line at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>), for loops that must not allocate an enumerator.</summary>
    internal KeyValuePair<string, string> FieldAt(int index) => _fields[index];

    /// <summary>
    /// Sets the field <paramref name="name"/> to the single line <paramref name="value"/>:
    /// removes every line with that name, then adds this one at the end.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a token, or the value holds a character a field value cannot (RFC 9110 §5.1, §5.5).</exception>
    public void Set(string name, string value)
    {
        HttpSyntax.ValidateField(name, value, nameof(name));
        RemoveAll(name);
        _fields.Add(new KeyValuePair<string, string>(name, value));
    }

    /// <summary>Removes every field line named <paramref name="name"/>; returns how many there were.</summary>
    public int Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return RemoveAll(name);
    }

    /// <summary>Whether <paramref name="name"/> can be a field name (and a method): a token of RFC 9110 §5.6.2.</summary>
    public static bool IsToken(string? name) => name is not null && HttpSyntax.IsToken(name.AsSpan());

    /// <summary>Removes every field line.</summary>
    public void Clear() => _fields.Clear();

    private int RemoveAll(string name)
    {
        int removed = 0;
        for (int i = _fields.Count - 1; i >= 0; i--)
        {
            if (IsName(_fields[i], name))
            {
                _fields.RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Whether at least one field line has the name <paramref name="name"/>.</summary>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (KeyValuePair<string, string> field in _fields)
        {
            if (IsName(field, name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The value of each field line named <paramref name="name"/>, as received, in order; empty when absent.</summary>
    public IReadOnlyList<string> GetValues(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        List<string>? values = null;
        foreach (KeyValuePair<string, string> field in _fields)
        {
            if (IsName(field, name))
            {
                (values ??= []).Add(field.Value);
            }
        }

        return values is null ? Array.Empty<string>() : values;
    }

    /// <summary>
    /// The value of the first field line named <paramref name="name"/> (null when absent) and how
    /// many lines have that name, allocating nothing: for fields that must occur exactly once.
    /// </summary>
    public string? GetFirst(string name, out int count)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? first = null;
        count = 0;
        foreach (KeyValuePair<string, string> field in _fields)
        {
            if (IsName(field, name))
            {
                first ??= field.Value;
                count++;
            }
        }

        return first;
    }

    /// <summary>
    /// The list elements of every field line named <paramref name="name"/>: each value split on
    /// commas, each element trimmed of OWS, empty elements dropped (RFC 9110 §5.6.1). Quoted
    /// strings are not parsed, so use this for lists of tokens such as Connection, Upgrade and
    /// Sec-WebSocket-Protocol.
    /// </summary>
    public IEnumerable<string> GetTokens(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Iterate(_fields, name);

        static IEnumerable<string> Iterate(List<KeyValuePair<string, string>> fields, string name)
        {
            foreach (KeyValuePair<string, string> field in fields)
            {
                if (!IsName(field, name))
                {
                    continue;
                }

                string value = field.Value;
                int start = 0;
                while (start <= value.Length)
                {
                    int comma = value.IndexOf(',', start);
                    int end = comma < 0 ? value.Length : comma;
                    string element = value[start..end].Trim(' ', '\t');
                    if (element.Length != 0)
                    {
                        yield return element;
                    }

                    start = end + 1;
                }
            }
        }
    }

    /// <summary>
    /// Whether any list element of the fields named <paramref name="name"/> equals
    /// <paramref name="token"/>, ignoring ASCII case (e.g. <c>Connection: keep-alive, Upgrade</c>
    /// contains <c>upgrade</c>). Allocates nothing.
    /// </summary>
    public bool ContainsToken(string name, string token)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(token);
        foreach (KeyValuePair<string, string> field in _fields)
        {
            if (!IsName(field, name))
            {
                continue;
            }

            ReadOnlySpan<char> value = field.Value;
            foreach (Range range in value.Split(','))
            {
                if (HttpSyntax.TrimOws(value[range]).Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Enumerates the field lines in order.</summary>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // RFC 9110 §5.1: field names are case-insensitive.
    private static bool IsName(KeyValuePair<string, string> field, string name) =>
        string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase);
}
