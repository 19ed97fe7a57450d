using System.Net;
using System.Security.Cryptography.X509Certificates;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

public sealed class TlsTests
{
    private static async Task<DuplexServer> StartTlsServerAsync()
    {
        var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, ServerCertificate = TestCertificate.Localhost });
        server.MapWebSocket("/echo", EchoServer.EchoAsync);
        await server.StartAsync();
        return server;
    }

    [Fact]
    public async Task Wss_echo_works_when_the_certificate_is_trusted_by_the_hook()
    {
        await using DuplexServer server = await StartTlsServerAsync();
        string? seenSubject = null;
        await using WebSocketConnection ws = await EchoServer.ConnectAsync(
            new Uri($"wss://localhost:{server.LocalEndPoint.Port}/echo"),
            new WebSocketClientOptions
            {
                RemoteCertificateValidation = (_, certificate, _, _) =>
                {
                    seenSubject = certificate?.Subject;
                    return certificate is not null && new X509Certificate2(certificate).Thumbprint == TestCertificate.Localhost.Thumbprint;
                },
            });

        await ws.SendTextAsync("secret", Bounded.Token());

        Assert.Equal("secret", (await ws.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
        Assert.Equal("CN=localhost", seenSubject);
    }

    [Fact]
    public async Task Wss_to_an_untrusted_certificate_fails_by_default()
    {
        await using DuplexServer server = await StartTlsServerAsync();

        var error = await Assert.ThrowsAsync<WebSocketHandshakeException>(() =>
            EchoServer.ConnectAsync(new Uri($"wss://localhost:{server.LocalEndPoint.Port}/echo"), new WebSocketClientOptions()));

        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
    }
}
