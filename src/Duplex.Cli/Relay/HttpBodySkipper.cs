using System.Buffers;
using System.Globalization;
using Duplex.Protocol.Http;

namespace Duplex.Cli.Relay;

/// <summary>
/// Finds where an HTTP/1.1 message body ends in a byte stream that arrives in pieces, without
/// keeping any of it (RFC 9112 §6.3): none, a Content-Length, chunked through the last chunk and
/// trailers (§7.1), or until the connection closes.
/// </summary>
internal struct HttpBodySkipper
{
    private Kind _kind;
    private long _remaining;
    private ChunkedDecoder _chunked;

    private enum Kind : byte
    {
        None,
        Length,
        Chunked,
        UntilClose,
    }

    /// <summary>Whether the body has ended (at once for a message without one).</summary>
    public readonly bool IsDone => _kind == Kind.None || (_kind == Kind.Length && _remaining == 0) || (_kind == Kind.Chunked && _chunked.IsDone);

    /// <summary>Whether the body ends only with the connection.</summary>
    public readonly bool UntilClose => _kind == Kind.UntilClose;

    /// <summary>A request's body: chunked, a Content-Length, or none (§6.3 rules 6 and 7).</summary>
    public static HttpBodySkipper ForRequest(HttpHeaders headers) =>
        FromFraming(headers) ?? default;

    /// <summary>
    /// A response's body: none for 1xx, 204 and 304 or for the answer to a HEAD (§6.3 rule 1);
    /// chunked; a Content-Length; otherwise until the connection closes (rule 8).
    /// </summary>
    public static HttpBodySkipper ForResponse(HttpResponseHead head, bool toHeadRequest)
    {
        if (toHeadRequest || head.StatusCode is (>= 100 and < 200) or 204 or 304)
        {
            return default;
        }

        return FromFraming(head.Headers) ?? new HttpBodySkipper { _kind = Kind.UntilClose };
    }

    /// <summary>
    /// Takes the next bytes; <paramref name="used"/> is how many belong to the body.
    /// <see cref="OperationStatus.Done"/> once it ended, <see cref="OperationStatus.NeedMoreData"/>
    /// while it goes on, <see cref="OperationStatus.InvalidData"/> for a chunked body that breaks the rules.
    /// </summary>
    public OperationStatus Skip(ReadOnlySpan<byte> bytes, out int used)
    {
        switch (_kind)
        {
            case Kind.Length:
                used = (int)Math.Min(_remaining, bytes.Length);
                _remaining -= used;
                return _remaining == 0 ? OperationStatus.Done : OperationStatus.NeedMoreData;
            case Kind.Chunked:
                return _chunked.Skip(bytes, out used);
            case Kind.UntilClose:
                used = bytes.Length;
                return OperationStatus.NeedMoreData;
            default:
                used = 0;
                return OperationStatus.Done;
        }
    }

    private static HttpBodySkipper? FromFraming(HttpHeaders headers)
    {
        if (headers.ContainsToken("Transfer-Encoding", "chunked"))
        {
            return new HttpBodySkipper { _kind = Kind.Chunked, _chunked = new ChunkedDecoder(HttpLimits.Default, long.MaxValue) };
        }

        if (headers.GetFirst("Content-Length", out _) is { } text
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long length))
        {
            return new HttpBodySkipper { _kind = Kind.Length, _remaining = length };
        }

        return null;
    }
}
