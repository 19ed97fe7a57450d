using Duplex.Protocol.Handshake;

namespace Duplex.Protocol.Tests.Handshake;

public class ServerHandshakeValidateTests
{
    [Fact]
    public void RFC_6455_example_request_is_accepted()
    {
        HttpRequestHead request = HandshakeRequests.Parse(HandshakeRequests.Rfc6455Example);

        Assert.Equal(HandshakeRejection.None, ServerHandshake.Validate(request, out ServerHandshakeRequest? accepted));
        Assert.NotNull(accepted);
        Assert.Same(request, accepted.Request);
        Assert.Equal(HandshakeRequests.Key, accepted.Key);
        Assert.Equal("http://example.com", accepted.Origin);
        Assert.Equal(["chat", "superchat"], accepted.OfferedSubProtocols);
        Assert.Empty(accepted.OfferedExtensions);
    }

    [Fact]
    public void Minimal_request_without_origin_or_protocols_is_accepted()
    {
        HttpRequestHead request = HandshakeRequests.Parse(
            "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        Assert.Equal(HandshakeRejection.None, ServerHandshake.Validate(request, out ServerHandshakeRequest? accepted));
        Assert.Null(accepted!.Origin);
        Assert.Empty(accepted.OfferedSubProtocols);
    }

    [Fact]
    public void Header_names_and_tokens_match_in_any_case()
    {
        HttpRequestHead request = HandshakeRequests.Parse(
            "GET / HTTP/1.1\r\nhost: h\r\nupgrade: WebSocket\r\nconnection: keep-alive, UPGRADE\r\n" +
            "sec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSEC-WEBSOCKET-VERSION: 13\r\n\r\n");
        Assert.Equal(HandshakeRejection.None, ServerHandshake.Validate(request, out _));
    }

    [Fact]
    public void Connection_upgrade_may_sit_in_any_of_several_fields()
    {
        HttpRequestHead request = HandshakeRequests.With("Connection:", "Connection: keep-alive\r\nConnection: Upgrade");
        Assert.Equal(HandshakeRejection.None, ServerHandshake.Validate(request, out _));
    }

    [Fact]
    public void Offered_subprotocols_come_from_every_field_in_client_order()
    {
        HttpRequestHead request = HandshakeRequests.With("Sec-WebSocket-Protocol:", "Sec-WebSocket-Protocol: b, a\r\nSec-WebSocket-Protocol: ,c ,");
        ServerHandshake.Validate(request, out ServerHandshakeRequest? accepted);
        Assert.Equal(["b", "a", "c"], accepted!.OfferedSubProtocols);
    }

    [Fact]
    public void Offered_extensions_are_kept_raw_one_per_field()
    {
        HttpRequestHead request = HandshakeRequests.With(
            "Origin:", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nSec-WebSocket-Extensions: x-foo, x-bar");
        ServerHandshake.Validate(request, out ServerHandshakeRequest? accepted);
        Assert.Equal(["permessage-deflate; client_max_window_bits", "x-foo, x-bar"], accepted!.OfferedExtensions);
    }

    [Fact]
    public void Post_is_rejected_with_400()
    {
        HttpRequestHead request = HandshakeRequests.With("GET ", "POST /chat HTTP/1.1");
        AssertRejected(request, HandshakeRejection.MethodNotGet, 400);
    }

    [Fact]
    public void Lowercase_get_is_rejected_because_methods_are_case_sensitive()
    {
        AssertRejected(HandshakeRequests.With("GET ", "get /chat HTTP/1.1"), HandshakeRejection.MethodNotGet, 400);
    }

    [Fact]
    public void Http_1_0_is_rejected_with_400()
    {
        AssertRejected(HandshakeRequests.With("GET ", "GET /chat HTTP/1.0"), HandshakeRejection.HttpVersionTooOld, 400);
    }

    [Fact]
    public void Http_1_2_counts_as_higher_than_1_1()
    {
        Assert.Equal(HandshakeRejection.None, ServerHandshake.Validate(HandshakeRequests.With("GET ", "GET /chat HTTP/1.2"), out _));
    }

    [Fact]
    public void Missing_host_is_rejected_with_400()
    {
        AssertRejected(HandshakeRequests.With("Host:", null), HandshakeRejection.MissingHost, 400);
        AssertRejected(HandshakeRequests.With("Host:", "Host:"), HandshakeRejection.MissingHost, 400);
    }

    [Fact]
    public void Two_host_fields_are_rejected_with_400()
    {
        AssertRejected(HandshakeRequests.With("Host:", "Host: a\r\nHost: b"), HandshakeRejection.MultipleHosts, 400);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Upgrade: h2c")]
    [InlineData("Upgrade: websockets")]
    public void Missing_upgrade_websocket_is_rejected_with_400(string? line)
    {
        AssertRejected(HandshakeRequests.With("Upgrade:", line), HandshakeRejection.MissingUpgrade, 400);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Connection: keep-alive")]
    [InlineData("Connection: Upgraded")]
    public void Missing_connection_upgrade_is_rejected_with_400(string? line)
    {
        AssertRejected(HandshakeRequests.With("Connection:", line), HandshakeRejection.MissingConnectionUpgrade, 400);
    }

    [Fact]
    public void Missing_key_is_rejected_with_400()
    {
        AssertRejected(HandshakeRequests.With("Sec-WebSocket-Key:", null), HandshakeRejection.MissingKey, 400);
    }

    [Fact]
    public void Two_key_fields_are_rejected_with_400()
    {
        AssertRejected(
            HandshakeRequests.With("Sec-WebSocket-Key:", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="),
            HandshakeRejection.MultipleKeys,
            400);
    }

    [Theory]
    [InlineData("Sec-WebSocket-Key:")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ")]
    [InlineData("Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==, AAAAAAAAAAAAAAAAAAAAAA==")]
    public void Invalid_key_is_rejected_with_400(string line)
    {
        AssertRejected(HandshakeRequests.With("Sec-WebSocket-Key:", line), HandshakeRejection.InvalidKey, 400);
    }

    [Theory]
    [InlineData("Sec-WebSocket-Version: 8")]
    [InlineData("Sec-WebSocket-Version: 12")]
    [InlineData("Sec-WebSocket-Version: 13, 8")]
    [InlineData("Sec-WebSocket-Version: 013")]
    [InlineData("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Version: 13")]
    public void Version_other_than_13_gets_426(string line)
    {
        AssertRejected(HandshakeRequests.With("Sec-WebSocket-Version:", line), HandshakeRejection.UnsupportedVersion, 426);
    }

    [Fact]
    public void Version_8_gets_426()
    {
        AssertRejected(HandshakeRequests.With("Sec-WebSocket-Version:", "Sec-WebSocket-Version: 8"), HandshakeRejection.UnsupportedVersion, 426);
    }

    [Fact]
    public void Missing_version_gets_426()
    {
        AssertRejected(HandshakeRequests.With("Sec-WebSocket-Version:", null), HandshakeRejection.UnsupportedVersion, 426);
    }

    [Fact]
    public void Other_version_is_reported_before_a_key_of_another_format()
    {
        // A hixie-76 client sends Sec-WebSocket-Key1/Key2 and no version: tell it to use 13.
        HttpRequestHead request = HandshakeRequests.Parse(
            "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n\r\n");
        AssertRejected(request, HandshakeRejection.UnsupportedVersion, 426);
    }

    [Fact]
    public void Upgrade_request_is_told_apart_from_plain_http()
    {
        Assert.True(ServerHandshake.IsUpgradeRequest(HandshakeRequests.Parse(HandshakeRequests.Rfc6455Example)));
        Assert.True(ServerHandshake.IsUpgradeRequest(HandshakeRequests.Parse("GET / HTTP/1.1\r\nUpgrade: h2c, WEBSOCKET\r\n\r\n")));
        Assert.False(ServerHandshake.IsUpgradeRequest(HandshakeRequests.Parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n")));
        Assert.False(ServerHandshake.IsUpgradeRequest(HandshakeRequests.Parse("GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n")));
    }

    [Fact]
    public void Every_rejection_has_a_status_and_its_own_sentence()
    {
        HandshakeRejection[] rejections = [.. Enum.GetValues<HandshakeRejection>().Where(r => r != HandshakeRejection.None)];
        Assert.All(rejections, r => Assert.Contains(ServerHandshake.StatusCodeFor(r), new[] { 400, 426 }));
        Assert.Equal(rejections.Length + 1, Enum.GetValues<HandshakeRejection>().Select(ServerHandshake.Describe).Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => ServerHandshake.StatusCodeFor(HandshakeRejection.None));
    }

    private static void AssertRejected(HttpRequestHead request, HandshakeRejection expected, int status)
    {
        Assert.Equal(expected, ServerHandshake.Validate(request, out ServerHandshakeRequest? accepted));
        Assert.Null(accepted);
        Assert.Equal(status, ServerHandshake.StatusCodeFor(expected));
    }
}
