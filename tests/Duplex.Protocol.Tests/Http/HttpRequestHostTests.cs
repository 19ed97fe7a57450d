using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

/// <summary>RFC 9112 §3.2: an HTTP/1.1 request needs exactly one valid Host.</summary>
public class HttpRequestHostTests
{
    [Fact]
    public void HTTP_1_1_request_without_host_is_refused_with_400()
    {
        HttpRequestRejection rejection = new ServerDriver().RefuseHead("GET / HTTP/1.1\r\n\r\n");

        Assert.Equal(HttpRequestRejection.MissingHost, rejection);
        Assert.Equal(400, HttpRequestRejections.StatusCodeFor(rejection));
    }

    [Fact]
    public void HTTP_1_0_request_without_host_is_served()
    {
        new ServerDriver().AcceptHead("GET / HTTP/1.0\r\n\r\n");
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n")]
    [InlineData("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n")]
    public void Request_with_more_than_one_host_line_is_refused_with_400(string head)
    {
        Assert.Equal(HttpRequestRejection.MultipleHosts, new ServerDriver().RefuseHead(head));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("user@a")]
    [InlineData("a:b")]
    [InlineData("a:80:80")]
    [InlineData("[::1")]
    [InlineData("[zz]")]
    [InlineData("[::1]x")]
    [InlineData("[::1]:8a")]
    [InlineData("a%2")]
    [InlineData("a%zz")]
    [InlineData("a, b")]
    [InlineData("\u00e9.example")]
    [InlineData("[fe80::1%eth0]")]
    public void Request_with_an_invalid_host_is_refused_with_400(string host)
    {
        Assert.Equal(HttpRequestRejection.InvalidHost, new ServerDriver().RefuseHead($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n"));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("example.com:8080")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:80")]
    [InlineData("[::1]")]
    [InlineData("[2001:db8::1]:443")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("a%20b")]
    [InlineData("host:")]
    [InlineData("")]
    public void Request_with_a_valid_host_is_served(string host)
    {
        new ServerDriver().AcceptHead($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");
    }
}
