using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

/// <summary>RFC 9112 §9.3: which connections persist after a response, and in what order pipelined requests are served.</summary>
public class HttpPersistenceTests
{
    [Fact]
    public void HTTP_1_1_request_keeps_the_connection_open_by_default()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", driver.Respond(200, "hi", 2));
        Assert.True(driver.Connection.NextRequest());
        Assert.Equal(HttpRequestPhase.AwaitingHead, driver.Connection.RequestPhase);
        Assert.Equal(HttpResponsePhase.NotStarted, driver.Connection.ResponsePhase);
    }

    [Theory]
    [InlineData("Connection: close")]
    [InlineData("Connection: keep-alive, close")]
    [InlineData("Connection: Close")]
    [InlineData("Connection: x\r\nConnection: close")]
    public void HTTP_1_1_request_with_connection_close_is_answered_with_close_and_is_the_last(string field)
    {
        var driver = new ServerDriver();
        driver.AcceptHead($"GET / HTTP/1.1\r\nHost: a\r\n{field}\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi", driver.Respond(200, "hi", 2));
        Assert.False(driver.Connection.NextRequest());
    }

    [Fact]
    public void HTTP_1_0_request_closes_the_connection_unless_it_asks_to_keep_it()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("GET / HTTP/1.0\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi", driver.Respond(200, "hi", 2));
        Assert.False(driver.Connection.NextRequest());
    }

    [Fact]
    public void HTTP_1_0_request_with_keep_alive_persists_and_its_response_says_so()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nhi", driver.Respond(200, "hi", 2));
        Assert.True(driver.Connection.NextRequest());
    }

    [Fact]
    public void HTTP_1_0_keep_alive_request_whose_response_length_is_unknown_closes_after_it()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhi", driver.Respond(200, "hi"));
        Assert.Equal(HttpResponseFraming.CloseDelimited, driver.Connection.ResponseFraming);
        Assert.False(driver.Connection.NextRequest());
    }

    [Fact]
    public void Handler_asking_for_close_in_its_headers_ends_the_connection_without_a_second_connection_field()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", driver.Respond(200, contentLength: 0, headers: ServerDriver.Fields("Connection", "close")));
        Assert.False(driver.Connection.NextRequest());
    }

    [Fact]
    public void Close_after_response_adds_connection_close_to_the_next_response()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        driver.Connection.CloseAfterResponse();

        Assert.Equal("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", driver.Respond(204));
        Assert.False(driver.Connection.NextRequest());
    }

    [Fact]
    public void Pipelined_requests_are_taken_one_at_a_time_in_order()
    {
        var driver = new ServerDriver();
        string wire = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: a\r\n\r\n";

        string rest = driver.AcceptHead(wire);
        Assert.Equal("/1", driver.Connection.Request!.Path);
        Assert.Throws<InvalidOperationException>(() => driver.Connection.ReceiveHead(HttpBytes.Of(rest), out _));
        driver.Respond(200, contentLength: 0);
        Assert.True(driver.Connection.NextRequest());

        rest = driver.AcceptHead(rest);
        Assert.Equal("/2", driver.Connection.Request!.Path);
        (string body, _, rest) = driver.ReadBody(rest);
        Assert.Equal("abc", body);
        driver.Respond(200, contentLength: 0);
        Assert.True(driver.Connection.NextRequest());

        Assert.Equal("", driver.AcceptHead(rest));
        Assert.Equal("/3", driver.Connection.Request!.Path);
    }

    [Fact]
    public void After_a_refused_request_nothing_that_follows_it_is_parsed()
    {
        var driver = new ServerDriver();
        Assert.Equal(HttpRequestRejection.ContentLengthWithTransferEncoding, driver.RefuseHead(
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", driver.Respond(400, "bad", 3), StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", driver.Written, StringComparison.Ordinal);
        Assert.False(driver.Connection.NextRequest());
        Assert.Throws<InvalidOperationException>(() => driver.Connection.ReceiveHead(HttpBytes.Of("GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"), out _));
    }

    [Fact]
    public void Peer_closing_between_requests_ends_the_connection()
    {
        var driver = new ServerDriver();

        Assert.Equal(HttpServerEvent.EndOfStream, driver.Connection.ReceiveEndOfStream());
        Assert.Equal(HttpRequestPhase.Closed, driver.Connection.RequestPhase);
    }

    [Fact]
    public void Peer_closing_inside_a_body_is_an_incomplete_body_answered_400()
    {
        var driver = new ServerDriver();
        string rest = driver.AcceptHead("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
        driver.ReadBody(rest);

        Assert.Equal(HttpServerEvent.Rejected, driver.Connection.ReceiveEndOfStream());
        Assert.Equal(HttpRequestRejection.IncompleteBody, driver.Connection.Rejection);
        Assert.Equal(400, HttpRequestRejections.StatusCodeFor(driver.Connection.Rejection));
    }

    [Fact]
    public void Peer_closing_after_a_complete_request_still_lets_the_response_out_but_nothing_after_it()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

        Assert.Equal(HttpServerEvent.EndOfStream, driver.Connection.ReceiveEndOfStream());
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi", driver.Respond(200, "hi", 2));
        Assert.False(driver.Connection.NextRequest());
    }

    [Fact]
    public void Upgrade_ends_HTTP_on_the_connection()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");

        driver.Connection.SwitchProtocols();

        Assert.Equal(HttpRequestPhase.SwitchedProtocols, driver.Connection.RequestPhase);
        Assert.Equal(HttpResponsePhase.SwitchedProtocols, driver.Connection.ResponsePhase);
        Assert.False(driver.Connection.NextRequest());
    }

    [Fact]
    public void Upgrade_before_the_body_is_read_is_refused()
    {
        var driver = new ServerDriver();
        driver.AcceptHead("GET /ws HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n");

        Assert.Throws<InvalidOperationException>(driver.Connection.SwitchProtocols);
    }
}
