using Duplex.Protocol.Handshake;

namespace Duplex.Protocol.Tests.Handshake;

/// <summary>The header fields refusals carry (RFC 6455 §4.4, RFC 9110 §15.5.22) and the URIs a client may open (RFC 6455 §3).</summary>
public class HandshakeRefusalHeadersTests
{
    [Fact]
    public void A_version_refusal_names_the_version_this_server_speaks()
    {
        Assert.Equal([new KeyValuePair<string, string>("Sec-WebSocket-Version", "13")], ServerHandshake.RejectionHeaders(HandshakeRejection.UnsupportedVersion));
    }

    [Fact]
    public void Other_refusals_carry_no_extra_field()
    {
        Assert.Empty(ServerHandshake.RejectionHeaders(HandshakeRejection.MissingKey));
    }

    [Fact]
    public void Upgrade_required_names_websocket_and_version_13()
    {
        Assert.Equal(
            [new KeyValuePair<string, string>("Upgrade", "websocket"), new KeyValuePair<string, string>("Sec-WebSocket-Version", "13")],
            ServerHandshake.UpgradeRequiredHeaders);
    }

    [Theory]
    [InlineData("ws://example.org/chat", null)]
    [InlineData("wss://example.org:8443/chat?room=1", null)]
    [InlineData("http://example.org/chat", "A WebSocket URI must be absolute with the ws or wss scheme, not 'http://example.org/chat'.")]
    [InlineData("ws://example.org/chat#top", "A WebSocket URI must not have a fragment.")]
    public void Client_uris_are_absolute_ws_or_wss_without_a_fragment(string uri, string? error)
    {
        Assert.Equal(error, ClientHandshake.CheckUri(new Uri(uri)));
    }
}
