using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Duplex.Cli.Tls;

/// <summary>The hashes by which a user recognizes a certificate, or tells a client to trust it.</summary>
internal static class CertificateFingerprints
{
    /// <summary>The SHA-256 of the whole certificate as browsers and openssl show it: upper-case hex pairs joined by colons.</summary>
    public static string Sha256(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Aggregate(
            new System.Text.StringBuilder(),
            (text, pair) => (text.Length > 0 ? text.Append(':') : text).Append(pair),
            text => text.ToString());
    }

    /// <summary>The base64 SHA-256 of the certificate's SubjectPublicKeyInfo: what Chromium's --ignore-certificate-errors-spki-list takes.</summary>
    public static string SpkiSha256Base64(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }
}
