namespace Duplex;

/// <summary>
/// Bounds on an HTTP/1.1 message head, so that a peer cannot make the parser buffer or allocate
/// without limit. Every limit is checked on partial input as well as on a complete head.
/// </summary>
public sealed class HttpLimits
{
    /// <summary>The limits used when none are given: generous for browsers, small enough to bound memory per connection.</summary>
    public static HttpLimits Default { get; } = new();

    /// <summary>Longest request-line or status-line in bytes, excluding CRLF (8192: RFC 9112 §3 asks recipients to support at least 8000 octets).</summary>
    public int MaxStartLineLength
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 8192;

    /// <summary>Longest header field line in bytes, excluding CRLF (8192: long cookies fit, a single-line flood does not).</summary>
    public int MaxHeaderLineLength
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 8192;

    /// <summary>Most header field lines in one head (100: browsers send about 20; each field costs two strings).</summary>
    public int MaxHeaderCount
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 100;

    /// <summary>Most bytes in a whole head, including the final CRLFCRLF (16384: caps the memory one unfinished head can hold).</summary>
    public int MaxHeadSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 16384;

    /// <summary>
    /// Longest chunk-size line of a chunked body, with its extensions, excluding CRLF (4096: a
    /// size needs at most 16 hex digits and clients send no extensions; the bound stops a peer
    /// from streaming one endless extension).
    /// </summary>
    public int MaxChunkLineLength
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 4096;
}
