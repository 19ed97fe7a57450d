using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Duplex.Cli.Tls;

/// <summary>
/// Whether a server command serves TLS, and with which certificate: the file of
/// <see cref="CertificatePath"/> (with <see cref="KeyPath"/> and <see cref="Password"/>), or
/// the development certificate kept at <see cref="DevelopmentCertificatePath"/>.
/// </summary>
internal sealed record TlsSettings(bool Enabled, string? CertificatePath, string? KeyPath, string? Password, string DevelopmentCertificatePath)
{
    /// <summary>The scheme of the server's pages: https when <see cref="Enabled"/>, else http.</summary>
    public string HttpScheme => Enabled ? "https" : "http";

    /// <summary>The scheme of its WebSocket endpoints: wss when <see cref="Enabled"/>, else ws.</summary>
    public string WebSocketScheme => Enabled ? "wss" : "ws";

    /// <summary>
    /// The certificate to serve with (null when TLS is off), and a few lines on
    /// <paramref name="report"/> that say which, with its SHA-256 fingerprint (and, for the
    /// development certificate, how to trust it). The caller owns the certificate.
    /// </summary>
    /// <exception cref="CertificateLoadException">The certificate cannot be had; the message says why.</exception>
    public X509Certificate2? LoadCertificate(TextWriter report, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(time);
        if (!Enabled)
        {
            return null;
        }

        if (CertificatePath is not null)
        {
            X509Certificate2 certificate = CertificateLoader.Load(CertificatePath, KeyPath, Password);
            report.WriteLine($"TLS: certificate {certificate.Subject} from {CertificatePath}, valid until {Day(certificate.NotAfter)}");
            report.WriteLine($"  SHA-256 fingerprint {CertificateFingerprints.Sha256(certificate)}");
            if (certificate.NotAfter.ToUniversalTime() < time.GetUtcNow().UtcDateTime)
            {
                report.WriteLine($"  warning: it expired on {Day(certificate.NotAfter)}; clients will refuse it.");
            }

            return certificate;
        }

        (X509Certificate2 development, bool created) = DevelopmentCertificate.GetOrCreate(DevelopmentCertificatePath, time);
        report.WriteLine($"TLS: development certificate {DevelopmentCertificatePath} ({(created ? "made now" : "kept from an earlier run")}; localhost, 127.0.0.1, ::1; valid until {Day(development.NotAfter)})");
        report.WriteLine($"  SHA-256 fingerprint {CertificateFingerprints.Sha256(development)}");
        report.WriteLine($"  to trust it: import {DevelopmentCertificate.PemPath(DevelopmentCertificatePath)} into the browser or system store, or start Chromium with --ignore-certificate-errors-spki-list={CertificateFingerprints.SpkiSha256Base64(development)}");
        return development;
    }

    private static string Day(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
