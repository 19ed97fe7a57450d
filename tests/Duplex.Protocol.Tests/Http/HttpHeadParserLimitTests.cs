using System.Buffers;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

public class HttpHeadParserLimitTests
{
    [Fact]
    public void Defaults_are_the_documented_values()
    {
        HttpLimits limits = HttpLimits.Default;
        Assert.Equal(8192, limits.MaxStartLineLength);
        Assert.Equal(8192, limits.MaxHeaderLineLength);
        Assert.Equal(100, limits.MaxHeaderCount);
        Assert.Equal(16384, limits.MaxHeadSize);
    }

    [Fact]
    public void Zero_or_negative_limit_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpLimits { MaxHeadSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpLimits { MaxHeaderCount = -1 });
    }

    [Fact]
    public void Request_line_at_the_limit_is_accepted()
    {
        var limits = new HttpLimits { MaxStartLineLength = 14 };
        Assert.Equal(OperationStatus.Done, Parse("GET / HTTP/1.1\r\n\r\n", limits, out _));
    }

    [Fact]
    public void Request_line_one_byte_over_the_limit_is_rejected_with_414()
    {
        var limits = new HttpLimits { MaxStartLineLength = 14 };
        Assert.Equal(HttpParseError.StartLineTooLong, HttpBytes.RequestError("GET /a HTTP/1.1\r\n\r\n", limits));
        Assert.Equal(414, HttpParseErrors.StatusCodeFor(HttpParseError.StartLineTooLong));
    }

    [Fact]
    public void Overlong_request_line_is_rejected_before_its_CRLF_arrives()
    {
        var limits = new HttpLimits { MaxStartLineLength = 14 };

        // 15 bytes that could still be 14 + CR: not known yet.
        Assert.Equal(OperationStatus.NeedMoreData, Parse("GET /a HTTP/1.1", limits, out _));

        // 16 bytes without LF: the line is longer than 14 whatever follows.
        Assert.Equal(OperationStatus.InvalidData, Parse("GET /ab HTTP/1.1", limits, out HttpParseError error));
        Assert.Equal(HttpParseError.StartLineTooLong, error);
    }

    [Fact]
    public void Endless_request_line_at_default_limits_is_rejected_without_waiting_for_the_head_limit()
    {
        string input = "GET /" + new string('a', 8200);
        Assert.Equal(OperationStatus.InvalidData, Parse(input, HttpLimits.Default, out HttpParseError error));
        Assert.Equal(HttpParseError.StartLineTooLong, error);
    }

    [Fact]
    public void Status_line_over_the_limit_is_rejected()
    {
        var limits = new HttpLimits { MaxStartLineLength = 12 };
        Assert.Equal(HttpParseError.StartLineTooLong, HttpBytes.ResponseError("HTTP/1.1 101 Switching", limits));
    }

    [Fact]
    public void Header_line_over_the_limit_is_rejected_with_431()
    {
        var limits = new HttpLimits { MaxHeaderLineLength = 8 };
        Assert.Equal(OperationStatus.Done, Parse("GET / HTTP/1.1\r\nX-A: 123\r\n\r\n", limits, out _));
        Assert.Equal(HttpParseError.HeaderLineTooLong, HttpBytes.RequestError("GET / HTTP/1.1\r\nX-A: 1234\r\n\r\n", limits));
        Assert.Equal(HttpParseError.HeaderLineTooLong, HttpBytes.RequestError("GET / HTTP/1.1\r\nX-A: 12345", limits));
        Assert.Equal(431, HttpParseErrors.StatusCodeFor(HttpParseError.HeaderLineTooLong));
    }

    [Fact]
    public void Too_many_headers_is_rejected_with_431()
    {
        var limits = new HttpLimits { MaxHeaderCount = 2 };
        Assert.Equal(OperationStatus.Done, Parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", limits, out _));
        Assert.Equal(HttpParseError.TooManyHeaders, HttpBytes.RequestError("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits));
        Assert.Equal(431, HttpParseErrors.StatusCodeFor(HttpParseError.TooManyHeaders));
    }

    [Fact]
    public void Too_many_headers_is_rejected_before_the_head_ends()
    {
        var limits = new HttpLimits { MaxHeaderCount = 2 };
        Assert.Equal(HttpParseError.TooManyHeaders, HttpBytes.RequestError("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n", limits));
    }

    [Fact]
    public void Head_exactly_at_the_size_limit_is_accepted()
    {
        const string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        var limits = new HttpLimits { MaxHeadSize = head.Length };
        Assert.Equal(OperationStatus.Done, Parse(head, limits, out _));
    }

    [Fact]
    public void Head_one_byte_over_the_size_limit_is_rejected_with_431()
    {
        const string head = "GET / HTTP/1.1\r\nHost: ab\r\n\r\n";
        var limits = new HttpLimits { MaxHeadSize = head.Length - 1 };
        Assert.Equal(HttpParseError.HeadTooLarge, HttpBytes.RequestError(head, limits));
        Assert.Equal(431, HttpParseErrors.StatusCodeFor(HttpParseError.HeadTooLarge));
    }

    [Fact]
    public void Unterminated_head_is_rejected_once_the_buffer_reaches_the_size_limit()
    {
        var limits = new HttpLimits { MaxHeadSize = 64 };
        string partial = "GET / HTTP/1.1\r\n";
        while (partial.Length < 63)
        {
            partial += "A: 1\r\n";
        }

        partial = partial[..63];
        Assert.Equal(OperationStatus.NeedMoreData, Parse(partial, limits, out _));
        Assert.Equal(HttpParseError.HeadTooLarge, HttpBytes.RequestError(partial + "x", limits));
        Assert.Equal(HttpParseError.HeadTooLarge, HttpBytes.RequestError(partial + "x\r\n\r\n", limits));
    }

    [Fact]
    public void Leading_empty_lines_count_toward_the_head_size()
    {
        var limits = new HttpLimits { MaxHeadSize = 32 };
        string input = string.Concat(Enumerable.Repeat("\r\n", 16)) + "GET / HTTP/1.1\r\n\r\n";
        Assert.Equal(HttpParseError.HeadTooLarge, HttpBytes.RequestError(input, limits));
    }

    [Fact]
    public void Default_limits_accept_a_browser_sized_head()
    {
        string head = "GET /chat HTTP/1.1\r\nHost: example.com\r\nCookie: " + new string('c', 4000) + "\r\n";
        for (int i = 0; i < 30; i++)
        {
            head += $"X-Header-{i}: value {i}\r\n";
        }

        Assert.Equal(OperationStatus.Done, Parse(head + "\r\n", HttpLimits.Default, out _));
    }

    private static OperationStatus Parse(string text, HttpLimits limits, out HttpParseError error) =>
        HttpHeadParser.TryParseRequest(HttpBytes.Of(text), limits, out _, out _, out error);
}
