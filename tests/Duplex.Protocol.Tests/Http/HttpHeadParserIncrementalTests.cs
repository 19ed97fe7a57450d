using System.Buffers;
using System.Text;
using CsCheck;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

/// <summary>
/// The caller re-parses a growing buffer, so the answer must not depend on where the bytes were
/// split: every strict prefix of a head needs more data, and once any prefix is decided (done or
/// invalid) every longer buffer gives the same decision.
/// </summary>
public class HttpHeadParserIncrementalTests
{
    public static TheoryData<string> ValidRequests() => new()
    {
        "GET / HTTP/1.1\r\n\r\n",
        "\r\nGET /chat?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
        "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: chat, superchat\r\n" +
            "Sec-WebSocket-Version: 13\r\nX-Empty:\r\nX-Latin1: caf\xe9\r\n\r\n",
    };

    public static TheoryData<string> ValidResponses() => new()
    {
        "HTTP/1.1 101\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
    };

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public void Every_strict_prefix_of_a_request_head_needs_more_data(string text)
    {
        byte[] input = HttpBytes.Of(text);
        for (int length = 0; length < input.Length; length++)
        {
            OperationStatus status = HttpHeadParser.TryParseRequest(input.AsSpan(0, length), HttpLimits.Default, out HttpRequestHead? head, out int consumed, out HttpParseError error);
            Assert.True(status == OperationStatus.NeedMoreData, $"prefix of {length} bytes gave {status} {error}");
            Assert.Null(head);
            Assert.Equal(0, consumed);
        }
    }

    [Theory]
    [MemberData(nameof(ValidResponses))]
    public void Every_strict_prefix_of_a_response_head_needs_more_data(string text)
    {
        byte[] input = HttpBytes.Of(text);
        for (int length = 0; length < input.Length; length++)
        {
            Assert.Equal(OperationStatus.NeedMoreData, HttpHeadParser.TryParseResponse(input.AsSpan(0, length), HttpLimits.Default, out _, out _, out _));
        }
    }

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public void Request_head_parses_the_same_from_every_prefix_and_remainder(string text)
    {
        byte[] head = HttpBytes.Of(text);
        byte[] input = [.. head, .. "\x82\x00next"u8];
        string expected = Describe(Request(input, input.Length, HttpLimits.Default));
        Assert.StartsWith($"Done {head.Length} ", expected, StringComparison.Ordinal);
        for (int split = 0; split <= input.Length; split++)
        {
            Assert.Equal(expected, FeedInTwoParts(input, split));
        }
    }

    [Fact]
    public void Head_fed_one_byte_at_a_time_is_parsed_once_it_is_complete()
    {
        byte[] input = HttpBytes.Of("GET /a HTTP/1.1\r\nHost: h\r\n\r\nrest");
        int calls = 0;
        for (int length = 0; length <= input.Length; length++)
        {
            calls++;
            if (HttpHeadParser.TryParseRequest(input.AsSpan(0, length), HttpLimits.Default, out HttpRequestHead? head, out int consumed, out _) == OperationStatus.Done)
            {
                Assert.Equal(input.Length - 4, consumed);
                Assert.Equal("h", head!.Headers["Host"]);
                break;
            }
        }

        Assert.Equal(input.Length - 3, calls);
    }

    [Fact]
    public void Generated_request_heads_parse_back_to_their_fields_from_every_prefix()
    {
        Gen<string> name = Gen.String[Gen.Char["!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"], 1, 12];
        Gen<string> value = Gen.Select(
                Gen.String[Gen.Char["abcXYZ019 \t!\"#,;=/\\~\x80\xa0\xe9\xff"], 0, 20],
                text => text.Trim(' ', '\t'));
        Gen<(string Name, string Value, string Ows1, string Ows2)> field = Gen.Select(
            name, value, Gen.OneOfConst("", " ", "\t", "  \t"), Gen.OneOfConst("", " ", "\t "));
        Gen<(string Name, string Value, string Ows1, string Ows2)[]> fields = field.Array[0, 12];
        Gen<string> target = Gen.Select(
            Gen.String[Gen.Char["abc/%-._~!$&'()*+,;=:@"], 0, 15],
            Gen.OneOfConst("", "?", "?q=1&r=2"),
            (path, query) => "/" + path + query);

        Gen.Select(Gen.OneOfConst("GET", "POST", "X-Custom"), target, fields).Sample((method, requestTarget, lines) =>
        {
            var text = new StringBuilder($"{method} {requestTarget} HTTP/1.1\r\n");
            foreach ((string n, string v, string ows1, string ows2) in lines)
            {
                text.Append(n).Append(':').Append(ows1).Append(v).Append(ows2).Append("\r\n");
            }

            text.Append("\r\n");
            byte[] input = HttpBytes.Of(text.ToString());

            OperationStatus status = HttpHeadParser.TryParseRequest(input, HttpLimits.Default, out HttpRequestHead? head, out int consumed, out HttpParseError error);
            Assert.Equal(OperationStatus.Done, status);
            Assert.Equal(HttpParseError.None, error);
            Assert.Equal(input.Length, consumed);
            Assert.Equal(method, head!.Method);
            Assert.Equal(requestTarget, head.Target);
            Assert.Equal(lines.Select(l => new KeyValuePair<string, string>(l.Name, l.Value)), head.Headers);
            for (int length = 0; length < input.Length; length++)
            {
                Assert.Equal(OperationStatus.NeedMoreData, HttpHeadParser.TryParseRequest(input.AsSpan(0, length), HttpLimits.Default, out _, out _, out _));
            }
        }, iter: 300);
    }

    [Fact]
    public void Any_input_gives_the_same_decision_from_every_prefix_once_decided()
    {
        // Pieces that reach every state and fault of the parser, with small limits so that the
        // limit checks meet the syntax checks.
        Gen<string> piece = Gen.OneOfConst(
            "GET", "POST", " ", "/", "/a?b", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1", "101", "200", "OK",
            "\r\n", "\r\n", "\r\n", "\r", "\n", ":", ": ", "Host", "X-A", "value", "\t", "\0", "\x7f", "\xe9", "\r\n\r\n");
        Gen<string> soup = Gen.Select(piece.Array[0, 24], parts => string.Concat(parts));
        Gen<string> input = Gen.Select(
            Gen.OneOfConst("", "GET / HTTP/1.1\r\n", "HTTP/1.1 101 OK\r\n", "\r\n"),
            soup,
            (start, rest) => start + rest);
        Gen<HttpLimits> limits = Gen.Select(Gen.Int[4, 40], Gen.Int[3, 20], Gen.Int[1, 4], Gen.Int[8, 120], (start, line, count, size) =>
            new HttpLimits { MaxStartLineLength = start, MaxHeaderLineLength = line, MaxHeaderCount = count, MaxHeadSize = size });

        Gen.Select(input, limits).Sample((text, limit) =>
        {
            byte[] bytes = HttpBytes.Of(text + "\r\n\r\n");
            AssertStableAcrossPrefixes(bytes, length => Describe(Request(bytes, length, limit)));
            AssertStableAcrossPrefixes(bytes, length => Describe(Response(bytes, length, limit)));
        }, iter: 2000);
    }

    private static void AssertStableAcrossPrefixes(byte[] bytes, Func<int, string> parse)
    {
        string? decided = null;
        int decidedAt = -1;
        for (int length = 0; length <= bytes.Length; length++)
        {
            string result = parse(length);
            if (decided is null)
            {
                if (!result.StartsWith(nameof(OperationStatus.NeedMoreData), StringComparison.Ordinal))
                {
                    decided = result;
                    decidedAt = length;
                }
            }
            else
            {
                Assert.True(
                    decided == result,
                    $"'{Escape(bytes)}': {decidedAt} bytes gave '{decided}' but {length} bytes gave '{result}'");
            }
        }
    }

    private static string FeedInTwoParts(byte[] input, int split)
    {
        // What a caller does: parse what has arrived, and if more is needed append and parse again.
        (OperationStatus Status, int Consumed, HttpParseError Error, HttpRequestHead? Head) first = Request(input, split, HttpLimits.Default);
        return first.Status == OperationStatus.NeedMoreData ? Describe(Request(input, input.Length, HttpLimits.Default)) : Describe(first);
    }

    private static (OperationStatus, int, HttpParseError, HttpRequestHead?) Request(byte[] bytes, int length, HttpLimits limits)
    {
        OperationStatus status = HttpHeadParser.TryParseRequest(bytes.AsSpan(0, length), limits, out HttpRequestHead? head, out int consumed, out HttpParseError error);
        return (status, consumed, error, head);
    }

    private static (OperationStatus, int, HttpParseError, HttpResponseHead?) Response(byte[] bytes, int length, HttpLimits limits)
    {
        OperationStatus status = HttpHeadParser.TryParseResponse(bytes.AsSpan(0, length), limits, out HttpResponseHead? head, out int consumed, out HttpParseError error);
        return (status, consumed, error, head);
    }

    private static string Describe((OperationStatus Status, int Consumed, HttpParseError Error, HttpRequestHead? Head) r) =>
        $"{r.Status} {r.Consumed} {r.Error} {r.Head?.Method} {r.Head?.Target} {r.Head?.Version} {Fields(r.Head?.Headers)}";

    private static string Describe((OperationStatus Status, int Consumed, HttpParseError Error, HttpResponseHead? Head) r) =>
        $"{r.Status} {r.Consumed} {r.Error} {r.Head?.Version} {r.Head?.StatusCode} {r.Head?.ReasonPhrase} {Fields(r.Head?.Headers)}";

    private static string Fields(HttpHeaders? headers) =>
        headers is null ? "" : string.Join("|", headers.Select(f => f.Key + "=" + f.Value));

    private static string Escape(byte[] bytes) =>
        HttpBytes.Text(bytes).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\0", "\\0", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}
