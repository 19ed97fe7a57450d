using Duplex.Protocol.Handshake;

namespace Duplex.Protocol.Tests.Handshake;

/// <summary>RFC 8441 §4 and §5: a WebSocket bootstrapped by an HTTP/2 extended CONNECT.</summary>
public class ExtendedConnectValidateTests
{
    private static HttpRequestHead Connect(string method = "CONNECT", params (string Name, string Value)[] fields)
    {
        var headers = new HttpHeaders();
        foreach ((string name, string value) in fields)
        {
            headers.Add(name, value);
        }

        return new HttpRequestHead(method, "/chat", "HTTP/2", headers);
    }

    private static readonly (string, string)[] s_rfcExample =
    [
        ("sec-websocket-protocol", "chat, superchat"),
        ("sec-websocket-extensions", "permessage-deflate"),
        ("sec-websocket-version", "13"),
        ("origin", "http://www.example.com"),
    ];

    [Fact]
    public void The_RFC_8441_example_request_is_accepted_without_a_key()
    {
        HttpRequestHead request = Connect("CONNECT", s_rfcExample);

        Assert.Equal(HandshakeRejection.None, ServerHandshake.ValidateExtendedConnect(request, "websocket", out ServerHandshakeRequest? accepted));
        Assert.NotNull(accepted);
        Assert.Equal(string.Empty, accepted.Key);
        Assert.Equal("http://www.example.com", accepted.Origin);
        Assert.Equal(["chat", "superchat"], accepted.OfferedSubProtocols);
        Assert.Equal(["permessage-deflate"], accepted.OfferedExtensions);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    [InlineData("connect")]
    public void A_method_other_than_CONNECT_is_refused(string method)
    {
        Assert.Equal(HandshakeRejection.MethodNotConnect, ServerHandshake.ValidateExtendedConnect(Connect(method, s_rfcExample), "websocket", out ServerHandshakeRequest? accepted));
        Assert.Null(accepted);
        Assert.Equal(400, ServerHandshake.StatusCodeFor(HandshakeRejection.MethodNotConnect));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("websockets")]
    [InlineData("connect-udp")]
    public void A_protocol_other_than_websocket_is_refused(string? protocol)
    {
        Assert.Equal(HandshakeRejection.ProtocolNotWebSocket, ServerHandshake.ValidateExtendedConnect(Connect("CONNECT", s_rfcExample), protocol, out _));
        Assert.Equal(400, ServerHandshake.StatusCodeFor(HandshakeRejection.ProtocolNotWebSocket));
        Assert.Contains("8441", ServerHandshake.Describe(HandshakeRejection.ProtocolNotWebSocket), StringComparison.Ordinal);
    }

    [Fact]
    public void The_protocol_token_matches_in_any_case()
    {
        Assert.Equal(HandshakeRejection.None, ServerHandshake.ValidateExtendedConnect(Connect("CONNECT", s_rfcExample), "WebSocket", out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("8")]
    [InlineData("13, 8")]
    public void A_version_other_than_13_is_refused_with_426(string? version)
    {
        (string, string)[] fields = version is null ? [("origin", "o")] : [("sec-websocket-version", version)];
        Assert.Equal(HandshakeRejection.UnsupportedVersion, ServerHandshake.ValidateExtendedConnect(Connect("CONNECT", fields), "websocket", out _));
        Assert.Equal(426, ServerHandshake.StatusCodeFor(HandshakeRejection.UnsupportedVersion));
    }

    [Fact]
    public void The_accept_carries_the_subprotocol_and_extensions_and_nothing_connection_specific()
    {
        IReadOnlyList<KeyValuePair<string, string>> headers = ServerHandshake.ExtendedConnectAcceptHeaders("chat", "permessage-deflate; server_no_context_takeover");
        Assert.Equal(
            [new("Sec-WebSocket-Protocol", "chat"), new("Sec-WebSocket-Extensions", "permessage-deflate; server_no_context_takeover")],
            headers);
        Assert.Empty(ServerHandshake.ExtendedConnectAcceptHeaders(null, null));
        Assert.Throws<ArgumentException>(() => ServerHandshake.ExtendedConnectAcceptHeaders("two words", null));
        Assert.Throws<ArgumentException>(() => ServerHandshake.ExtendedConnectAcceptHeaders(null, "x\r\ny"));
    }
}
