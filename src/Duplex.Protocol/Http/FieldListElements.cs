namespace Duplex.Protocol.Http;

/// <summary>
/// The list elements (RFC 9110 §5.6.1) of every field line with one name, in order, each
/// trimmed of OWS; empty elements are given too (a caller that must refuse them can). Quoted
/// strings are not parsed: for lists of tokens and numbers. Allocates nothing.
/// </summary>
internal ref struct FieldListElements
{
    private readonly HttpHeaders _headers;
    private readonly string _name;
    private int _next;
    private ReadOnlySpan<char> _rest;
    private bool _inField;

    public FieldListElements(HttpHeaders headers, string name)
    {
        _headers = headers;
        _name = name;
    }

    public ReadOnlySpan<char> Current { get; private set; }

    public readonly FieldListElements GetEnumerator() => this;

    public bool MoveNext()
    {
        while (!_inField)
        {
            if (_next == _headers.Count)
            {
                return false;
            }

            KeyValuePair<string, string> field = _headers.FieldAt(_next++);

            // RFC 9110 §5.1: field names are case-insensitive.
            if (string.Equals(field.Key, _name, StringComparison.OrdinalIgnoreCase))
            {
                _rest = field.Value;
                _inField = true;
            }
        }

        int comma = _rest.IndexOf(',');
        if (comma < 0)
        {
            Current = HttpSyntax.TrimOws(_rest);
            _inField = false;
        }
        else
        {
            Current = HttpSyntax.TrimOws(_rest[..comma]);
            _rest = _rest[(comma + 1)..];
        }

        return true;
    }
}
