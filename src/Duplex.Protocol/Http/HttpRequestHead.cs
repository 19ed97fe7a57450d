namespace Duplex;

/// <summary>The head of an HTTP/1.1 request: the request-line and the header fields (RFC 9112 §3).</summary>
public sealed class HttpRequestHead
{
    /// <summary>Creates a request head; the parser makes these, and so can an adapter that has its own parser.</summary>
    /// <param name="method">The method token, e.g. <c>GET</c> (case-sensitive, RFC 9110 §9.1).</param>
    /// <param name="target">The request-target as sent.</param>
    /// <param name="version">The HTTP-version, e.g. <c>HTTP/1.1</c>.</param>
    /// <param name="headers">The header fields.</param>
    public HttpRequestHead(string method, string target, string version, HttpHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(headers);
        Method = method;
        Target = target;
        Version = version;
        Headers = headers;
        (Path, Query) = SplitTarget(target);
    }

    /// <summary>The method token, e.g. <c>GET</c>; methods are case-sensitive (RFC 9110 §9.1).</summary>
    public string Method { get; }

    /// <summary>The request-target exactly as sent (RFC 9112 §3.2).</summary>
    public string Target { get; }

    /// <summary>
    /// The path of the target: the part before '?'. For the absolute-form
    /// (<c>http://host/chat?x</c>), which RFC 9112 §3.2.2 requires servers to accept, it is the
    /// path after the authority, "/" when that is empty.
    /// </summary>
    public string Path { get; }

    /// <summary>The query of the target: the part after the first '?', without it; "" when there is none.</summary>
    public string Query { get; }

    /// <summary>The HTTP-version as sent, e.g. <c>HTTP/1.1</c>.</summary>
    public string Version { get; }

    /// <summary>The header fields, in the order received.</summary>
    public HttpHeaders Headers { get; }

    private static (string Path, string Query) SplitTarget(string target)
    {
        int question = target.IndexOf('?', StringComparison.Ordinal);
        string beforeQuery = question < 0 ? target : target[..question];
        string query = question < 0 ? string.Empty : target[(question + 1)..];

        // RFC 9112 §3.2.2: absolute-form = absolute-URI; take the path after "scheme://authority".
        if (!beforeQuery.StartsWith('/'))
        {
            int scheme = beforeQuery.IndexOf("://", StringComparison.Ordinal);
            if (scheme > 0)
            {
                int slash = beforeQuery.IndexOf('/', scheme + 3);
                return (slash < 0 ? "/" : beforeQuery[slash..], query);
            }
        }

        return (beforeQuery, query);
    }
}
