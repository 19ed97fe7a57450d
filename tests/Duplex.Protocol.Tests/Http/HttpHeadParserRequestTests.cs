using System.Buffers;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

public class HttpHeadParserRequestTests
{
    private const string Upgrade =
        "GET /chat?room=1&x=y HTTP/1.1\r\n" +
        "Host: server.example.com\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "\r\n";

    [Fact]
    public void Request_line_and_fields_are_parsed_in_order()
    {
        HttpRequestHead head = HttpBytes.Request(Upgrade);

        Assert.Equal("GET", head.Method);
        Assert.Equal("/chat?room=1&x=y", head.Target);
        Assert.Equal("/chat", head.Path);
        Assert.Equal("room=1&x=y", head.Query);
        Assert.Equal("HTTP/1.1", head.Version);
        Assert.Equal(
            [
                new("Host", "server.example.com"),
                new("Upgrade", "websocket"),
                new("Connection", "Upgrade"),
                new("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                new("Sec-WebSocket-Version", "13"),
            ],
            head.Headers.ToArray<KeyValuePair<string, string>>());
    }

    [Fact]
    public void Target_without_query_has_empty_query()
    {
        HttpRequestHead head = HttpBytes.Request("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("/echo", head.Path);
        Assert.Equal("", head.Query);
    }

    [Fact]
    public void Query_is_everything_after_the_first_question_mark()
    {
        HttpRequestHead head = HttpBytes.Request("GET /a?b?c HTTP/1.1\r\n\r\n");
        Assert.Equal("/a", head.Path);
        Assert.Equal("b?c", head.Query);
    }

    [Fact]
    public void Absolute_form_target_gives_the_path_after_the_authority()
    {
        // RFC 9112 §3.2.2: a server MUST accept the absolute-form.
        HttpRequestHead head = HttpBytes.Request("GET http://example.com:8080/chat?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
        Assert.Equal("http://example.com:8080/chat?x=1", head.Target);
        Assert.Equal("/chat", head.Path);
        Assert.Equal("x=1", head.Query);

        Assert.Equal("/", HttpBytes.Request("GET http://example.com HTTP/1.1\r\n\r\n").Path);
    }

    [Fact]
    public void Http_1_0_is_accepted_by_the_parser()
    {
        Assert.Equal("HTTP/1.0", HttpBytes.Request("GET / HTTP/1.0\r\n\r\n").Version);
    }

    [Fact]
    public void Head_without_fields_is_parsed()
    {
        HttpRequestHead head = HttpBytes.Request("OPTIONS * HTTP/1.1\r\n\r\n");
        Assert.Equal("OPTIONS", head.Method);
        Assert.Equal("*", head.Target);
        Assert.Empty(head.Headers);
    }

    [Fact]
    public void Leading_empty_lines_before_the_request_line_are_skipped_and_consumed()
    {
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the request-line.
        byte[] input = HttpBytes.Of("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        OperationStatus status = HttpHeadParser.TryParseRequest(input, HttpLimits.Default, out HttpRequestHead? head, out int consumed, out _);
        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(input.Length, consumed);
        Assert.Equal("GET", head!.Method);
    }

    [Fact]
    public void Bytes_after_the_head_are_left_alone()
    {
        byte[] input = HttpBytes.Of("GET / HTTP/1.1\r\nHost: a\r\n\r\n\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58");
        OperationStatus status = HttpHeadParser.TryParseRequest(input, HttpLimits.Default, out _, out int consumed, out _);
        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal("GET / HTTP/1.1\r\nHost: a\r\n\r\n".Length, consumed);
    }

    [Fact]
    public void Second_request_pipelined_after_the_head_is_not_consumed()
    {
        const string first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
        byte[] input = HttpBytes.Of(first + "GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
        HttpHeadParser.TryParseRequest(input, HttpLimits.Default, out HttpRequestHead? head, out int consumed, out _);
        Assert.Equal(first.Length, consumed);
        Assert.Equal("/a", head!.Path);
    }

    [Fact]
    public void Ows_around_field_values_is_trimmed_but_inner_whitespace_kept()
    {
        HttpRequestHead head = HttpBytes.Request("GET / HTTP/1.1\r\nX-A: \t a  b \t \r\nX-B:c\r\nX-Empty:   \r\n\r\n");
        Assert.Equal("a  b", head.Headers["X-A"]);
        Assert.Equal("c", head.Headers["x-b"]);
        Assert.Equal("", head.Headers["X-Empty"]);
    }

    [Fact]
    public void Field_names_keep_their_case_and_are_looked_up_case_insensitively()
    {
        HttpRequestHead head = HttpBytes.Request("GET / HTTP/1.1\r\nhOsT: a\r\nUPGRADE: websocket\r\n\r\n");
        Assert.Equal("hOsT", head.Headers.First().Key);
        Assert.Equal("a", head.Headers["Host"]);
        Assert.True(head.Headers.ContainsToken("upgrade", "WebSocket"));
    }

    [Fact]
    public void Obs_text_in_a_value_is_decoded_as_latin1()
    {
        HttpRequestHead head = HttpBytes.Request("GET / HTTP/1.1\r\nX-Name: caf\xe9 \xff\r\n\r\n");
        Assert.Equal("café ÿ", head.Headers["X-Name"]);
    }

    [Fact]
    public void Repeated_fields_are_all_kept()
    {
        HttpRequestHead head = HttpBytes.Request("GET / HTTP/1.1\r\nSec-WebSocket-Protocol: a, b\r\nX: 1\r\nsec-websocket-protocol: c\r\n\r\n");
        Assert.Equal(["a, b", "c"], head.Headers.GetValues("Sec-WebSocket-Protocol"));
        Assert.Equal("a, b, c", head.Headers["SEC-WEBSOCKET-PROTOCOL"]);
        Assert.Equal(["a", "b", "c"], head.Headers.GetTokens("Sec-WebSocket-Protocol"));
    }

    [Theory]
    [InlineData("GET  / HTTP/1.1\r\n\r\n")]
    [InlineData("GET /  HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 \r\n\r\n")]
    [InlineData(" GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET\t/ HTTP/1.1\r\n\r\n")]
    [InlineData("GET /\tHTTP/1.1\r\n\r\n")]
    public void Request_line_needs_exactly_single_spaces(string input)
    {
        Assert.Equal(HttpParseError.InvalidRequestLine, HttpBytes.RequestError(input));
    }

    [Theory]
    [InlineData("GET /\r\n\r\n")]
    [InlineData("GET\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 extra\r\n\r\n")]
    public void Request_line_needs_three_parts(string input)
    {
        Assert.Equal(HttpParseError.InvalidRequestLine, HttpBytes.RequestError(input));
    }

    [Theory]
    [InlineData("G(T / HTTP/1.1\r\n\r\n")]
    [InlineData("GE\"T / HTTP/1.1\r\n\r\n")]
    [InlineData("G\x80T / HTTP/1.1\r\n\r\n")]
    public void Method_must_be_a_token(string input)
    {
        Assert.Equal(HttpParseError.InvalidRequestLine, HttpBytes.RequestError(input));
    }

    [Theory]
    [InlineData("GET /caf\xe9 HTTP/1.1\r\n\r\n")]
    [InlineData("GET /a\x7f HTTP/1.1\r\n\r\n")]
    [InlineData("GET /a\0b HTTP/1.1\r\n\r\n")]
    [InlineData("GET /a\rb HTTP/1.1\r\n\r\n")]
    public void Request_target_must_be_visible_ascii(string input)
    {
        Assert.Equal(HttpParseError.InvalidRequestLine, HttpBytes.RequestError(input));
    }

    [Theory]
    [InlineData("GET / http/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1\r\n\r\n")]
    [InlineData("GET / HTTP/1.11\r\n\r\n")]
    [InlineData("GET / HTTP/x.1\r\n\r\n")]
    [InlineData("GET / HTTP/1,1\r\n\r\n")]
    [InlineData("GET / HTTPS/1.1\r\n\r\n")]
    public void Malformed_http_version_is_an_invalid_request_line(string input)
    {
        Assert.Equal(HttpParseError.InvalidRequestLine, HttpBytes.RequestError(input));
    }

    [Theory]
    [InlineData("GET / HTTP/2.0\r\n\r\n")]
    [InlineData("GET / HTTP/0.9\r\n\r\n")]
    [InlineData("GET / HTTP/3.0\r\n\r\n")]
    public void Well_formed_version_other_than_1_x_is_unsupported(string input)
    {
        Assert.Equal(HttpParseError.UnsupportedHttpVersion, HttpBytes.RequestError(input));
    }

    [Fact]
    public void Obs_fold_is_rejected()
    {
        // RFC 9112 §5.2: a server MUST reject obs-fold (or replace it; Duplex rejects).
        Assert.Equal(HttpParseError.ObsoleteLineFolding, HttpBytes.RequestError("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n"));
        Assert.Equal(HttpParseError.ObsoleteLineFolding, HttpBytes.RequestError("GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n"));
    }

    [Fact]
    public void Whitespace_line_right_after_the_request_line_is_rejected()
    {
        // RFC 9112 §2.2: whitespace between the start-line and the first field: reject.
        Assert.Equal(HttpParseError.ObsoleteLineFolding, HttpBytes.RequestError("GET / HTTP/1.1\r\n Host: a\r\n\r\n"));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\n")]
    [InlineData("\nGET / HTTP/1.1\r\n\r\n")]
    public void Bare_LF_is_rejected(string input)
    {
        Assert.Equal(HttpParseError.BareLineFeed, HttpBytes.RequestError(input));
    }

    [Fact]
    public void Bare_CR_in_a_value_is_rejected()
    {
        Assert.Equal(HttpParseError.InvalidHeaderValue, HttpBytes.RequestError("GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n"));
    }

    [Fact]
    public void Whitespace_before_the_colon_is_rejected()
    {
        // RFC 9112 §5.1: no whitespace is allowed between the field name and colon.
        Assert.Equal(HttpParseError.InvalidHeaderName, HttpBytes.RequestError("GET / HTTP/1.1\r\nHost : a\r\n\r\n"));
        Assert.Equal(HttpParseError.InvalidHeaderName, HttpBytes.RequestError("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n"));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n: empty-name\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nX(A): a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nX/A: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nX\x80: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nX\0A: a\r\n\r\n")]
    public void Field_name_must_be_a_token(string input)
    {
        Assert.Equal(HttpParseError.InvalidHeaderName, HttpBytes.RequestError(input));
    }

    [Theory]
    [InlineData("X-A: a\0b")]
    [InlineData("X-A: a\x01")]
    [InlineData("X-A: \x1f")]
    [InlineData("X-A: a\x7f")]
    [InlineData("X-A: \x0b")]
    public void Control_characters_in_a_value_are_rejected(string field)
    {
        Assert.Equal(HttpParseError.InvalidHeaderValue, HttpBytes.RequestError("GET / HTTP/1.1\r\n" + field + "\r\n\r\n"));
    }

    [Fact]
    public void Horizontal_tab_inside_a_value_is_allowed()
    {
        Assert.Equal("a\tb", HttpBytes.Request("GET / HTTP/1.1\r\nX-A: a\tb\r\n\r\n").Headers["X-A"]);
    }

    [Fact]
    public void Field_line_without_colon_is_rejected()
    {
        Assert.Equal(HttpParseError.MissingColon, HttpBytes.RequestError("GET / HTTP/1.1\r\nHost a\r\n\r\n"));
    }

    [Fact]
    public void First_fault_in_the_stream_is_reported()
    {
        Assert.Equal(HttpParseError.MissingColon, HttpBytes.RequestError("GET / HTTP/1.1\r\nHost a\r\nX A: b\r\n\r\n"));
        Assert.Equal(HttpParseError.InvalidHeaderName, HttpBytes.RequestError("GET / HTTP/1.1\r\nX A: b\r\nHost a\r\n\r\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("GET / HTTP/1.1")]
    [InlineData("GET / HTTP/1.1\r")]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r")]
    [InlineData("\r\n")]
    public void Incomplete_head_needs_more_data(string input)
    {
        OperationStatus status = HttpHeadParser.TryParseRequest(HttpBytes.Of(input), HttpLimits.Default, out HttpRequestHead? head, out int consumed, out HttpParseError error);
        Assert.Equal(OperationStatus.NeedMoreData, status);
        Assert.Null(head);
        Assert.Equal(0, consumed);
        Assert.Equal(HttpParseError.None, error);
    }

    [Fact]
    public void Error_in_a_complete_line_is_reported_before_the_head_ends()
    {
        Assert.Equal(HttpParseError.InvalidRequestLine, HttpBytes.RequestError("GET  / HTTP/1.1\r\nHost: a"));
        Assert.Equal(HttpParseError.InvalidHeaderValue, HttpBytes.RequestError("GET / HTTP/1.1\r\nX: \0\r\nHost"));
    }
}
