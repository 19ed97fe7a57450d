using System.Net;
using System.Security.Cryptography.X509Certificates;
using Duplex.Cli.Tls;

namespace Duplex.Tests.Cli;

/// <summary>The development certificate of <c>duplex serve --tls</c>: made once, kept, reused, made anew when it will not do.</summary>
public sealed class DevelopmentCertificateTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "duplex-dev-cert-" + Guid.NewGuid().ToString("N"));

    private string CertificatePath => Path.Combine(_folder, "nested", "dev-cert.pfx");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void The_first_call_makes_a_localhost_server_certificate_for_a_year_and_keeps_it_readable_by_its_owner_only()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        (X509Certificate2 certificate, bool created) = DevelopmentCertificate.GetOrCreate(CertificatePath, TimeProvider.System);
        using X509Certificate2 made = certificate;

        Assert.True(created);
        Assert.True(made.HasPrivateKey);
        Assert.InRange(made.NotAfter.ToUniversalTime() - now.UtcDateTime, TimeSpan.FromDays(364), TimeSpan.FromDays(366));
        Assert.True(made.NotBefore.ToUniversalTime() <= now.UtcDateTime);
        var names = Assert.Single(made.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["localhost"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], names.EnumerateIPAddresses());
        var usages = Assert.Single(made.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal(["1.3.6.1.5.5.7.3.1"], usages.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        Assert.False(Assert.Single(made.Extensions.OfType<X509BasicConstraintsExtension>()).CertificateAuthority);

        // Kept as PKCS#12 with its key, and as PEM without it for clients to trust.
        using X509Certificate2 kept = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, null);
        Assert.Equal(made.Thumbprint, kept.Thumbprint);
        Assert.True(kept.HasPrivateKey);
        using X509Certificate2 pem = X509Certificate2.CreateFromPem(File.ReadAllText(DevelopmentCertificate.PemPath(CertificatePath)));
        Assert.Equal(made.Thumbprint, pem.Thumbprint);
        Assert.False(pem.HasPrivateKey);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CertificatePath));
        }
    }

    [Fact]
    public void A_later_call_reuses_the_kept_certificate()
    {
        using X509Certificate2 first = DevelopmentCertificate.GetOrCreate(CertificatePath, TimeProvider.System).Certificate;
        File.Delete(DevelopmentCertificate.PemPath(CertificatePath));

        (X509Certificate2 second, bool created) = DevelopmentCertificate.GetOrCreate(CertificatePath, TimeProvider.System);
        using (second)
        {
            Assert.False(created);
            Assert.Equal(first.Thumbprint, second.Thumbprint);
            Assert.True(second.HasPrivateKey);
        }

        Assert.True(File.Exists(DevelopmentCertificate.PemPath(CertificatePath)), "the PEM copy is written again when it is missing");
    }

    [Theory]
    [InlineData(366.0)]
    [InlineData(364.5)]
    public void A_certificate_expired_or_expiring_within_a_day_is_made_anew(double daysLater)
    {
        using X509Certificate2 first = DevelopmentCertificate.GetOrCreate(CertificatePath, TimeProvider.System).Certificate;
        var later = new FixedTime(DateTimeOffset.UtcNow.AddDays(daysLater));

        (X509Certificate2 second, bool created) = DevelopmentCertificate.GetOrCreate(CertificatePath, later);
        using (second)
        {
            Assert.True(created);
            Assert.NotEqual(first.Thumbprint, second.Thumbprint);
            Assert.True(second.NotAfter.ToUniversalTime() > later.GetUtcNow().UtcDateTime.AddDays(364));
            using X509Certificate2 kept = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, null);
            Assert.Equal(second.Thumbprint, kept.Thumbprint);
        }
    }

    [Fact]
    public void An_unreadable_file_is_replaced_by_a_new_certificate()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(CertificatePath)!);
        File.WriteAllText(CertificatePath, "not a certificate");

        (X509Certificate2 certificate, bool created) = DevelopmentCertificate.GetOrCreate(CertificatePath, TimeProvider.System);
        using (certificate)
        {
            Assert.True(created);
            using X509Certificate2 kept = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, null);
            Assert.Equal(certificate.Thumbprint, kept.Thumbprint);
        }
    }

    [Fact]
    public void The_path_is_the_variables_when_set_else_a_duplex_folder_in_the_users_data()
    {
        Assert.Equal(Path.GetFullPath("x/dev.pfx"), DevelopmentCertificate.DefaultPath(name => name == "DUPLEX_DEV_CERT" ? "x/dev.pfx" : null));

        string fallback = DevelopmentCertificate.DefaultPath(_ => null);
        Assert.Equal(Path.Combine("duplex", "dev-cert.pfx"), Path.GetRelativePath(Path.GetDirectoryName(Path.GetDirectoryName(fallback)!)!, fallback));
        Assert.True(Path.IsPathFullyQualified(fallback));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
