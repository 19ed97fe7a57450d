using System.Buffers;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

public class HttpHeadParserResponseTests
{
    [Fact]
    public void Status_line_and_fields_are_parsed()
    {
        HttpResponseHead head = HttpBytes.Response(
            "HTTP/1.1 101 Switching Protocols\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
            "\r\n");

        Assert.Equal("HTTP/1.1", head.Version);
        Assert.Equal(101, head.StatusCode);
        Assert.Equal("Switching Protocols", head.ReasonPhrase);
        Assert.Equal(3, head.Headers.Count);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head.Headers["sec-websocket-accept"]);
    }

    [Fact]
    public void Empty_reason_phrase_after_the_space_is_allowed()
    {
        HttpResponseHead head = HttpBytes.Response("HTTP/1.1 101 \r\n\r\n");
        Assert.Equal(101, head.StatusCode);
        Assert.Equal("", head.ReasonPhrase);
    }

    [Fact]
    public void Missing_space_before_an_empty_reason_phrase_is_tolerated()
    {
        // RFC 9112 §4: a client SHOULD accept a status-line without the SP before an empty reason.
        HttpResponseHead head = HttpBytes.Response("HTTP/1.1 101\r\n\r\n");
        Assert.Equal(101, head.StatusCode);
        Assert.Equal("", head.ReasonPhrase);
    }

    [Fact]
    public void Reason_phrase_keeps_inner_spaces_tabs_and_obs_text()
    {
        Assert.Equal("Not  Found\tHere \xe9", HttpBytes.Response("HTTP/1.0 404 Not  Found\tHere \xe9\r\n\r\n").ReasonPhrase);
    }

    [Fact]
    public void Response_bytes_after_the_head_are_left_alone()
    {
        const string head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
        byte[] input = HttpBytes.Of(head + "\x81\x05hello");
        Assert.Equal(OperationStatus.Done, HttpHeadParser.TryParseResponse(input, HttpLimits.Default, out _, out int consumed, out _));
        Assert.Equal(head.Length, consumed);
    }

    [Theory]
    [InlineData("HTTP/1.1 10 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 1011 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 abc OK\r\n\r\n")]
    [InlineData("HTTP/1.1  101 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 600 OK\r\n\r\n")]
    [InlineData("HTTP/1.1\r\n\r\n")]
    [InlineData("HTTP/1.1 101OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 O\0K\r\n\r\n")]
    [InlineData("http/1.1 200 OK\r\n\r\n")]
    [InlineData("HTTP/1 200 OK\r\n\r\n")]
    [InlineData("ICY 200 OK\r\n\r\n")]
    public void Malformed_status_line_is_rejected(string input)
    {
        Assert.Equal(HttpParseError.InvalidStatusLine, HttpBytes.ResponseError(input));
    }

    [Fact]
    public void Response_does_not_skip_leading_empty_lines()
    {
        Assert.Equal(HttpParseError.InvalidStatusLine, HttpBytes.ResponseError("\r\nHTTP/1.1 101 OK\r\n\r\n"));
    }

    [Fact]
    public void Response_with_http_2_version_is_unsupported()
    {
        Assert.Equal(HttpParseError.UnsupportedHttpVersion, HttpBytes.ResponseError("HTTP/2.0 200 OK\r\n\r\n"));
    }

    [Fact]
    public void Response_field_rules_match_request_field_rules()
    {
        Assert.Equal(HttpParseError.ObsoleteLineFolding, HttpBytes.ResponseError("HTTP/1.1 101 OK\r\nA: b\r\n c\r\n\r\n"));
        Assert.Equal(HttpParseError.BareLineFeed, HttpBytes.ResponseError("HTTP/1.1 101 OK\nA: b\r\n\r\n"));
        Assert.Equal(HttpParseError.InvalidHeaderName, HttpBytes.ResponseError("HTTP/1.1 101 OK\r\nA : b\r\n\r\n"));
        Assert.Equal(HttpParseError.InvalidHeaderValue, HttpBytes.ResponseError("HTTP/1.1 101 OK\r\nA: \0\r\n\r\n"));
        Assert.Equal(HttpParseError.MissingColon, HttpBytes.ResponseError("HTTP/1.1 101 OK\r\nA\r\n\r\n"));
    }
}
