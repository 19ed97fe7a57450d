using System.Buffers;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

/// <summary>RFC 9112 §6.3 from the server's side: how each response is delimited, byte for byte.</summary>
public class HttpResponseFramingTests
{
    private static ServerDriver After(string request)
    {
        var driver = new ServerDriver();
        driver.AcceptHead(request);
        return driver;
    }

    private static ServerDriver AfterGet() => After("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

    [Fact]
    public void Response_of_known_length_carries_content_length_after_its_own_fields()
    {
        string written = AfterGet().Respond(200, "hello", 5, ServerDriver.Fields("Content-Type", "text/plain", "X-A", "b"));

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A: b\r\nContent-Length: 5\r\n\r\nhello", written);
    }

    [Fact]
    public void Response_of_unknown_length_to_an_HTTP_1_1_client_is_chunked()
    {
        ServerDriver driver = AfterGet();
        driver.Connection.WriteResponseHead(driver.Output, 200, null, null, default);
        driver.Connection.WriteBody(driver.Output, HttpBytes.Of("hello"));
        driver.Connection.WriteBody(driver.Output, []);
        driver.Connection.WriteBody(driver.Output, HttpBytes.Of(new string('x', 26)));
        driver.Connection.WriteEndOfBody(driver.Output);

        Assert.Equal(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1A\r\nxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n0\r\n\r\n",
            driver.Written);
        Assert.True(driver.Connection.NextRequest());
    }

    [Fact]
    public void Body_written_from_the_callers_memory_is_framed_by_a_prefix_and_a_suffix()
    {
        ServerDriver driver = AfterGet();
        driver.Connection.WriteResponseHead(driver.Output, 200, null, null, default);
        driver.Connection.WriteBodyPrefix(driver.Output, 3);
        driver.Output.Write(HttpBytes.Of("abc"));
        driver.Connection.WriteBodySuffix(driver.Output);
        driver.Connection.WriteEndOfBody(driver.Output);

        Assert.Equal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", driver.Written);
    }

    [Fact]
    public void Response_of_unknown_length_to_an_HTTP_1_0_client_ends_with_the_connection()
    {
        ServerDriver driver = After("GET / HTTP/1.0\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello", driver.Respond(200, "hello"));
        Assert.Equal(HttpResponseFraming.CloseDelimited, driver.Connection.ResponseFraming);
    }

    [Fact]
    public void HEAD_response_carries_the_length_a_GET_would_have_and_no_body()
    {
        ServerDriver driver = After("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", driver.Respond(200, "hello", 5));
        Assert.Equal(HttpResponsePhase.Complete, driver.Connection.ResponsePhase);
        Assert.True(driver.Connection.NextRequest());
    }

    [Fact]
    public void HEAD_response_of_unknown_length_has_neither_length_nor_chunks()
    {
        Assert.Equal("HTTP/1.1 200 OK\r\n\r\n", After("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n").Respond(200, "hello"));
    }

    [Theory]
    [InlineData(204, "HTTP/1.1 204 No Content\r\n\r\n")]
    [InlineData(304, "HTTP/1.1 304 Not Modified\r\n\r\n")]
    public void Responses_204_and_304_carry_no_body_and_no_framing_fields(int status, string expected)
    {
        Assert.Equal(expected, AfterGet().Respond(status, "ignored", 7));
    }

    [Fact]
    public void Empty_response_of_known_length_is_complete_with_its_head()
    {
        ServerDriver driver = AfterGet();
        driver.Connection.WriteResponseHead(driver.Output, 200, null, 0, default);

        Assert.Equal(HttpResponsePhase.Complete, driver.Connection.ResponsePhase);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", driver.Written);
    }

    [Fact]
    public void Body_past_its_content_length_is_refused()
    {
        ServerDriver driver = AfterGet();
        driver.Connection.WriteResponseHead(driver.Output, 200, null, 3, default);

        Assert.Throws<InvalidOperationException>(() => driver.Connection.WriteBody(driver.Output, HttpBytes.Of("abcd")));
    }

    [Fact]
    public void Body_ending_short_of_its_content_length_is_refused()
    {
        ServerDriver driver = AfterGet();
        driver.Connection.WriteResponseHead(driver.Output, 200, null, 3, default);
        driver.Connection.WriteBody(driver.Output, HttpBytes.Of("ab"));

        Assert.Throws<InvalidOperationException>(() => driver.Connection.WriteEndOfBody(driver.Output));
    }

    [Fact]
    public void Date_goes_after_the_framing_fields_when_given()
    {
        string written = AfterGet().Respond(200, "", 0, date: "Sun, 06 Nov 1994 08:49:37 GMT");

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n", written);
    }

    [Theory]
    [InlineData("Content-Length")]
    [InlineData("transfer-encoding")]
    public void Response_fields_may_not_carry_framing_of_their_own(string name)
    {
        ServerDriver driver = AfterGet();

        Assert.Throws<ArgumentException>(() => driver.Connection.WriteResponseHead(driver.Output, 200, ServerDriver.Fields(name, "5"), 5, default));
        Assert.Equal(0, driver.Output.WrittenCount);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(101)]
    [InlineData(199)]
    [InlineData(600)]
    public void Response_head_takes_final_statuses_only(int status)
    {
        ServerDriver driver = AfterGet();

        Assert.Throws<ArgumentOutOfRangeException>(() => driver.Connection.WriteResponseHead(driver.Output, status, null, 0, default));
    }

    [Fact]
    public void Response_head_before_any_request_is_refused()
    {
        var driver = new ServerDriver();

        Assert.Throws<InvalidOperationException>(() => driver.Connection.WriteResponseHead(driver.Output, 200, null, 0, default));
    }

    [Fact]
    public void Second_response_head_for_one_request_is_refused()
    {
        ServerDriver driver = AfterGet();
        driver.Connection.WriteResponseHead(driver.Output, 200, null, null, default);

        Assert.Throws<InvalidOperationException>(() => driver.Connection.WriteResponseHead(driver.Output, 200, null, null, default));
    }

    [Fact]
    public void Status_without_a_known_reason_phrase_keeps_the_space_before_an_empty_one()
    {
        Assert.Equal("HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n", AfterGet().Respond(299, "", 0));
    }

    [Fact]
    public void Refused_request_is_answered_over_http_1_1_and_closes()
    {
        var driver = new ServerDriver();
        driver.RefuseHead("GET / HTTP/1.1\r\n\r\n");

        Assert.Equal("HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbad", driver.Respond(400, "bad", 3));
        Assert.False(driver.Connection.NextRequest());
    }
}
