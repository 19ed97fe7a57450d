using Duplex.Protocol.Handshake;
using Duplex.Protocol.Tests.Http;

namespace Duplex.Protocol.Tests.Handshake;

public class ClientHandshakeResponseTests
{
    private const string Accept = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
    private const string Switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";

    private static readonly ClientHandshakeRequest s_plain = new(HandshakeRequests.Key, [], null);
    private static readonly ClientHandshakeRequest s_chat = new(HandshakeRequests.Key, ["chat", "superchat"], null);
    private static readonly ClientHandshakeRequest s_deflate = new(HandshakeRequests.Key, [], "permessage-deflate; client_max_window_bits");

    [Fact]
    public void RFC_6455_example_response_succeeds()
    {
        ClientHandshakeResult result = Check(Switching + Accept + "Sec-WebSocket-Protocol: chat\r\n\r\n", s_chat);
        Assert.True(result.Success, result.Error);
        Assert.Null(result.Error);
        Assert.Equal(101, result.StatusCode);
        Assert.Equal("chat", result.SubProtocol);
        Assert.Null(result.Extensions);
    }

    [Fact]
    public void Header_names_and_tokens_match_in_any_case()
    {
        ClientHandshakeResult result = Check(
            "HTTP/1.1 101 \r\nUPGRADE: WebSocket\r\nconnection: upgrade\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", s_plain);
        Assert.True(result.Success, result.Error);
    }

    [Fact]
    public void Status_other_than_101_fails_naming_the_status()
    {
        ClientHandshakeResult result = Check("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", s_plain);
        Assert.False(result.Success);
        Assert.Equal(404, result.StatusCode);
        Assert.Equal("The server answered 404 Not Found instead of 101 Switching Protocols.", result.Error);
    }

    [Fact]
    public void Status_200_fails_even_with_every_websocket_header()
    {
        ClientHandshakeResult result = Check("HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + Accept + "\r\n", s_plain);
        Assert.False(result.Success);
        Assert.Equal(200, result.StatusCode);
    }

    [Fact]
    public void Missing_upgrade_fails()
    {
        ClientHandshakeResult result = Check("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n" + Accept + "\r\n", s_plain);
        AssertFailed(result, "Upgrade");
    }

    [Fact]
    public void Upgrade_to_another_protocol_fails()
    {
        AssertFailed(Check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n" + Accept + "\r\n", s_plain), "Upgrade");
    }

    [Fact]
    public void Missing_connection_upgrade_fails()
    {
        AssertFailed(Check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n" + Accept + "\r\n", s_plain), "Connection");
    }

    [Fact]
    public void Missing_accept_fails()
    {
        AssertFailed(Check(Switching + "\r\n", s_plain), "Sec-WebSocket-Accept");
    }

    [Fact]
    public void Wrong_accept_fails()
    {
        AssertFailed(Check(Switching + "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", s_plain), "does not match");
    }

    [Fact]
    public void Accept_for_another_key_fails()
    {
        var other = new ClientHandshakeRequest("AAAAAAAAAAAAAAAAAAAAAA==", [], null);
        AssertFailed(Check(Switching + Accept + "\r\n", other), "does not match");
    }

    [Fact]
    public void Accept_compares_case_sensitively()
    {
        AssertFailed(Check(Switching + "Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO=\r\n\r\n", s_plain), "does not match");
    }

    [Fact]
    public void Two_accept_fields_fail()
    {
        AssertFailed(Check(Switching + Accept + Accept + "\r\n", s_plain), "more than one");
    }

    [Fact]
    public void Subprotocol_the_client_did_not_offer_fails()
    {
        AssertFailed(Check(Switching + Accept + "Sec-WebSocket-Protocol: mqtt\r\n\r\n", s_chat), "did not offer");
    }

    [Fact]
    public void Subprotocol_in_another_case_than_offered_fails()
    {
        AssertFailed(Check(Switching + Accept + "Sec-WebSocket-Protocol: Chat\r\n\r\n", s_chat), "did not offer");
    }

    [Fact]
    public void Subprotocol_when_none_was_offered_fails()
    {
        AssertFailed(Check(Switching + Accept + "Sec-WebSocket-Protocol: chat\r\n\r\n", s_plain), "offered none");
    }

    [Fact]
    public void More_than_one_selected_subprotocol_fails()
    {
        AssertFailed(Check(Switching + Accept + "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n", s_chat), "exactly one");
        AssertFailed(Check(Switching + Accept + "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat\r\n\r\n", s_chat), "exactly one");
    }

    [Fact]
    public void No_subprotocol_selected_from_an_offer_succeeds_without_one()
    {
        ClientHandshakeResult result = Check(Switching + Accept + "\r\n", s_chat);
        Assert.True(result.Success, result.Error);
        Assert.Null(result.SubProtocol);
    }

    [Fact]
    public void Extensions_when_none_were_offered_fail()
    {
        AssertFailed(Check(Switching + Accept + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", s_plain), "offered no extensions");
    }

    [Fact]
    public void Extensions_answer_to_an_offer_is_returned_raw()
    {
        ClientHandshakeResult result = Check(Switching + Accept + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n", s_deflate);
        Assert.True(result.Success, result.Error);
        Assert.Equal("permessage-deflate; server_no_context_takeover", result.Extensions);
    }

    [Fact]
    public void Offered_extensions_not_taken_up_succeed_without_extensions()
    {
        ClientHandshakeResult result = Check(Switching + Accept + "\r\n", s_deflate);
        Assert.True(result.Success, result.Error);
        Assert.Null(result.Extensions);
    }

    private static ClientHandshakeResult Check(string response, ClientHandshakeRequest request) =>
        ClientHandshake.ValidateResponse(HttpBytes.Response(response), request);

    private static void AssertFailed(ClientHandshakeResult result, string errorMentions)
    {
        Assert.False(result.Success);
        Assert.Null(result.SubProtocol);
        Assert.NotNull(result.Error);
        Assert.Contains(errorMentions, result.Error, StringComparison.Ordinal);
    }
}
