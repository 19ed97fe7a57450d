using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Text;
using Duplex.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Duplex.Tests.Hosting;

/// <summary>
/// WebSocket over HTTP/2 (RFC 8441) through Duplex.AspNetCore, with a client nobody here wrote:
/// .NET's ClientWebSocket asked for HTTP/2 exactly, over h2c (prior knowledge) and over TLS (ALPN).
/// </summary>
public class Http2WebSocketTests
{
    private static async Task<(HostedEchoServer Server, ConcurrentQueue<string> Versions)> StartAsync(bool tls, PerMessageDeflateOptions? compression = null)
    {
        var versions = new ConcurrentQueue<string>();
        HostedEchoServer server = await HostedEchoServer.StartAsync(
            new WebSocketConnectionOptions { MaxMessageSize = 32 * 1024 * 1024, Compression = compression },
            // Kestrel speaks h2c by prior knowledge only on a port that speaks nothing else.
            protocols: tls ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http2,
            tls: tls,
            map: app => Duplex.AspNetCore.DuplexEndpointRouteBuilderExtensions.MapWebSocket(app, "/versioned", async (connection, ct) =>
            {
                versions.Enqueue($"{connection.Request!.Version} {connection.Request.Method} {connection.Extensions}");
                await EchoServer.EchoAsync(connection, ct);
            }));
        return (server, versions);
    }

    private static ClientWebSocket Http2Client(bool tls)
    {
        var client = new ClientWebSocket();
        client.Options.HttpVersion = HttpVersion.Version20;
        client.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        client.Options.CollectHttpResponseDetails = true;
        _ = tls; // Trust goes on the invoker's handler (Invoker): ClientWebSocket refuses it on its own options then.
        return client;
    }

    private static HttpMessageInvoker Invoker(bool tls) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                !tls || (certificate is not null && certificate.GetCertHashString() == TestCertificate.Localhost.GetCertHashString()),
        },
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientWebSocket_over_HTTP2_echoes_through_the_host(bool tls)
    {
        (HostedEchoServer server, ConcurrentQueue<string> versions) = await StartAsync(tls);
        await using (server)
        {
            using ClientWebSocket client = Http2Client(tls);
            using HttpMessageInvoker invoker = Invoker(tls);
            await client.ConnectAsync(server.Uri("/versioned"), invoker, Bounded.Token()).Within("the extended CONNECT");

            Assert.Equal(HttpStatusCode.OK, client.HttpStatusCode);
            byte[] large = Encoding.UTF8.GetBytes(new string('x', 200_000));
            foreach (byte[] payload in new[] { "hello"u8.ToArray(), large })
            {
                await client.SendAsync(payload, WebSocketMessageType.Text, true, Bounded.Token());
                Assert.Equal(payload, await ReceiveAsync(client));
            }

            await client.SendAsync(new byte[] { 0, 1, 2, 255 }, WebSocketMessageType.Binary, true, Bounded.Token());
            Assert.Equal(new byte[] { 0, 1, 2, 255 }, await ReceiveAsync(client));

            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Bounded.Token()).Within("the closing handshake");
            Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
            Assert.Equal(["HTTP/2 CONNECT "], versions);
        }
    }

    [Fact]
    public async Task Permessage_deflate_is_agreed_over_HTTP2()
    {
        (HostedEchoServer server, ConcurrentQueue<string> versions) = await StartAsync(tls: false, new PerMessageDeflateOptions());
        await using (server)
        {
            using ClientWebSocket client = Http2Client(tls: false);
            client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
            using HttpMessageInvoker invoker = Invoker(tls: false);
            await client.ConnectAsync(server.Uri("/versioned"), invoker, Bounded.Token()).Within("the extended CONNECT");

            Assert.StartsWith("permessage-deflate", client.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single(), StringComparison.Ordinal);
            byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("compressible ", 5000)));
            await client.SendAsync(text, WebSocketMessageType.Text, true, Bounded.Token());
            Assert.Equal(text, await ReceiveAsync(client));
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Bounded.Token()).Within("the closing handshake");
            Assert.StartsWith("HTTP/2 CONNECT permessage-deflate", versions.Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Many_WebSockets_share_one_HTTP2_connection()
    {
        (HostedEchoServer server, ConcurrentQueue<string> versions) = await StartAsync(tls: false);
        await using (server)
        {
            using HttpMessageInvoker invoker = Invoker(tls: false);
            var clients = new List<ClientWebSocket>();
            for (int i = 0; i < 5; i++)
            {
                ClientWebSocket client = Http2Client(tls: false);
                clients.Add(client);
                await client.ConnectAsync(server.Uri("/versioned"), invoker, Bounded.Token()).Within("an extended CONNECT");
            }

            for (int i = 0; i < clients.Count; i++)
            {
                byte[] payload = Encoding.UTF8.GetBytes($"client {i}");
                await clients[i].SendAsync(payload, WebSocketMessageType.Text, true, Bounded.Token());
            }

            for (int i = 0; i < clients.Count; i++)
            {
                Assert.Equal(Encoding.UTF8.GetBytes($"client {i}"), await ReceiveAsync(clients[i]));
            }

            Assert.Equal(5, versions.Count);
            Assert.Equal(1, server.ConnectionCount);
            foreach (ClientWebSocket client in clients)
            {
                await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Bounded.Token()).Within("a closing handshake");
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_plain_HTTP2_request_to_a_WebSocket_endpoint_is_answered_426()
    {
        await using HostedEchoServer server = await HostedEchoServer.StartAsync(protocols: HttpProtocols.Http2);
        using var http = new HttpClient(new SocketsHttpHandler()) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using HttpResponseMessage response = await http.GetAsync(server.HttpUri("/echo"), Bounded.Token());

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal((HttpStatusCode)426, response.StatusCode);
        Assert.Equal("13", response.Headers.GetValues("Sec-WebSocket-Version").Single());
    }

    private static async Task<byte[]> ReceiveAsync(ClientWebSocket client)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult result = await client.ReceiveAsync(buffer, Bounded.Token()).WaitAsync(Bounded.Default);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return message.ToArray();
            }
        }
    }
}
