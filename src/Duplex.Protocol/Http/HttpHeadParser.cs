using System.Buffers;
using System.Text;

namespace Duplex.Protocol.Http;

/// <summary>
/// Parses HTTP/1.1 message heads (RFC 9112) from bytes, without I/O. The caller calls again
/// with a longer buffer after <see cref="OperationStatus.NeedMoreData"/>; the answer never
/// depends on how the bytes were split, and once a call returns
/// <see cref="OperationStatus.Done"/> or <see cref="OperationStatus.InvalidData"/> every longer
/// buffer gives the same answer.
/// </summary>
/// <remarks>
/// <para>
/// The head is read line by line. A line is judged only once its LF has arrived, except for the
/// limits: a line that has already passed its length limit, or a buffer that has reached
/// <see cref="HttpLimits.MaxHeadSize"/> with no end of head, is refused at once, so a peer cannot
/// make the caller buffer without bound. Lines are judged in order, so the first fault in the
/// byte stream is the one reported.
/// </para>
/// <para>
/// Before a request-line, empty lines (CRLF) are skipped, as RFC 9112 §2.2 recommends for
/// robustness; they count toward <see cref="HttpLimits.MaxHeadSize"/> and toward the consumed
/// bytes. A response must begin with its status-line.
/// </para>
/// <para>Strings are allocated only once the whole head is present and valid.</para>
/// </remarks>
public static class HttpHeadParser
{
    private enum Kind
    {
        Request,
        Response,
    }

    /// <summary>Parses a request head (RFC 9112 §3) from the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The bytes received so far; bytes after the head are not read.</param>
    /// <param name="limits">The limits to enforce.</param>
    /// <param name="head">The parsed head when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="consumed">The length of the head including its final CRLFCRLF (and any skipped leading CRLFs) when done; otherwise 0.</param>
    /// <param name="error">Why the head was refused when the result is <see cref="OperationStatus.InvalidData"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, <see cref="OperationStatus.NeedMoreData"/> or <see cref="OperationStatus.InvalidData"/>.</returns>
    public static OperationStatus TryParseRequest(
        ReadOnlySpan<byte> buffer,
        HttpLimits limits,
        out HttpRequestHead? head,
        out int consumed,
        out HttpParseError error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        head = null;
        OperationStatus status = Scan(buffer, limits, Kind.Request, out consumed, out int headerCount, out error);
        if (status == OperationStatus.Done)
        {
            head = BuildRequest(buffer[..consumed], headerCount);
        }

        return status;
    }

    /// <summary>Parses a response head (RFC 9112 §4) from the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The bytes received so far; bytes after the head are not read.</param>
    /// <param name="limits">The limits to enforce.</param>
    /// <param name="head">The parsed head when the result is <see cref="OperationStatus.Done"/>.</param>
    /// <param name="consumed">The length of the head including its final CRLFCRLF when done; otherwise 0.</param>
    /// <param name="error">Why the head was refused when the result is <see cref="OperationStatus.InvalidData"/>.</param>
    /// <returns><see cref="OperationStatus.Done"/>, <see cref="OperationStatus.NeedMoreData"/> or <see cref="OperationStatus.InvalidData"/>.</returns>
    public static OperationStatus TryParseResponse(
        ReadOnlySpan<byte> buffer,
        HttpLimits limits,
        out HttpResponseHead? head,
        out int consumed,
        out HttpParseError error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        head = null;
        OperationStatus status = Scan(buffer, limits, Kind.Response, out consumed, out int headerCount, out error);
        if (status == OperationStatus.Done)
        {
            head = BuildResponse(buffer[..consumed], headerCount);
        }

        return status;
    }

    /// <summary>Validates the head without allocating; finds where it ends.</summary>
    private static OperationStatus Scan(
        ReadOnlySpan<byte> buffer,
        HttpLimits limits,
        Kind kind,
        out int consumed,
        out int headerCount,
        out HttpParseError error)
    {
        consumed = 0;
        headerCount = 0;
        error = HttpParseError.None;

        // Only the first MaxHeadSize bytes can belong to an acceptable head, so nothing past them
        // is looked at; that keeps the answer the same however long the buffer grows.
        ReadOnlySpan<byte> window = buffer[..Math.Min(buffer.Length, limits.MaxHeadSize)];
        bool startLineSeen = false;
        int pos = 0;
        while (true)
        {
            int lineLimit = startLineSeen ? limits.MaxHeaderLineLength : limits.MaxStartLineLength;
            HttpParseError tooLong = startLineSeen ? HttpParseError.HeaderLineTooLong : HttpParseError.StartLineTooLong;
            ReadOnlySpan<byte> rest = window[pos..];
            int lf = rest.IndexOf((byte)'\n');

            // A line of lineLimit bytes plus CR spans lineLimit + 1 bytes before its LF; with that
            // many bytes and no LF the line is known to be too long, whatever comes next.
            if (lf < 0)
            {
                if (rest.Length - 2 >= lineLimit)
                {
                    error = tooLong;
                }
                else if (buffer.Length >= limits.MaxHeadSize)
                {
                    error = HttpParseError.HeadTooLarge;
                }
                else
                {
                    return OperationStatus.NeedMoreData;
                }

                return OperationStatus.InvalidData;
            }

            if (lf - 2 >= lineLimit)
            {
                error = tooLong;
                return OperationStatus.InvalidData;
            }

            // RFC 9112 §2.2: a recipient may accept a bare LF, but it is also the root of request
            // smuggling between parsers that disagree, so every line must end in CRLF.
            if (lf == 0 || rest[lf - 1] != (byte)'\r')
            {
                error = HttpParseError.BareLineFeed;
                return OperationStatus.InvalidData;
            }

            ReadOnlySpan<byte> line = rest[..(lf - 1)];
            int next = pos + lf + 1;
            if (!startLineSeen)
            {
                if (line.IsEmpty && kind == Kind.Request)
                {
                    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
                    pos = next;
                    continue;
                }

                error = kind == Kind.Request ? CheckRequestLine(line) : CheckStatusLine(line);
                startLineSeen = true;
            }
            else if (line.IsEmpty)
            {
                // RFC 9112 §2.1: the head ends with an empty line.
                consumed = next;
                return OperationStatus.Done;
            }
            else if (++headerCount > limits.MaxHeaderCount)
            {
                error = HttpParseError.TooManyHeaders;
            }
            else
            {
                error = CheckFieldLine(line);
            }

            if (error != HttpParseError.None)
            {
                headerCount = 0;
                return OperationStatus.InvalidData;
            }

            pos = next;
        }
    }

    private static HttpParseError CheckRequestLine(ReadOnlySpan<byte> line)
    {
        // RFC 9112 §3: request-line = method SP request-target SP HTTP-version, with exactly one
        // SP between the parts (the lenient whitespace of §3 is not taken, to avoid smuggling).
        int sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0 || !HttpSyntax.IsToken(line[..sp1]))
        {
            // RFC 9110 §9.1: method = token.
            return HttpParseError.InvalidRequestLine;
        }

        ReadOnlySpan<byte> afterMethod = line[(sp1 + 1)..];
        int sp2 = afterMethod.IndexOf((byte)' ');
        if (sp2 <= 0 || !HttpSyntax.IsVisibleAscii(afterMethod[..sp2]))
        {
            // RFC 9112 §3.2: the request-target is a URI form; RFC 3986 allows only visible ASCII.
            return HttpParseError.InvalidRequestLine;
        }

        return CheckVersion(afterMethod[(sp2 + 1)..], HttpParseError.InvalidRequestLine);
    }

    private static HttpParseError CheckStatusLine(ReadOnlySpan<byte> line)
    {
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
        if (line.Length < HttpSyntax.VersionLength)
        {
            return HttpParseError.InvalidStatusLine;
        }

        HttpParseError versionError = CheckVersion(line[..HttpSyntax.VersionLength], HttpParseError.InvalidStatusLine);
        if (versionError != HttpParseError.None)
        {
            return versionError;
        }

        ReadOnlySpan<byte> rest = line[HttpSyntax.VersionLength..];
        if (rest.Length < 4 || rest[0] != (byte)' ' || !TryReadStatusCode(rest.Slice(1, 3), out _))
        {
            return HttpParseError.InvalidStatusLine;
        }

        // The SP before an empty reason-phrase is required by the grammar but often left out;
        // RFC 9112 §4 asks clients to accept that, so "HTTP/1.1 101" is taken as well.
        ReadOnlySpan<byte> tail = rest[4..];
        if (!tail.IsEmpty && (tail[0] != (byte)' ' || !HttpSyntax.IsFieldValue(tail[1..])))
        {
            // RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ).
            return HttpParseError.InvalidStatusLine;
        }

        return HttpParseError.None;
    }

    private static HttpParseError CheckVersion(ReadOnlySpan<byte> version, HttpParseError malformed)
    {
        // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive.
        if (version.Length != HttpSyntax.VersionLength
            || !version.StartsWith("HTTP/"u8)
            || !char.IsAsciiDigit((char)version[5])
            || version[6] != (byte)'.'
            || !char.IsAsciiDigit((char)version[7]))
        {
            return malformed;
        }

        // RFC 9110 §2.5: a different major version means a different message syntax.
        return version[5] == (byte)'1' ? HttpParseError.None : HttpParseError.UnsupportedHttpVersion;
    }

    private static bool TryReadStatusCode(ReadOnlySpan<byte> digits, out int code)
    {
        code = 0;
        foreach (byte b in digits)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            code = (code * 10) + (b - '0');
        }

        // RFC 9110 §15: values outside 100..599 are invalid.
        return code is >= 100 and <= 599;
    }

    private static HttpParseError CheckFieldLine(ReadOnlySpan<byte> line)
    {
        // RFC 9112 §5.2: a line that begins with SP or HTAB is obs-fold, which a server must
        // reject; RFC 9112 §2.2 also allows rejecting whitespace right after the start-line.
        if (HttpSyntax.IsOws(line[0]))
        {
            return HttpParseError.ObsoleteLineFolding;
        }

        // RFC 9112 §5: field-line = field-name ":" OWS field-value OWS.
        int colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            return HttpParseError.MissingColon;
        }

        // RFC 9112 §5.1: no whitespace is allowed between the field-name and colon;
        // RFC 9110 §5.1: field-name = token.
        if (!HttpSyntax.IsToken(line[..colon]))
        {
            return HttpParseError.InvalidHeaderName;
        }

        // RFC 9110 §5.5: CR, LF and NUL are invalid in a field value, as is every other CTL but HTAB.
        return HttpSyntax.IsFieldValue(line[(colon + 1)..]) ? HttpParseError.None : HttpParseError.InvalidHeaderValue;
    }

    private static HttpRequestHead BuildRequest(ReadOnlySpan<byte> head, int headerCount)
    {
        int pos = 0;
        ReadOnlySpan<byte> line;
        do
        {
            line = NextLine(head, ref pos);
        }
        while (line.IsEmpty);

        int sp1 = line.IndexOf((byte)' ');
        ReadOnlySpan<byte> afterMethod = line[(sp1 + 1)..];
        int sp2 = afterMethod.IndexOf((byte)' ');
        string method = MethodString(line[..sp1]);
        // The front page is the most requested target of all: no string per request for it.
        string target = afterMethod[..sp2] is [(byte)'/'] ? "/" : Encoding.ASCII.GetString(afterMethod[..sp2]);
        string version = VersionString(afterMethod[(sp2 + 1)..]);
        return new HttpRequestHead(method, target, version, BuildHeaders(head, pos, headerCount));
    }

    private static HttpResponseHead BuildResponse(ReadOnlySpan<byte> head, int headerCount)
    {
        int pos = 0;
        ReadOnlySpan<byte> line = NextLine(head, ref pos);
        string version = VersionString(line[..HttpSyntax.VersionLength]);
        TryReadStatusCode(line.Slice(HttpSyntax.VersionLength + 1, 3), out int code);
        ReadOnlySpan<byte> tail = line[(HttpSyntax.VersionLength + 4)..];
        string reason = tail.Length <= 1 ? string.Empty : Encoding.Latin1.GetString(tail[1..]);
        return new HttpResponseHead(version, code, reason, BuildHeaders(head, pos, headerCount));
    }

    private static HttpHeaders BuildHeaders(ReadOnlySpan<byte> head, int pos, int headerCount)
    {
        var headers = new HttpHeaders(headerCount);
        while (true)
        {
            ReadOnlySpan<byte> line = NextLine(head, ref pos);
            if (line.IsEmpty)
            {
                return headers;
            }

            int colon = line.IndexOf((byte)':');
            ReadOnlySpan<byte> value = HttpSyntax.TrimOws(line[(colon + 1)..]);

            // Field names are tokens, hence ASCII; values are Latin-1, one char per byte (RFC 9110 §5.5).
            headers.AddUnchecked(
                KnownHeaderNames.Get(line[..colon]) ?? Encoding.ASCII.GetString(line[..colon]),
                value.IsEmpty ? string.Empty : Encoding.Latin1.GetString(value));
        }
    }

    /// <summary>Returns the next line of a head already validated, without its CRLF.</summary>
    private static ReadOnlySpan<byte> NextLine(ReadOnlySpan<byte> head, scoped ref int pos)
    {
        int lf = head[pos..].IndexOf((byte)'\n');
        ReadOnlySpan<byte> line = head.Slice(pos, lf - 1);
        pos += lf + 1;
        return line;
    }

    private static string MethodString(ReadOnlySpan<byte> method) =>
        method.SequenceEqual("GET"u8) ? "GET"
        : method.SequenceEqual("POST"u8) ? "POST"
        : method.SequenceEqual("CONNECT"u8) ? "CONNECT"
        : Encoding.ASCII.GetString(method);

    private static string VersionString(ReadOnlySpan<byte> version) =>
        version.SequenceEqual("HTTP/1.1"u8) ? HttpSyntax.Http11
        : version.SequenceEqual("HTTP/1.0"u8) ? "HTTP/1.0"
        : Encoding.ASCII.GetString(version);
}
