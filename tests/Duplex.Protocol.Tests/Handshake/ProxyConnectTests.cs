using System.Buffers;
using Duplex.Protocol.Handshake;
using Duplex.Protocol.Tests.Http;

namespace Duplex.Protocol.Tests.Handshake;

public class ProxyConnectTests
{
    [Fact]
    public void Connect_request_names_host_and_port_in_authority_form()
    {
        var output = new ArrayBufferWriter<byte>();
        ProxyConnect.WriteRequest(output, "example.com", 443);
        Assert.Equal("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", HttpBytes.Text(output));
    }

    [Fact]
    public void Connect_request_carries_proxy_authorization()
    {
        var output = new ArrayBufferWriter<byte>();
        ProxyConnect.WriteRequest(output, "example.com", 80, "Basic dXNlcjpwYXNz");
        HttpRequestHead request = HttpBytes.Request(HttpBytes.Text(output));
        Assert.Equal("CONNECT", request.Method);
        Assert.Equal("example.com:80", request.Target);
        Assert.Equal("Basic dXNlcjpwYXNz", request.Headers["Proxy-Authorization"]);
    }

    [Fact]
    public void Connect_to_IPv6_literal_is_bracketed()
    {
        var output = new ArrayBufferWriter<byte>();
        ProxyConnect.WriteRequest(output, "2001:db8::1", 8443);
        Assert.StartsWith("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n", HttpBytes.Text(output), StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_with_CRLF_are_refused()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => ProxyConnect.WriteRequest(output, "example.com", 443, "Basic x\r\nX: y"));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 Connection established\r\n\r\n", true)]
    [InlineData("HTTP/1.0 200 OK\r\n\r\n", true)]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", true)]
    [InlineData("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n", false)]
    [InlineData("HTTP/1.1 403 Forbidden\r\n\r\n", false)]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\n\r\n", false)]
    [InlineData("HTTP/1.1 302 Found\r\n\r\n", false)]
    public void Only_a_2xx_answer_opens_the_tunnel(string response, bool success)
    {
        Assert.Equal(success, ProxyConnect.IsSuccess(HttpBytes.Response(response)));
    }
}
