using System.Net;
using System.Security.Cryptography.X509Certificates;
using Duplex.Tests.Integration;
using Duplex.Tests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Duplex.Tests.Client;

/// <summary>WebSocketClient over HTTP/2 (RFC 8441) against Kestrel: h2c and h2 over TLS, one connection shared, refusals, close.</summary>
public sealed class Http2WebSocketClientTests
{
    private static readonly WebSocketConnectionOptions Large = new() { MaxMessageSize = 32 << 20 };

    private static WebSocketClientOptions Http2(HttpMessageInvoker? invoker = null, bool compressed = false, IReadOnlyList<string>? subProtocols = null) => new()
    {
        HttpVersion = HttpVersion.Version20,
        HttpInvoker = invoker,
        SubProtocols = subProtocols ?? [],
        WebSocket = compressed ? new WebSocketConnectionOptions { MaxMessageSize = 32 << 20, Compression = new PerMessageDeflateOptions() } : Large,
        RemoteCertificateValidation = TrustTestCertificate,
    };

    private static bool TrustTestCertificate(object sender, X509Certificate? certificate, X509Chain? chain, System.Net.Security.SslPolicyErrors errors) =>
        certificate is not null && new X509Certificate2(certificate).Thumbprint == TestCertificate.Localhost.Thumbprint;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Text_binary_and_large_messages_echo(bool tls)
    {
        await using Http2EchoHost host = await Http2EchoHost.StartAsync(tls);
        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(host.Uri(), Http2(subProtocols: ["chat", "superchat"]), Bounded.Token()).Within("the h2 handshake");

        Assert.Equal("chat", ws.SubProtocol);
        Assert.Null(ws.Extensions);
        Assert.Equal("13", host.LastRequestHeaders!["Sec-WebSocket-Version"]);
        Assert.False(host.LastRequestHeaders.ContainsKey("Sec-WebSocket-Key"));
        await ws.SendTextAsync("hello over h2", Bounded.Token());
        Assert.Equal("hello over h2", (await ws.ReceiveAsync(Bounded.Token()).Within("the text echo")).Text);
        byte[] binary = EchoTests.Pattern(1000);
        await ws.SendBinaryAsync(binary, Bounded.Token());
        Assert.Equal(binary, (await ws.ReceiveAsync(Bounded.Token()).Within("the binary echo")).Data.ToArray());
        byte[] large = EchoTests.Pattern(3 << 20);
        await ws.SendBinaryAsync(large, Bounded.Token());
        Assert.Equal(large, (await ws.ReceiveAsync(Bounded.Token()).Within("the large echo")).Data.ToArray());
        Assert.Equal(1, host.Connections);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Compressed_messages_echo_with_the_agreed_deflate(bool tls)
    {
        await using Http2EchoHost host = await Http2EchoHost.StartAsync(tls);
        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(host.Uri(), Http2(compressed: true), Bounded.Token()).Within("the h2 handshake");
        string text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{{\"n\":{i % 1000,4}}}"));

        Assert.StartsWith("permessage-deflate", ws.Extensions, StringComparison.Ordinal);
        Assert.StartsWith("permessage-deflate", host.LastRequestHeaders!["Sec-WebSocket-Extensions"].ToString(), StringComparison.Ordinal);
        for (int round = 0; round < 3; round++)
        {
            await ws.SendTextAsync(text, Bounded.Token());
            Assert.Equal(text, (await ws.ReceiveAsync(Bounded.Token()).Within("the compressed echo")).Text);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Echo_and_close_against_the_aspnetcore_host_over_http2(bool tls)
    {
        await using HostedEchoServer host = await HostedEchoServer.StartAsync(
            new WebSocketConnectionOptions { MaxMessageSize = 32 << 20, Compression = new PerMessageDeflateOptions() }, HttpProtocols.Http2, tls);
        WebSocketConnection ws = await WebSocketClient.ConnectAsync(host.Uri(), Http2(compressed: true), Bounded.Token()).Within("the h2 handshake");
        string text = string.Concat(Enumerable.Range(0, 5000).Select(i => $"{{\"n\":{i % 100}}}"));

        Assert.StartsWith("permessage-deflate", ws.Extensions, StringComparison.Ordinal);
        await ws.SendTextAsync(text, Bounded.Token());
        Assert.Equal(text, (await ws.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
        await ws.CloseAsync(CloseStatus.NormalClosure, "bye", Bounded.Token()).Within("the close", TimeSpan.FromSeconds(2));
        Assert.Equal(CloseStatus.NormalClosure, ws.CloseStatus);
        await ws.Completion.Within("the client to release the stream", TimeSpan.FromSeconds(2));
        await ws.DisposeAsync();
    }

    [Fact]
    public async Task Many_websockets_over_one_shared_client_use_one_tcp_connection()
    {
        await using Http2EchoHost host = await Http2EchoHost.StartAsync();
        using var shared = new HttpClient(new SocketsHttpHandler());
        WebSocketConnection[] sockets = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            WebSocketClient.ConnectAsync(host.Uri(), Http2(shared), Bounded.Token()))).Within("eight h2 handshakes");
        try
        {
            await Task.WhenAll(sockets.Select(async (ws, i) =>
            {
                for (int round = 0; round < 5; round++)
                {
                    await ws.SendTextAsync($"{i}:{round}", Bounded.Token());
                    Assert.Equal($"{i}:{round}", (await ws.ReceiveAsync(Bounded.Token())).Text);
                }

                await ws.CloseAsync(CloseStatus.NormalClosure, null, Bounded.Token());
            })).Within("every echo and close");

            Assert.Equal(1, host.Connections);
            // The shared connection outlives its WebSockets: one more opens on it.
            await using WebSocketConnection again = await WebSocketClient.ConnectAsync(host.Uri(), Http2(shared), Bounded.Token()).Within("a ninth handshake");
            await again.SendTextAsync("again", Bounded.Token());
            Assert.Equal("again", (await again.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
            Assert.Equal(1, host.Connections);
        }
        finally
        {
            foreach (WebSocketConnection ws in sockets)
            {
                await ws.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Without_a_shared_client_each_websocket_has_its_own_connection()
    {
        await using Http2EchoHost host = await Http2EchoHost.StartAsync();
        await using WebSocketConnection first = await WebSocketClient.ConnectAsync(host.Uri(), Http2(), Bounded.Token()).Within("the first handshake");
        await using WebSocketConnection second = await WebSocketClient.ConnectAsync(host.Uri(), Http2(), Bounded.Token()).Within("the second handshake");

        Assert.Equal(2, host.Connections);
    }

    [Fact]
    public async Task A_refusal_is_a_handshake_exception_with_the_status()
    {
        await using Http2EchoHost host = await Http2EchoHost.StartAsync();

        var error = await Assert.ThrowsAsync<WebSocketHandshakeException>(() => WebSocketClient.ConnectAsync(host.Uri("/refuse"), Http2(), Bounded.Token()));

        Assert.Equal(403, error.StatusCode);
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_close_completes_the_closing_handshake()
    {
        await using Http2EchoHost host = await Http2EchoHost.StartAsync();
        WebSocketConnection ws = await WebSocketClient.ConnectAsync(host.Uri(), Http2(), Bounded.Token()).Within("the h2 handshake");

        await ws.CloseAsync(CloseStatus.NormalClosure, "done here", Bounded.Token()).Within("the close");

        Assert.Equal(WebSocketConnectionState.Closed, ws.State);
        Assert.Equal(CloseStatus.NormalClosure, ws.CloseStatus);
        Assert.Equal((CloseStatus.NormalClosure, "done here"), await host.Closed.Within("the server to see the close"));
        await ws.Completion.Within("the client to release the stream");
        await ws.DisposeAsync();
    }

    [Fact]
    public async Task Server_close_reaches_the_client_with_code_and_reason()
    {
        await using Http2EchoHost host = await Http2EchoHost.StartAsync();
        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(host.Uri("/bye"), Http2(), Bounded.Token()).Within("the h2 handshake");

        WebSocketMessage message = await ws.ReceiveAsync(Bounded.Token()).Within("the close");

        Assert.Equal(MessageType.Close, message.Type);
        Assert.Equal((CloseStatus)4000, ws.CloseStatus);
        Assert.Equal("see you", ws.CloseStatusDescription);
    }

    [Fact]
    public async Task Tls_h2_tunnels_through_an_HTTP_proxy_with_CONNECT()
    {
        await using Http2EchoHost host = await Http2EchoHost.StartAsync(tls: true);
        await using var proxy = new ConnectProxy();
        WebSocketClientOptions options = Http2();
        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(host.Uri(), new WebSocketClientOptions
        {
            HttpVersion = options.HttpVersion,
            RemoteCertificateValidation = options.RemoteCertificateValidation,
            Proxy = proxy.Uri,
        }, Bounded.Token()).Within("the h2 handshake through the proxy");

        await ws.SendTextAsync("via proxy", Bounded.Token());

        Assert.Equal("via proxy", (await ws.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
        Assert.StartsWith($"CONNECT localhost:{host.Port} HTTP/1.1\r\n", Assert.Single(proxy.Requests), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proxy_refusal_fails_with_its_status()
    {
        await using Http2EchoHost host = await Http2EchoHost.StartAsync();
        await using var proxy = new ConnectProxy(refuseWith: 403);

        var error = await Assert.ThrowsAsync<WebSocketHandshakeException>(() =>
            WebSocketClient.ConnectAsync(host.Uri(), new WebSocketClientOptions { HttpVersion = HttpVersion.Version20, Proxy = proxy.Uri }, Bounded.Token()));

        Assert.Equal(403, error.StatusCode);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_naming_TLS()
    {
        await using Http2EchoHost host = await Http2EchoHost.StartAsync(tls: true);

        var error = await Assert.ThrowsAsync<WebSocketHandshakeException>(() =>
            WebSocketClient.ConnectAsync(host.Uri(), new WebSocketClientOptions { HttpVersion = HttpVersion.Version20 }, Bounded.Token()));

        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_without_http2_fails_clearly()
    {
        await using EchoServer server = await EchoServer.StartAsync();

        var error = await Assert.ThrowsAsync<WebSocketHandshakeException>(() => WebSocketClient.ConnectAsync(server.Uri(), Http2(), Bounded.Token()));

        Assert.Contains("extended CONNECT", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP/2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_refuse_other_versions_and_an_invoker_over_http11()
    {
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());

        Assert.Contains("HttpVersion", Assert.Throws<ArgumentException>(() =>
            WebSocketClient.ConnectAsync(new Uri("ws://127.0.0.1:1/"), new WebSocketClientOptions { HttpVersion = HttpVersion.Version30 }).GetAwaiter().GetResult()).Message, StringComparison.Ordinal);
        Assert.Contains("HttpInvoker", Assert.Throws<ArgumentException>(() =>
            WebSocketClient.ConnectAsync(new Uri("ws://127.0.0.1:1/"), new WebSocketClientOptions { HttpInvoker = invoker }).GetAwaiter().GetResult()).Message, StringComparison.Ordinal);
    }
}
