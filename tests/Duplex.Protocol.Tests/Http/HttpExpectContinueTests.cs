using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

/// <summary>RFC 9110 §10.1.1: Expect: 100-continue, and what happens to a body nobody reads.</summary>
public class HttpExpectContinueTests
{
    private const string ExpectingPost = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";

    [Fact]
    public void Expect_100_continue_is_answered_once_with_exact_bytes_when_the_body_is_wanted()
    {
        var driver = new ServerDriver();
        driver.AcceptHead(ExpectingPost);
        Assert.True(driver.Connection.ContinuePending);

        Assert.True(driver.Connection.WriteContinue(driver.Output));
        Assert.False(driver.Connection.WriteContinue(driver.Output));

        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", driver.Written);
        Assert.False(driver.Connection.ContinuePending);
        Assert.Equal("hello", driver.ReadBody("hello").Body);
    }

    [Theory]
    [InlineData("100-Continue")]
    [InlineData("100-CONTINUE")]
    public void Expect_100_continue_is_case_insensitive(string value)
    {
        var driver = new ServerDriver();
        driver.AcceptHead($"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: {value}\r\n\r\n");

        Assert.True(driver.Connection.ContinuePending);
    }

    [Fact]
    public void Expect_100_continue_without_a_body_needs_no_100()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n");

        Assert.False(driver.Connection.ContinuePending);
        Assert.False(driver.Connection.WriteContinue(driver.Output));
    }

    [Fact]
    public void Expect_100_continue_in_an_HTTP_1_0_request_is_ignored()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("POST / HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");

        Assert.False(driver.Connection.ContinuePending);
    }

    [Theory]
    [InlineData("Expect: 200-ok")]
    [InlineData("Expect: 100-continue, foo")]
    [InlineData("Expect: 100-continue;x=1")]
    public void Unknown_expectation_is_refused_with_417(string field)
    {
        HttpRequestRejection rejection = new ServerDriver().RefuseHead($"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n{field}\r\n\r\n");

        Assert.Equal(HttpRequestRejection.ExpectationFailed, rejection);
        Assert.Equal(417, HttpRequestRejections.StatusCodeFor(rejection));
    }

    [Fact]
    public void Response_without_reading_the_body_sends_no_100_and_closes_the_connection()
    {
        var driver = new ServerDriver();
        driver.AcceptHead(ExpectingPost);

        string written = driver.Respond(403, "no", 2);

        Assert.Equal("HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno", written);
        Assert.False(driver.Connection.WriteContinue(driver.Output));
        Assert.False(driver.Connection.NextRequest());
    }

    [Fact]
    public void Response_before_a_small_unread_body_keeps_the_connection_once_the_body_is_drained()
    {
        var driver = new ServerDriver(maxDrain: 5);
        driver.AcceptHead("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", driver.Respond(200, contentLength: 0));
        Assert.False(driver.Connection.NextRequest());

        Assert.Equal(HttpServerEvent.NeedMoreData, driver.Connection.SkipBody(HttpBytes.Of("hel"), out int first));
        Assert.Equal(HttpServerEvent.EndOfBody, driver.Connection.SkipBody(HttpBytes.Of("loGET"), out int second));
        Assert.Equal((3, 2), (first, second));
        Assert.True(driver.Connection.NextRequest());
    }

    [Fact]
    public void Response_before_a_large_unread_body_closes_the_connection()
    {
        var driver = new ServerDriver(maxDrain: 4);
        driver.AcceptHead("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", driver.Respond(200, contentLength: 0));
        Assert.False(driver.Connection.KeepAlive);
    }

    [Fact]
    public void Chunked_unread_body_is_drained_through_its_last_chunk()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
        driver.Respond(204);

        Assert.Equal(HttpServerEvent.EndOfBody, driver.Connection.SkipBody(HttpBytes.Of("3\r\nabc\r\n0\r\n\r\nGET"), out int consumed));
        Assert.Equal(13, consumed);
        Assert.True(driver.Connection.NextRequest());
    }
}
