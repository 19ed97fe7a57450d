using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

/// <summary>The built-in server speaks HTTP/1.1 only, and says so in ALPN (RFC 7301), so a client that could speak h2 does not try it.</summary>
public sealed class TlsAlpnTests
{
    [Fact]
    public async Task A_client_offering_h2_and_http11_is_given_http11_and_served_over_it()
    {
        await using var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, ServerCertificate = TestCertificate.Localhost });
        server.MapGet("/", RespondAsync);
        await server.StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.LocalEndPoint.Port, Bounded.Token());
        await using var ssl = new SslStream(tcp.GetStream());

        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == TestCertificate.Localhost.GetCertHashString(),
            },
            Bounded.Token());

        Assert.Equal(SslApplicationProtocol.Http11, ssl.NegotiatedApplicationProtocol);
        await ssl.WriteAsync("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray(), Bounded.Token());
        using var reader = new StreamReader(ssl, Encoding.ASCII);
        string response = await reader.ReadToEndAsync(Bounded.Token());
        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.EndsWith("over http/1.1", response, StringComparison.Ordinal);
    }

    private static ValueTask RespondAsync(HttpExchange exchange, CancellationToken ct) => exchange.RespondTextAsync(200, "over http/1.1", ct);
}
