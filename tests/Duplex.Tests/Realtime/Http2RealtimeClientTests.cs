using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Duplex.Realtime;
using Duplex.Tests.Support;

namespace Duplex.Tests.Realtime;

/// <summary>RealtimeClient over HTTP/2 through the ASP.NET Core host: every transport on one connection, and many sessions on one shared handler.</summary>
public sealed class Http2RealtimeClientTests
{
    public static TheoryData<RealtimeTransport> Transports => new(RealtimeTransports.All);

    private static RealtimeClientOptions Http2(RealtimeTransport transport, HttpMessageHandler? handler = null) => new()
    {
        HttpVersion = HttpVersion.Version20,
        HttpHandler = handler,
        Transports = [transport],
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        OpenTimeout = TimeSpan.FromSeconds(5),
        WebSocket = new WebSocketClientOptions
        {
            RemoteCertificateValidation = (_, certificate, _, _) =>
                certificate is not null && new X509Certificate2(certificate).Thumbprint == TestCertificate.Localhost.Thumbprint,
        },
    };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Every_transport_carries_the_session_over_one_h2c_connection(RealtimeTransport transport)
    {
        await using HostedRealtimeServer server = await HostedRealtimeServer.StartAsync();
        await using var client = new RealtimeClient(server.Endpoint, Http2(transport));

        await client.ConnectAsync(Bounded.Token()).Within("connect over h2c");
        await EchoAsync(client, "h2c", 10);
        await client.CloseAsync(Bounded.Token()).Within("close");

        Assert.Equal(RealtimeClientState.Closed, client.State);
        Assert.Equal(1, server.Connections);
        // Counted at the one socket, the WebSocket's frames among the HTTP/2 bytes.
        Assert.Equal(1, client.Statistics.TcpConnections);
        Assert.True(client.Statistics.BytesSent > 0 && client.Statistics.BytesReceived > 0);
    }

    [Theory]
    [InlineData(RealtimeTransport.WebSocket)]
    [InlineData(RealtimeTransport.ServerSentEvents)]
    public async Task Tls_h2_takes_the_websocket_options_certificate_check_for_every_request(RealtimeTransport transport)
    {
        await using HostedRealtimeServer server = await HostedRealtimeServer.StartAsync(tls: true);
        await using var client = new RealtimeClient(server.Endpoint, Http2(transport));

        await client.ConnectAsync(Bounded.Token()).Within("connect over TLS h2");
        await EchoAsync(client, "tls", 5);

        Assert.Equal(transport, client.Transport);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task Many_sessions_on_every_transport_share_one_connection_through_one_handler()
    {
        await using HostedRealtimeServer server = await HostedRealtimeServer.StartAsync();
        using var shared = new SocketsHttpHandler();
        RealtimeClient[] clients = [.. Enumerable.Range(0, 12).Select(i => new RealtimeClient(server.Endpoint, Http2(RealtimeTransports.All[i % 4], shared)))];
        try
        {
            await Task.WhenAll(clients.Select(c => c.ConnectAsync(Bounded.Token()))).Within("twelve sessions to connect");
            await Task.WhenAll(clients.Select((c, i) => EchoAsync(c, $"client {i}", 5))).Within("every echo");
            Assert.Equal(12, clients.Select(c => c.SessionId).Distinct().Count());
            Assert.Equal(RealtimeTransports.All.Count, clients.Select(c => c.Transport).Distinct().Count());
            await Task.WhenAll(clients.Select(c => c.CloseAsync(Bounded.Token()).AsTask())).Within("every close");

            Assert.Equal(1, server.Connections);
        }
        finally
        {
            foreach (RealtimeClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task EchoAsync(RealtimeClient client, string tag, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (i % 2 == 0)
            {
                await client.SendTextAsync($"{tag} {i}", Bounded.Token());
            }
            else
            {
                await client.SendBinaryAsync(Encoding.UTF8.GetBytes($"{tag} {i}"), Bounded.Token());
            }
        }

        for (int i = 0; i < count; i++)
        {
            RealtimeMessage echo = await client.ReceiveAsync(Bounded.Token()).Within($"echo {i} of {tag}");
            Assert.Equal(i % 2 == 0 ? MessageType.Text : MessageType.Binary, echo.Type);
            Assert.Equal($"{tag} {i}", echo.Text);
        }
    }
}
