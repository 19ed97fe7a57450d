using System.Buffers;
using Duplex.Protocol.Handshake;
using Duplex.Protocol.Tests.Http;

namespace Duplex.Protocol.Tests.Handshake;

public class ClientHandshakeRequestTests
{
    [Fact]
    public void Request_has_the_handshake_fields_in_order()
    {
        var output = new ArrayBufferWriter<byte>();
        ClientHandshakeRequest sent = ClientHandshake.WriteRequest(
            output, "server.example.com", 80, secure: false, "/chat", ["chat", "superchat"], origin: "http://example.com");

        Assert.Equal(
            "GET /chat HTTP/1.1\r\n" +
            "Host: server.example.com\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {sent.Key}\r\n" +
            "Sec-WebSocket-Version: 13\r\n" +
            "Sec-WebSocket-Protocol: chat, superchat\r\n" +
            "Origin: http://example.com\r\n" +
            "\r\n",
            HttpBytes.Text(output));
        Assert.Equal(["chat", "superchat"], sent.SubProtocols);
        Assert.Null(sent.ExtensionsOffer);
    }

    [Fact]
    public void Written_request_passes_the_server_checks()
    {
        var output = new ArrayBufferWriter<byte>();
        ClientHandshakeRequest sent = ClientHandshake.WriteRequest(
            output, "example.com", 8080, secure: true, "/rt?session=1", ["v1"], [new("Authorization", "Bearer abc")], "https://example.com", "permessage-deflate");

        HttpRequestHead request = HttpBytes.Request(HttpBytes.Text(output));
        Assert.Equal(HandshakeRejection.None, ServerHandshake.Validate(request, out ServerHandshakeRequest? accepted));
        Assert.Equal(sent.Key, accepted!.Key);
        Assert.Equal("/rt", request.Path);
        Assert.Equal("session=1", request.Query);
        Assert.Equal("example.com:8080", request.Headers["Host"]);
        Assert.Equal(["v1"], accepted.OfferedSubProtocols);
        Assert.Equal(["permessage-deflate"], accepted.OfferedExtensions);
        Assert.Equal("https://example.com", accepted.Origin);
        Assert.Equal("Bearer abc", request.Headers["Authorization"]);
        Assert.Equal("permessage-deflate", sent.ExtensionsOffer);
    }

    [Fact]
    public void Each_request_gets_a_fresh_valid_key()
    {
        ClientHandshakeRequest first = ClientHandshake.WriteRequest(new ArrayBufferWriter<byte>(), "h", 80, false, "/");
        ClientHandshakeRequest second = ClientHandshake.WriteRequest(new ArrayBufferWriter<byte>(), "h", 80, false, "/");
        Assert.True(WebSocketKey.IsValid(first.Key));
        Assert.NotEqual(first.Key, second.Key);
    }

    [Theory]
    [InlineData("example.com", 80, false, "example.com")]
    [InlineData("example.com", 443, true, "example.com")]
    [InlineData("example.com", 443, false, "example.com:443")]
    [InlineData("example.com", 80, true, "example.com:80")]
    [InlineData("example.com", 8080, false, "example.com:8080")]
    [InlineData("127.0.0.1", 9000, false, "127.0.0.1:9000")]
    [InlineData("::1", 80, false, "[::1]")]
    [InlineData("::1", 8443, true, "[::1]:8443")]
    [InlineData("[2001:db8::1]", 443, true, "[2001:db8::1]")]
    [InlineData("2001:db8::1", 8080, false, "[2001:db8::1]:8080")]
    public void Host_leaves_out_the_default_port_and_brackets_IPv6(string host, int port, bool secure, string expected)
    {
        var output = new ArrayBufferWriter<byte>();
        ClientHandshake.WriteRequest(output, host, port, secure, "/");
        Assert.Equal(expected, HttpBytes.Request(HttpBytes.Text(output)).Headers["Host"]);
    }

    [Fact]
    public void Empty_resource_name_is_sent_as_slash()
    {
        var output = new ArrayBufferWriter<byte>();
        ClientHandshake.WriteRequest(output, "h", 80, false, "");
        Assert.StartsWith("GET / HTTP/1.1\r\n", HttpBytes.Text(output), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("/a b")]
    [InlineData("/caf\u00e9")]
    [InlineData("/a\r\nX: y")]
    public void Resource_name_must_be_an_origin_form_target(string pathAndQuery)
    {
        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteRequest(new ArrayBufferWriter<byte>(), "h", 80, false, pathAndQuery));
    }

    [Theory]
    [InlineData("")]
    [InlineData("example.com:80")]
    [InlineData("exa mple.com")]
    [InlineData("example.com\r\nX: y")]
    [InlineData("user@example.com")]
    [InlineData("example.com/path")]
    public void Malformed_host_is_refused(string host)
    {
        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteRequest(new ArrayBufferWriter<byte>(), host, 80, false, "/"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void Port_outside_1_to_65535_is_refused(int port)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientHandshake.WriteRequest(new ArrayBufferWriter<byte>(), "h", port, false, "/"));
    }

    [Theory]
    [InlineData("X-A", "a\r\nHost: evil")]
    [InlineData("X-A", "a\nb")]
    [InlineData("X A", "b")]
    public void Extra_header_with_CR_LF_or_bad_name_is_refused_and_nothing_written(string name, string value)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteRequest(output, "h", 80, false, "/", extraHeaders: [new(name, value)]));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("Host")]
    [InlineData("upgrade")]
    [InlineData("Connection")]
    [InlineData("Sec-WebSocket-Key")]
    [InlineData("SEC-WEBSOCKET-VERSION")]
    [InlineData("Sec-WebSocket-Protocol")]
    [InlineData("Sec-WebSocket-Extensions")]
    [InlineData("Origin")]
    public void Extra_header_cannot_override_a_handshake_header(string name)
    {
        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteRequest(new ArrayBufferWriter<byte>(), "h", 80, false, "/", extraHeaders: [new(name, "x")]));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a,b")]
    [InlineData("")]
    public void Subprotocol_must_be_a_token(string subProtocol)
    {
        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteRequest(new ArrayBufferWriter<byte>(), "h", 80, false, "/", [subProtocol]));
    }

    [Fact]
    public void Subprotocol_offered_twice_is_refused()
    {
        // RFC 6455 §4.1 item 10: the elements must be unique.
        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteRequest(new ArrayBufferWriter<byte>(), "h", 80, false, "/", ["a", "b", "a"]));
    }

    [Fact]
    public void Origin_with_CRLF_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteRequest(new ArrayBufferWriter<byte>(), "h", 80, false, "/", origin: "http://a\r\nX: y"));
    }
}
