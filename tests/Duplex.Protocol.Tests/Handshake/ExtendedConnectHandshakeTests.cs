using Duplex.Protocol.Handshake;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Handshake;

/// <summary>The client's side of a WebSocket over HTTP/2 (RFC 8441 §5): the CONNECT's fields and the checks on its answer.</summary>
public class ExtendedConnectHandshakeTests
{
    private static readonly ClientHandshakeRequest s_plain = new(string.Empty, [], null);
    private static readonly ClientHandshakeRequest s_chat = new(string.Empty, ["chat", "superchat"], null);
    private static readonly ClientHandshakeRequest s_deflate = new(string.Empty, [], "permessage-deflate; client_max_window_bits");

    [Fact]
    public void Request_fields_are_those_of_the_RFC_8441_example_with_no_key()
    {
        var fields = new List<KeyValuePair<string, string>>();
        ClientHandshakeRequest sent = ClientHandshake.WriteExtendedConnectHeaders(fields, ["chat", "superchat"], origin: "http://www.example.com");

        Assert.Equal(
            [new("Sec-WebSocket-Version", "13"), new("Sec-WebSocket-Protocol", "chat, superchat"), new("Origin", "http://www.example.com")],
            fields);
        Assert.Equal(string.Empty, sent.Key);
        Assert.Equal(["chat", "superchat"], sent.SubProtocols);
        Assert.Equal("websocket", ClientHandshake.ExtendedConnectProtocol);
    }

    [Fact]
    public void Request_carries_the_extensions_offer_and_extra_headers_last()
    {
        var fields = new List<KeyValuePair<string, string>>();
        ClientHandshakeRequest sent = ClientHandshake.WriteExtendedConnectHeaders(
            fields, extraHeaders: [new("Authorization", "Bearer abc")], extensionsOffer: "permessage-deflate; client_max_window_bits");

        Assert.Equal(
            [new("Sec-WebSocket-Version", "13"), new("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"), new("Authorization", "Bearer abc")],
            fields);
        Assert.Equal("permessage-deflate; client_max_window_bits", sent.ExtensionsOffer);
    }

    [Theory]
    [InlineData("Sec-WebSocket-Key")]
    [InlineData("Upgrade")]
    [InlineData("connection")]
    [InlineData("Keep-Alive")]
    [InlineData("Proxy-Connection")]
    [InlineData("Transfer-Encoding")]
    [InlineData("Host")]
    public void Extra_header_the_handshake_or_HTTP2_forbids_is_refused_and_nothing_is_added(string name)
    {
        var fields = new List<KeyValuePair<string, string>>();

        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteExtendedConnectHeaders(fields, extraHeaders: [new(name, "x")]));
        Assert.Empty(fields);
    }

    [Fact]
    public void Repeated_or_malformed_subprotocols_are_refused()
    {
        var fields = new List<KeyValuePair<string, string>>();

        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteExtendedConnectHeaders(fields, ["chat", "chat"]));
        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteExtendedConnectHeaders(fields, ["a b"]));
        Assert.Empty(fields);
    }

    [Fact]
    public void Answer_200_with_an_offered_subprotocol_succeeds()
    {
        ClientHandshakeResult result = Check(200, s_chat, ("sec-websocket-protocol", "chat"));

        Assert.True(result.Success, result.Error);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal("chat", result.SubProtocol);
        Assert.Null(result.Extensions);
    }

    [Fact]
    public void Answer_200_needs_no_accept_and_no_upgrade_fields()
    {
        Assert.True(Check(200, s_plain).Success);
    }

    [Theory]
    [InlineData(101)]
    [InlineData(204)]
    [InlineData(403)]
    [InlineData(404)]
    public void Answer_other_than_200_fails_naming_the_status(int status)
    {
        ClientHandshakeResult result = Check(status, s_plain);

        Assert.False(result.Success);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal($"The server answered {status} instead of 200 to the WebSocket's extended CONNECT.", result.Error);
    }

    [Fact]
    public void Subprotocol_not_offered_fails()
    {
        AssertFailed(Check(200, s_chat, ("Sec-WebSocket-Protocol", "mqtt")), "did not offer");
        AssertFailed(Check(200, s_plain, ("Sec-WebSocket-Protocol", "chat")), "offered none");
        AssertFailed(Check(200, s_chat, ("Sec-WebSocket-Protocol", "chat, superchat")), "exactly one");
    }

    [Fact]
    public void Extensions_when_none_were_offered_fail()
    {
        AssertFailed(Check(200, s_plain, ("Sec-WebSocket-Extensions", "permessage-deflate")), "offered no extensions");
    }

    [Fact]
    public void Extensions_answer_to_an_offer_is_returned_raw()
    {
        ClientHandshakeResult result = Check(200, s_deflate, ("Sec-WebSocket-Extensions", "permessage-deflate; server_no_context_takeover"));

        Assert.True(result.Success, result.Error);
        Assert.Equal("permessage-deflate; server_no_context_takeover", result.Extensions);
    }

    private static ClientHandshakeResult Check(int status, ClientHandshakeRequest request, params (string Name, string Value)[] fields)
    {
        var headers = new HttpHeaders();
        foreach ((string name, string value) in fields)
        {
            headers.Add(name, value);
        }

        return ClientHandshake.ValidateExtendedConnectResponse(status, headers, request);
    }

    private static void AssertFailed(ClientHandshakeResult result, string errorMentions)
    {
        Assert.False(result.Success);
        Assert.Null(result.SubProtocol);
        Assert.Contains(errorMentions, result.Error, StringComparison.Ordinal);
    }
}
