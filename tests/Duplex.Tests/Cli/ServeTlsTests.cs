using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Duplex.Cli.Tls;
using Duplex.Tests.Interop;
using Xunit.Abstractions;

namespace Duplex.Tests.Cli;

/// <summary>
/// <c>duplex serve --tls</c>: https and wss with the development certificate (trusted by Node's
/// ws through its PEM, by Chromium through its key's hash) or with a certificate file; a bad file
/// is bad usage.
/// </summary>
public sealed class ServeTlsTests(ITestOutputHelper output) : IDisposable
{
    private const string Password = "s3cret pässword";

    private readonly string _folder = Directory.CreateTempSubdirectory("duplex-serve-tls-").FullName;

    private string DevelopmentCertificatePath => Path.Combine(_folder, "dev-cert.pfx");

    /// <summary>All the environment the command sees: the development certificate in the test's folder, never the user's.</summary>
    private Dictionary<string, string> Environment => new() { [DevelopmentCertificate.PathVariable] = DevelopmentCertificatePath };

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Tls_alone_makes_a_development_certificate_prints_its_fingerprint_and_node_ws_trusting_its_pem_echoes_over_wss()
    {
        await using var serve = CliHarness.Start(["serve", "--port", "0", "--tls"], environment: Environment);
        int port = await serve.ListeningPortAsync();
        using X509Certificate2 made = X509CertificateLoader.LoadPkcs12FromFile(DevelopmentCertificatePath, null);
        Assert.Contains($"development certificate {DevelopmentCertificatePath} (made now", serve.Out, StringComparison.Ordinal);
        Assert.Contains($"SHA-256 fingerprint {CertificateFingerprints.Sha256(made)}", serve.Out, StringComparison.Ordinal);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", CertificateFingerprints.Sha256(made));

        await using var node = PeerProcess.StartNode(
            "ws-client.js",
            [$"wss://127.0.0.1:{port}/echo", "--ca", DevelopmentCertificate.PemPath(DevelopmentCertificatePath), "--size", "4096", "--binary-size", "4096", "--count", "5", "--timeout", "30"],
            output);
        PeerResult result = await node.WaitForResultAsync(InteropTimeouts.PeerRun);

        result.AssertOk();
        Assert.Equal(0, await serve.StopAsync());

        // The next run serves with the same certificate.
        await using var again = CliHarness.Start(["serve", "--port", "0", "--tls"], environment: Environment);
        await again.ListeningPortAsync();
        Assert.Contains("kept from an earlier run", again.Out, StringComparison.Ordinal);
        Assert.Contains(CertificateFingerprints.Sha256(made), again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chromium_trusting_the_development_certificates_key_runs_the_demo_over_https_with_its_echo_and_session_over_wss()
    {
        await using var serve = CliHarness.Start(["serve", "--port", "0", "--tls"], environment: Environment);
        int port = await serve.ListeningPortAsync();
        using X509Certificate2 made = X509CertificateLoader.LoadPkcs12FromFile(DevelopmentCertificatePath, null);
        string spki = CertificateFingerprints.SpkiSha256Base64(made);
        Assert.Contains($"--ignore-certificate-errors-spki-list={spki}", serve.Out, StringComparison.Ordinal);

        await using (var echo = PeerProcess.StartNode("chromium-demo.js", [$"https://127.0.0.1:{port}/", "--trust-spki", spki, "--timeout", "60"], output))
        {
            PeerResult result = await echo.WaitForResultAsync(InteropTimeouts.Browser);
            result.AssertOk();
            Assert.Equal(["hello from the demo", "κόσμε ✓ 🎉"], result.Json.GetProperty("echoed").EnumerateArray().Select(e => e.GetString() ?? ""));
        }

        await using var session = PeerProcess.StartNode(
            "chromium-demo-session.js", [$"https://127.0.0.1:{port}/?transport=websocket", "--expect", "websocket", "--trust-spki", spki, "--timeout", "60"], output);
        PeerResult sessionResult = await session.WaitForResultAsync(InteropTimeouts.Browser);
        sessionResult.AssertOk();
        JsonElement step = Assert.Single(sessionResult.Json.GetProperty("steps").EnumerateArray());
        Assert.Equal("connected · websocket", step.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("pfx, password in argv")]
    [InlineData("pfx, password in the environment")]
    [InlineData("pem certificate and key")]
    public async Task Cert_serves_wss_with_the_certificate_of_the_file(string form)
    {
        using X509Certificate2 certificate = CreateCertificate();
        string pfx = Path.Combine(_folder, "server.pfx");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pkcs12, Password));
        string pem = Path.Combine(_folder, "server.pem");
        string key = Path.Combine(_folder, "server.key");
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        File.WriteAllText(key, certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        Dictionary<string, string> environment = Environment;
        string[] args = form switch
        {
            "pfx, password in argv" => ["--cert", pfx, "--cert-password", Password],
            "pfx, password in the environment" => ["--cert", pfx],
            _ => ["--cert", pem, "--key", key],
        };
        if (form == "pfx, password in the environment")
        {
            environment[TlsOptions.PasswordVariable] = Password;
        }

        await using var serve = CliHarness.Start(["serve", "--port", "0", .. args], environment: environment);
        int port = await serve.ListeningPortAsync();
        CancellationToken ct = TestServers.Bounded();
        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(
            new Uri($"wss://127.0.0.1:{port}/echo"),
            new WebSocketClientOptions { RemoteCertificateValidation = (_, seen, _, _) => seen?.GetCertHashString() == certificate.GetCertHashString() },
            ct);
        await ws.SendTextAsync("over TLS", ct);

        Assert.Equal("over TLS", (await ws.ReceiveAsync(ct)).Text);
        Assert.Contains($"SHA-256 fingerprint {CertificateFingerprints.Sha256(certificate)}", serve.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(DevelopmentCertificatePath), "no development certificate is made when --cert names one");
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("not a certificate", "is neither a PKCS#12 file (.pfx, .p12) nor PEM")]
    [InlineData("wrong password", "the password is wrong or missing")]
    [InlineData("pem without its key", "holds no private key: give the key with --key")]
    [InlineData("key without cert", "--key needs --cert")]
    public async Task A_bad_certificate_is_bad_usage_and_the_message_says_what_is_wrong(string problem, string message)
    {
        using X509Certificate2 certificate = CreateCertificate();
        string file = Path.Combine(_folder, "server.pfx");
        string[] args;
        switch (problem)
        {
            case "missing":
                args = ["--tls", "--cert", file];
                break;
            case "not a certificate":
                File.WriteAllText(file, "hello");
                args = ["--tls", "--cert", file];
                break;
            case "wrong password":
                File.WriteAllBytes(file, certificate.Export(X509ContentType.Pkcs12, Password));
                args = ["--tls", "--cert", file, "--cert-password", "not it"];
                break;
            case "pem without its key":
                File.WriteAllText(file, certificate.ExportCertificatePem());
                args = ["--cert", file];
                break;
            default:
                args = ["--tls", "--key", file];
                break;
        }

        var (exit, _, stderr) = await CliHarness.RunAsync(["serve", "--port", "0", .. args], environment: Environment);

        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=duplex-serve-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }
}
