using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

/// <summary>RFC 9112 §6: how a request body is delimited, and every shape that could let two parsers disagree about it.</summary>
public class HttpRequestFramingTests
{
    private static HttpRequestRejection Refused(string head, long maxBody = ServerDriver.DefaultMaxBody) =>
        new ServerDriver(maxBody).RefuseHead(head);

    [Fact]
    public void Request_without_content_length_or_transfer_encoding_has_no_body()
    {
        var driver = new ServerDriver();
        Assert.Equal("GET /next HTTP/1.1\r\n\r\n", driver.AcceptHead("POST /a HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\n\r\n"));

        Assert.Equal(HttpBodyKind.None, driver.Connection.Framing.Body);
        Assert.Equal(HttpRequestPhase.Complete, driver.Connection.RequestPhase);
    }

    [Fact]
    public void Request_with_content_length_has_a_body_of_exactly_that_length()
    {
        var driver = new ServerDriver();
        string rest = driver.AcceptHead("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n");

        (string body, HttpServerEvent e, string after) = driver.ReadBody(rest);

        Assert.Equal("hello", body);
        Assert.Equal(HttpServerEvent.EndOfBody, e);
        Assert.Equal("GET / HTTP/1.1\r\n", after);
        Assert.Equal(HttpRequestPhase.Complete, driver.Connection.RequestPhase);
    }

    [Fact]
    public void Content_length_of_zero_means_no_body()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(HttpRequestPhase.Complete, driver.Connection.RequestPhase);
    }

    [Theory]
    [InlineData("+5")]
    [InlineData("-5")]
    [InlineData("5 5")]
    [InlineData("0x5")]
    [InlineData("5.0")]
    [InlineData("1e3")]
    [InlineData("five")]
    [InlineData("")]
    [InlineData("\u00b35")]
    public void Content_length_that_is_not_only_digits_is_refused_with_400(string value)
    {
        HttpRequestRejection rejection = Refused($"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {value}\r\n\r\n");

        Assert.Equal(HttpRequestRejection.InvalidContentLength, rejection);
        Assert.Equal(400, HttpRequestRejections.StatusCodeFor(rejection));
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("99999999999999999999999")]
    public void Content_length_that_does_not_fit_in_63_bits_is_refused_with_400(string value)
    {
        Assert.Equal(HttpRequestRejection.InvalidContentLength, Refused($"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {value}\r\n\r\n"));
    }

    [Fact]
    public void Content_length_over_the_body_limit_is_refused_with_413_before_any_body_is_read()
    {
        HttpRequestRejection rejection = Refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n", maxBody: 1000);

        Assert.Equal(HttpRequestRejection.BodyTooLarge, rejection);
        Assert.Equal(413, HttpRequestRejections.StatusCodeFor(rejection));
    }

    [Fact]
    public void Content_length_at_the_body_limit_is_accepted()
    {
        var driver = new ServerDriver(maxBody: 5);
        driver.AcceptHead("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n");
        Assert.Equal(5, driver.Connection.Framing.ContentLength);
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nContent-Length: 6\r\n")]
    [InlineData("Content-Length: 5, 6\r\n")]
    [InlineData("Content-Length: 5\r\nContent-Length: 5, 6\r\n")]
    public void Differing_content_lengths_are_refused_with_400(string fields)
    {
        Assert.Equal(HttpRequestRejection.ConflictingContentLengths, Refused($"POST / HTTP/1.1\r\nHost: a\r\n{fields}\r\n"));
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nContent-Length: 5\r\n")]
    [InlineData("Content-Length: 5, 5\r\n")]
    [InlineData("Content-Length: 5,5\r\nContent-Length: 5\r\n")]
    public void Identical_repeated_content_lengths_count_as_one_as_RFC_9112_section_6_3_allows(string fields)
    {
        var driver = new ServerDriver();
        string rest = driver.AcceptHead($"POST / HTTP/1.1\r\nHost: a\r\n{fields}\r\nhello");

        Assert.Equal(5, driver.Connection.Framing.ContentLength);
        Assert.Equal("hello", driver.ReadBody(rest).Body);
    }

    [Theory]
    [InlineData("5,")]
    [InlineData(",5")]
    [InlineData("5,,5")]
    [InlineData("5, ")]
    public void Content_length_list_with_an_empty_element_is_refused_with_400(string value)
    {
        Assert.Equal(HttpRequestRejection.InvalidContentLength, Refused($"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {value}\r\n\r\n"));
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n")]
    public void Request_with_both_content_length_and_transfer_encoding_is_refused_with_400(string fields)
    {
        HttpRequestRejection rejection = Refused($"POST / HTTP/1.1\r\nHost: a\r\n{fields}\r\n");

        Assert.Equal(HttpRequestRejection.ContentLengthWithTransferEncoding, rejection);
        Assert.Equal(400, HttpRequestRejections.StatusCodeFor(rejection));
    }

    [Theory]
    [InlineData("chunked")]
    [InlineData("Chunked")]
    [InlineData("CHUNKED")]
    [InlineData("chunked ")]
    [InlineData(", chunked")]
    public void Transfer_encoding_chunked_frames_the_body_in_any_case(string value)
    {
        var driver = new ServerDriver();
        string rest = driver.AcceptHead($"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: {value}\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

        Assert.Equal(HttpBodyKind.Chunked, driver.Connection.Framing.Body);
        Assert.Equal(("hello", HttpServerEvent.EndOfBody, ""), driver.ReadBody(rest));
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked, identity\r\n")]
    [InlineData("Transfer-Encoding: identity\r\n")]
    [InlineData("Transfer-Encoding: xchunked\r\n")]
    [InlineData("Transfer-Encoding: chunkedx\r\n")]
    [InlineData("Transfer-Encoding: chunked;ext=1\r\n")]
    [InlineData("Transfer-Encoding: \"chunked\"\r\n")]
    [InlineData("Transfer-Encoding:\r\n")]
    [InlineData("Transfer-Encoding: chunked, chunked\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n")]
    public void Transfer_encoding_that_does_not_end_in_one_chunked_is_refused_with_400(string fields)
    {
        HttpRequestRejection rejection = Refused($"POST / HTTP/1.1\r\nHost: a\r\n{fields}\r\n");

        Assert.Equal(HttpRequestRejection.InvalidTransferEncoding, rejection);
        Assert.Equal(400, HttpRequestRejections.StatusCodeFor(rejection));
    }

    [Theory]
    [InlineData("Transfer-Encoding: gzip, chunked\r\n")]
    [InlineData("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("Transfer-Encoding: identity, chunked\r\n")]
    public void Transfer_encoding_with_a_coding_other_than_chunked_before_it_is_refused_with_501(string fields)
    {
        HttpRequestRejection rejection = Refused($"POST / HTTP/1.1\r\nHost: a\r\n{fields}\r\n");

        Assert.Equal(HttpRequestRejection.UnsupportedTransferCoding, rejection);
        Assert.Equal(501, HttpRequestRejections.StatusCodeFor(rejection));
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n")]
    public void Transfer_encoding_in_an_HTTP_1_0_request_is_refused_with_400(string fields)
    {
        Assert.Equal(HttpRequestRejection.TransferEncodingInHttp10, Refused($"POST / HTTP/1.0\r\n{fields}\r\n"));
    }

    [Fact]
    public void Transfer_encoding_name_with_whitespace_before_it_is_refused_as_obs_fold()
    {
        Assert.Equal(HttpRequestRejection.ObsoleteLineFolding, Refused("POST / HTTP/1.1\r\nHost: a\r\n Transfer-Encoding: chunked\r\n\r\n"));
    }

    [Fact]
    public void Transfer_encoding_name_with_whitespace_before_the_colon_is_refused_with_400()
    {
        Assert.Equal(HttpRequestRejection.InvalidHeaderName, Refused("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n"));
    }

    [Fact]
    public void Obs_fold_is_refused_with_400()
    {
        HttpRequestRejection rejection = Refused("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n  c\r\n\r\n");

        Assert.Equal(HttpRequestRejection.ObsoleteLineFolding, rejection);
        Assert.Equal(400, HttpRequestRejections.StatusCodeFor(rejection));
    }

    [Theory]
    [InlineData("GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", HttpRequestRejection.InvalidRequestLine)]
    [InlineData("GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", HttpRequestRejection.InvalidRequestLine)]
    [InlineData("GET\r / HTTP/1.1\r\nHost: a\r\n\r\n", HttpRequestRejection.InvalidRequestLine)]
    [InlineData("GET / HTTP/1.1\r\nHo\rst: a\r\n\r\n", HttpRequestRejection.InvalidHeaderName)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", HttpRequestRejection.InvalidHeaderValue)]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", HttpRequestRejection.InvalidHeaderValue)]
    public void Bare_CR_inside_a_line_is_refused_with_400(string head, HttpRequestRejection expected)
    {
        Assert.Equal(expected, Refused(head));
        Assert.Equal(400, HttpRequestRejections.StatusCodeFor(expected));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\n")]
    public void Bare_LF_ending_a_line_is_refused_with_400(string head)
    {
        Assert.Equal(HttpRequestRejection.BareLineFeed, Refused(head));
    }
}
