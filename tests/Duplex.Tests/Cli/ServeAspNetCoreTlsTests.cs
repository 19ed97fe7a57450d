using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Duplex.Cli.Tls;
using Duplex.Tests.Interop;
using Xunit.Abstractions;

namespace Duplex.Tests.Cli;

/// <summary>
/// <c>duplex serve --aspnetcore --tls</c> with the development certificate: headless Chromium
/// (trusting only the certificate's key) runs the demo's WebSocket echo and a session on every
/// transport (SSE, long and short polling, WebSocket), and the server's request log shows all went over HTTP/2 (ALPN h2; the WebSocket an
/// RFC 8441 extended CONNECT); Node's ws, which speaks HTTP/1.1, echoes over wss:// on the same port.
/// </summary>
public sealed class ServeAspNetCoreTlsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("duplex-serve-aspnetcore-tls-").FullName;

    private string DevelopmentCertificatePath => Path.Combine(_folder, "dev-cert.pfx");

    /// <summary>All the environment the command sees: the development certificate in the test's folder, never the user's.</summary>
    private Dictionary<string, string> Environment => new() { [DevelopmentCertificate.PathVariable] = DevelopmentCertificatePath };

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Chromium_runs_the_demos_websocket_echo_and_a_session_on_every_transport_and_the_server_saw_all_on_http2()
    {
        await using var serve = CliHarness.Start(["serve", "--aspnetcore", "--tls", "--port", "0", "--log-requests"], environment: Environment);
        int port = await serve.ListeningPortAsync();
        using X509Certificate2 made = X509CertificateLoader.LoadPkcs12FromFile(DevelopmentCertificatePath, null);
        string spki = CertificateFingerprints.SpkiSha256Base64(made);

        await using (var echo = PeerProcess.StartNode("chromium-demo.js", [$"https://127.0.0.1:{port}/", "--trust-spki", spki, "--timeout", "60"], output))
        {
            PeerResult result = await echo.WaitForResultAsync(InteropTimeouts.Browser);
            result.AssertOk();
            Assert.Equal(["hello from the demo", "κόσμε ✓ 🎉"], result.Json.GetProperty("echoed").EnumerateArray().Select(e => e.GetString() ?? ""));
        }

        // Every transport in turn, from the page's own picker: each session echoes on the one picked.
        await using (var session = PeerProcess.StartNode(
            "chromium-demo-session.js", [$"https://127.0.0.1:{port}/?transport=sse", "--expect", "sse", "--pick", "long-polling,polling,websocket", "--trust-spki", spki, "--timeout", "60"], output))
        {
            PeerResult result = await session.WaitForResultAsync(InteropTimeouts.Browser);
            result.AssertOk();
            Assert.Equal(
                ["sse", "long-polling", "polling", "websocket"],
                result.Json.GetProperty("steps").EnumerateArray().Select(step => step.GetProperty("transport").GetString()));
        }

        // Each request is logged as it arrives, so all of the pages' are in by now.
        string[] requests = serve.Out.Split(System.Environment.NewLine).Where(line => line.StartsWith("HTTP/", StringComparison.Ordinal)).ToArray();
        output.WriteLine(string.Join("\n", requests));
        Assert.All(requests, line => Assert.StartsWith("HTTP/2 ", line, StringComparison.Ordinal));
        Assert.Contains("HTTP/2 GET /", requests);
        Assert.Contains("HTTP/2 CONNECT /echo", requests);
        Assert.Contains("HTTP/2 GET /realtime/sse", requests);
        Assert.Contains("HTTP/2 POST /realtime/send", requests);
        Assert.Contains("HTTP/2 GET /realtime/poll", requests);
        Assert.Contains("HTTP/2 CONNECT /realtime/ws", requests);
    }

    [Fact]
    public async Task Node_ws_trusting_the_development_certificates_pem_echoes_over_wss_on_http1()
    {
        await using var serve = CliHarness.Start(["serve", "--aspnetcore", "--tls", "--port", "0", "--log-requests"], environment: Environment);
        int port = await serve.ListeningPortAsync();

        await using var node = PeerProcess.StartNode(
            "ws-client.js",
            [$"wss://127.0.0.1:{port}/echo", "--ca", DevelopmentCertificate.PemPath(DevelopmentCertificatePath), "--size", "4096", "--binary-size", "4096", "--count", "5", "--timeout", "30"],
            output);
        PeerResult result = await node.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        Assert.Contains("HTTP/1.1 GET /echo", serve.Out.Split(System.Environment.NewLine));
    }
}
