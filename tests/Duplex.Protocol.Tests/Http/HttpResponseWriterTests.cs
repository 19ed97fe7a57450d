using System.Buffers;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

public class HttpResponseWriterTests
{
    [Fact]
    public void Response_with_body_gets_content_length()
    {
        var output = new ArrayBufferWriter<byte>();
        HttpResponseWriter.Write(output, 404, "Not Found", [new("Content-Type", "text/plain")], "nope"u8);
        Assert.Equal("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nnope", HttpBytes.Text(output));
    }

    [Fact]
    public void Response_without_body_gets_content_length_zero()
    {
        var output = new ArrayBufferWriter<byte>();
        HttpResponseWriter.Write(output, 200, "OK");
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", HttpBytes.Text(output));
    }

    [Theory]
    [InlineData(101, "Switching Protocols")]
    [InlineData(100, "Continue")]
    [InlineData(204, "No Content")]
    public void Status_without_content_gets_no_content_length(int status, string reason)
    {
        // RFC 9110 §8.6: a server MUST NOT send Content-Length in a 1xx or 204 response.
        var output = new ArrayBufferWriter<byte>();
        HttpResponseWriter.Write(output, status, reason, [new("Upgrade", "websocket")]);
        Assert.Equal($"HTTP/1.1 {status} {reason}\r\nUpgrade: websocket\r\n\r\n", HttpBytes.Text(output));
    }

    [Fact]
    public void Given_content_length_is_not_repeated()
    {
        var output = new ArrayBufferWriter<byte>();
        HttpResponseWriter.Write(output, 200, "OK", [new("content-length", "2")], "hi"u8);
        Assert.Equal("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi", HttpBytes.Text(output));
    }

    [Fact]
    public void Transfer_encoding_response_gets_no_content_length()
    {
        // RFC 9112 §6.2: never both Content-Length and Transfer-Encoding (e.g. a streamed event stream).
        var output = new ArrayBufferWriter<byte>();
        HttpResponseWriter.Write(output, 200, "OK", [new("Content-Type", "text/event-stream"), new("Transfer-Encoding", "chunked")]);
        Assert.DoesNotContain("Content-Length", HttpBytes.Text(output), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_reason_keeps_the_space_the_grammar_requires()
    {
        var output = new ArrayBufferWriter<byte>();
        HttpResponseWriter.Write(output, 599, HttpResponseWriter.ReasonPhrase(599));
        Assert.StartsWith("HTTP/1.1 599 \r\n", HttpBytes.Text(output), StringComparison.Ordinal);
    }

    [Fact]
    public void Lazy_header_sequence_is_read_once_and_written_in_order()
    {
        int enumerations = 0;
        IEnumerable<KeyValuePair<string, string>> Lazy()
        {
            enumerations++;
            yield return new("A", "1");
            yield return new("B", "2");
        }

        var output = new ArrayBufferWriter<byte>();
        HttpResponseWriter.Write(output, 200, "OK", Lazy());
        Assert.Equal(1, enumerations);
        Assert.Equal("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 0\r\n\r\n", HttpBytes.Text(output));
    }

    [Fact]
    public void Written_response_parses_back()
    {
        var output = new ArrayBufferWriter<byte>();
        HttpResponseWriter.Write(output, 426, "Upgrade Required", [new("Sec-WebSocket-Version", "13"), new("X-Latin1", "caf\u00e9")], "body"u8);
        int headLength = output.WrittenCount - 4;
        HttpResponseHead head = HttpBytes.Response(output.WrittenSpan[..headLength]);
        Assert.Equal(426, head.StatusCode);
        Assert.Equal("Upgrade Required", head.ReasonPhrase);
        Assert.Equal("13", head.Headers["Sec-WebSocket-Version"]);
        Assert.Equal("caf\u00e9", head.Headers["X-Latin1"]);
        Assert.Equal("4", head.Headers["Content-Length"]);
    }

    [Theory]
    [InlineData("X-A", "a\r\nSet-Cookie: evil=1")]
    [InlineData("X-A", "a\nb")]
    [InlineData("X-A", "a\0")]
    [InlineData("X A", "b")]
    [InlineData("X-A:", "b")]
    [InlineData("X-A", "\u20ac")]
    public void Header_injection_is_refused_and_nothing_is_written(string name, string value)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => HttpResponseWriter.Write(output, 200, "OK", [new("Ok", "fine"), new(name, value)]));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Reason_phrase_with_CRLF_is_refused()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => HttpResponseWriter.Write(output, 200, "OK\r\nX: y"));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(600)]
    public void Status_code_outside_100_to_599_is_refused(int status)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HttpResponseWriter.Write(new ArrayBufferWriter<byte>(), status, "X"));
    }

    [Fact]
    public void Body_on_a_204_is_refused()
    {
        Assert.Throws<ArgumentException>(() => HttpResponseWriter.Write(new ArrayBufferWriter<byte>(), 204, "No Content", body: "x"u8));
    }

    [Fact]
    public void Content_length_that_does_not_match_the_body_is_refused()
    {
        Assert.Throws<ArgumentException>(() => HttpResponseWriter.Write(new ArrayBufferWriter<byte>(), 200, "OK", [new("Content-Length", "3")], "four"u8));
    }

    [Theory]
    [InlineData(101, "Switching Protocols")]
    [InlineData(200, "OK")]
    [InlineData(400, "Bad Request")]
    [InlineData(403, "Forbidden")]
    [InlineData(404, "Not Found")]
    [InlineData(405, "Method Not Allowed")]
    [InlineData(408, "Request Timeout")]
    [InlineData(413, "Content Too Large")]
    [InlineData(414, "URI Too Long")]
    [InlineData(426, "Upgrade Required")]
    [InlineData(431, "Request Header Fields Too Large")]
    [InlineData(500, "Internal Server Error")]
    [InlineData(503, "Service Unavailable")]
    [InlineData(505, "HTTP Version Not Supported")]
    public void Reason_phrases_are_those_of_RFC_9110(int status, string reason)
    {
        Assert.Equal(reason, HttpResponseWriter.ReasonPhrase(status));
    }
}
