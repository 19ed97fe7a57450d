using Duplex.Client;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

public sealed class ProxyTests
{
    [Fact]
    public async Task Client_tunnels_through_an_HTTP_proxy_with_CONNECT()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using var proxy = new ConnectProxy();
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri(), new WebSocketClientOptions { Proxy = proxy.Uri });

        await ws.SendTextAsync("via proxy", Bounded.Token());

        Assert.Equal("via proxy", (await ws.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
        string request = Assert.Single(proxy.Requests);
        Assert.StartsWith($"CONNECT 127.0.0.1:{server.Port} HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"Host: 127.0.0.1:{server.Port}\r\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_credentials_in_the_URI_are_sent_as_basic_authorization()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using var proxy = new ConnectProxy(requiredAuthorization: "Basic dXNlcjpwYXNz");
        var proxyUri = new UriBuilder(proxy.Uri) { UserName = "user", Password = "pass" }.Uri;

        await using WebSocketConnection ws = await EchoServer.ConnectAsync(server.Uri(), new WebSocketClientOptions { Proxy = proxyUri });

        Assert.Equal(WebSocketConnectionState.Open, ws.State);
    }

    [Fact]
    public async Task Proxy_refusal_fails_with_its_status()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using var proxy = new ConnectProxy(refuseWith: 403);

        var error = await Assert.ThrowsAsync<WebSocketHandshakeException>(() =>
            EchoServer.ConnectAsync(server.Uri(), new WebSocketClientOptions { Proxy = proxy.Uri }));

        Assert.Equal(403, error.StatusCode);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ws://example.org/x", "http://p:3128", null, "http://p:3128/")]
    [InlineData("wss://example.org/x", "http://p:3128", null, null)]
    [InlineData("ws://example.org/x", "http://p:3128", "example.org", null)]
    [InlineData("ws://api.example.org/x", "http://p:3128", ".example.org", null)]
    [InlineData("ws://api.example.org/x", "http://p:3128", "example.org:8080", null)]
    [InlineData("ws://other.org/x", "http://p:3128", "example.org", "http://p:3128/")]
    [InlineData("ws://other.org/x", "p:3128", "", "http://p:3128/")]
    [InlineData("ws://other.org/x", "http://p:3128", "*", null)]
    public void Environment_proxy_follows_HTTP_PROXY_HTTPS_PROXY_and_NO_PROXY(string target, string httpProxy, string? noProxy, string? expected)
    {
        var env = new Dictionary<string, string?> { ["HTTP_PROXY"] = httpProxy, ["NO_PROXY"] = noProxy };
        Uri? proxy = ProxyResolver.Resolve(new Uri(target), null, true, name => env.GetValueOrDefault(name));
        Assert.Equal(expected, proxy?.ToString());
    }

    [Fact]
    public void HTTPS_PROXY_applies_to_wss()
    {
        var env = new Dictionary<string, string?> { ["https_proxy"] = "http://secure-proxy:8443" };
        Uri? proxy = ProxyResolver.Resolve(new Uri("wss://example.org/"), null, true, name => env.GetValueOrDefault(name));
        Assert.Equal("http://secure-proxy:8443/", proxy?.ToString());
    }

    [Fact]
    public void Explicit_proxy_wins_and_environment_can_be_ignored()
    {
        var env = new Dictionary<string, string?> { ["HTTP_PROXY"] = "http://env:1" };
        Assert.Equal("http://mine:2/", ProxyResolver.Resolve(new Uri("ws://a/"), new Uri("http://mine:2"), true, name => env.GetValueOrDefault(name))?.ToString());
        Assert.Null(ProxyResolver.Resolve(new Uri("ws://a/"), null, false, name => env.GetValueOrDefault(name)));
    }
}
