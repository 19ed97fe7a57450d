namespace Duplex.Protocol.Http;

/// <summary>
/// The rules a server applies to a parsed request head before it reads a body: Host
/// (RFC 9112 §3.2), message framing (RFC 9112 §6), persistence (RFC 9112 §9.3) and
/// expectations (RFC 9110 §10.1.1). Strict where parsers disagree, because a disagreement
/// between a proxy and a server about where a body ends is how requests are smuggled.
/// </summary>
public static class HttpRequestRules
{
    private const string Chunked = "chunked";
    private const string Close = "close";
    private const string KeepAliveToken = "keep-alive";
    private const string ContinueExpectation = "100-continue";
    private const string Expect = "Expect";
    private const string Http10 = "HTTP/1.0";

    // RFC 3986 §3.2.2: reg-name = *( unreserved / pct-encoded / sub-delims ), the digits and dots
    // of an IPv4address being a subset; '%' is checked as pct-encoded separately.
    private static readonly System.Buffers.SearchValues<char> s_regNameChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=");

    /// <summary>
    /// Checks <paramref name="request"/> and finds how its body is framed.
    /// </summary>
    /// <param name="request">The parsed head.</param>
    /// <param name="maxBodySize">The largest body accepted; a Content-Length above it is refused with <see cref="HttpRequestRejection.BodyTooLarge"/> at once.</param>
    /// <param name="framing">The framing, persistence and expectation, when the result is <see cref="HttpRequestRejection.None"/>.</param>
    /// <returns><see cref="HttpRequestRejection.None"/>, or the first rule the request breaks.</returns>
    public static HttpRequestRejection Check(HttpRequestHead request, long maxBodySize, out HttpRequestFraming framing)
    {
        ArgumentNullException.ThrowIfNull(request);
        framing = default;
        HttpHeaders headers = request.Headers;
        bool http10 = string.Equals(request.Version, Http10, StringComparison.Ordinal);

        HttpRequestRejection host = CheckHost(headers, http10);
        if (host != HttpRequestRejection.None)
        {
            return host;
        }

        bool hasTransferEncoding = headers.Contains(HttpFieldNames.TransferEncoding);
        bool hasContentLength = headers.Contains(HttpFieldNames.ContentLength);
        HttpBodyKind body = HttpBodyKind.None;
        long length = 0;
        if (hasTransferEncoding)
        {
            // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding must be treated as if
            // its framing were faulty, even with a Content-Length.
            if (http10)
            {
                return HttpRequestRejection.TransferEncodingInHttp10;
            }

            // RFC 9112 §6.1 and §6.3 item 3: both fields present is the classic smuggling shape;
            // a server may refuse it and must close the connection either way.
            if (hasContentLength)
            {
                return HttpRequestRejection.ContentLengthWithTransferEncoding;
            }

            HttpRequestRejection coding = CheckTransferEncoding(headers);
            if (coding != HttpRequestRejection.None)
            {
                return coding;
            }

            body = HttpBodyKind.Chunked;
        }
        else if (hasContentLength)
        {
            HttpRequestRejection contentLength = ParseContentLength(headers, out length);
            if (contentLength != HttpRequestRejection.None)
            {
                return contentLength;
            }

            if (length > maxBodySize)
            {
                return HttpRequestRejection.BodyTooLarge;
            }

            body = HttpBodyKind.ContentLength;
        }

        HttpRequestRejection expectation = CheckExpect(headers, http10, out bool expectsContinue);
        if (expectation != HttpRequestRejection.None)
        {
            return expectation;
        }

        // RFC 9112 §9.3: HTTP/1.1 persists unless "close" is sent; HTTP/1.0 persists only with
        // "keep-alive" (RFC 9112 §C.2.2). Other 1.x minor versions are treated as 1.1 (RFC 9110 §2.5).
        bool keepAlive = !headers.ContainsToken(HttpFieldNames.Connection, Close)
            && (!http10 || headers.ContainsToken(HttpFieldNames.Connection, KeepAliveToken));

        bool hasBody = body == HttpBodyKind.Chunked || length > 0;
        framing = new HttpRequestFraming(body, length, keepAlive, expectsContinue && hasBody, http10);
        return HttpRequestRejection.None;
    }

    /// <summary>
    /// RFC 9112 §3.2: a server must answer 400 to an HTTP/1.1 request without Host, and to any
    /// request with more than one Host line or an invalid Host value.
    /// </summary>
    private static HttpRequestRejection CheckHost(HttpHeaders headers, bool http10)
    {
        string? host = headers.GetFirst(HttpFieldNames.Host, out int count);
        if (count > 1)
        {
            return HttpRequestRejection.MultipleHosts;
        }

        if (host is null)
        {
            return http10 ? HttpRequestRejection.None : HttpRequestRejection.MissingHost;
        }

        return IsValidHost(host) ? HttpRequestRejection.None : HttpRequestRejection.InvalidHost;
    }

    /// <summary>
    /// RFC 9110 §7.2: Host = uri-host [ ":" port ], with uri-host = IP-literal / IPv4address /
    /// reg-name and port = *DIGIT (RFC 3986 §3.2.2, §3.2.3). An empty value is allowed: RFC 9112
    /// §3.2 has clients send it when the target URI has no authority.
    /// </summary>
    internal static bool IsValidHost(ReadOnlySpan<char> host)
    {
        ReadOnlySpan<char> port;
        if (host.StartsWith('['))
        {
            // IP-literal = "[" IPv6address "]"; IPvFuture is not accepted.
            int close = host.IndexOf(']');
            if (close < 0 || !IsIPv6(host[1..close]))
            {
                return false;
            }

            ReadOnlySpan<char> rest = host[(close + 1)..];
            if (rest.IsEmpty)
            {
                return true;
            }

            if (rest[0] != ':')
            {
                return false;
            }

            port = rest[1..];
        }
        else
        {
            int colon = host.IndexOf(':');
            ReadOnlySpan<char> name = colon < 0 ? host : host[..colon];
            port = colon < 0 ? [] : host[(colon + 1)..];
            if (!IsRegName(name))
            {
                return false;
            }
        }

        foreach (char c in port)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsIPv6(ReadOnlySpan<char> text) =>
        !text.Contains('%') // a zone identifier would need RFC 6874's "%25"; none is accepted
        && System.Net.IPAddress.TryParse(text, out System.Net.IPAddress? address)
        && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    private static bool IsRegName(ReadOnlySpan<char> name)
    {
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c == '%')
            {
                // pct-encoded = "%" HEXDIG HEXDIG
                if (i + 2 >= name.Length || !char.IsAsciiHexDigit(name[i + 1]) || !char.IsAsciiHexDigit(name[i + 2]))
                {
                    return false;
                }

                i += 2;
            }
            else if (!s_regNameChars.Contains(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// RFC 9112 §6.3 item 4: with Transfer-Encoding in a request, chunked must be the final
    /// coding, or the length cannot be determined and the answer is 400; RFC 9112 §6.1: chunked
    /// is applied at most once, and a coding the server does not understand gets 501. This server
    /// implements chunked alone, so the only accepted value is one chunked, in any case.
    /// </summary>
    private static HttpRequestRejection CheckTransferEncoding(HttpHeaders headers)
    {
        int codings = 0;
        int chunked = 0;
        bool lastIsChunked = false;
        for (int i = 0; i < headers.Count; i++)
        {
            KeyValuePair<string, string> field = headers.FieldAt(i);
            if (!IsName(field, HttpFieldNames.TransferEncoding))
            {
                continue;
            }

            ReadOnlySpan<char> value = field.Value;
            foreach (Range range in value.Split(','))
            {
                // RFC 9110 §5.6.1: empty list elements do not count.
                ReadOnlySpan<char> element = HttpSyntax.TrimOws(value[range]);
                if (element.IsEmpty)
                {
                    continue;
                }

                codings++;

                // RFC 9112 §7: transfer-coding names are case-insensitive; chunked has no
                // parameters, so "chunked;x=y" is some other coding.
                lastIsChunked = element.Equals(Chunked, StringComparison.OrdinalIgnoreCase);
                if (lastIsChunked)
                {
                    chunked++;
                }
            }
        }

        if (!lastIsChunked || chunked > 1)
        {
            return HttpRequestRejection.InvalidTransferEncoding;
        }

        return codings == 1 ? HttpRequestRejection.None : HttpRequestRejection.UnsupportedTransferCoding;
    }

    /// <summary>
    /// RFC 9110 §8.6: Content-Length = 1*DIGIT. RFC 9112 §6.3 item 5: a list of values, or
    /// several lines, is accepted only when every value is valid and all are the same; anything
    /// else is unrecoverable framing (400). No sign, no inner space, no hex, no empty element.
    /// </summary>
    private static HttpRequestRejection ParseContentLength(HttpHeaders headers, out long length)
    {
        length = -1;
        for (int i = 0; i < headers.Count; i++)
        {
            KeyValuePair<string, string> field = headers.FieldAt(i);
            if (!IsName(field, HttpFieldNames.ContentLength))
            {
                continue;
            }

            ReadOnlySpan<char> value = field.Value;
            foreach (Range range in value.Split(','))
            {
                if (!TryParseDigits(HttpSyntax.TrimOws(value[range]), out long element))
                {
                    return HttpRequestRejection.InvalidContentLength;
                }

                if (length >= 0 && element != length)
                {
                    return HttpRequestRejection.ConflictingContentLengths;
                }

                length = element;
            }
        }

        return HttpRequestRejection.None;
    }

    /// <summary>1*DIGIT as a non-negative 63-bit number; false on anything else, including overflow.</summary>
    internal static bool TryParseDigits(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            int digit = c - '0';
            if (value > (long.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    /// <summary>
    /// RFC 9110 §10.1.1: the only expectation is 100-continue (case-insensitive, no parameters);
    /// any other may be answered 417. An HTTP/1.0 request's 100-continue must be ignored.
    /// </summary>
    private static HttpRequestRejection CheckExpect(HttpHeaders headers, bool http10, out bool expectsContinue)
    {
        expectsContinue = false;
        for (int i = 0; i < headers.Count; i++)
        {
            KeyValuePair<string, string> field = headers.FieldAt(i);
            if (!IsName(field, Expect))
            {
                continue;
            }

            ReadOnlySpan<char> value = field.Value;
            foreach (Range range in value.Split(','))
            {
                ReadOnlySpan<char> element = HttpSyntax.TrimOws(value[range]);
                if (element.IsEmpty)
                {
                    continue;
                }

                if (!element.Equals(ContinueExpectation, StringComparison.OrdinalIgnoreCase))
                {
                    return HttpRequestRejection.ExpectationFailed;
                }

                expectsContinue = !http10;
            }
        }

        return HttpRequestRejection.None;
    }

    // RFC 9110 §5.1: field names are case-insensitive.
    private static bool IsName(KeyValuePair<string, string> field, string name) =>
        string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase);
}
