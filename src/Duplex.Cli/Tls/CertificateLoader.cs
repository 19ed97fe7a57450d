using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Duplex.Cli.Tls;

/// <summary>
/// Loads a server certificate with its private key from a file a user names: PKCS#12
/// (.pfx, .p12), or PEM (the certificate, with its key in the same file or in a second one).
/// </summary>
internal static class CertificateLoader
{
    /// <summary>
    /// Loads the certificate in <paramref name="certificatePath"/>; a PEM certificate takes its
    /// key from <paramref name="keyPath"/> when given, else from the same file.
    /// <paramref name="password"/> opens a PKCS#12 file or an encrypted PEM key.
    /// </summary>
    /// <exception cref="CertificateLoadException">The file is missing or unreadable, the password is wrong, or there is no private key.</exception>
    public static X509Certificate2 Load(string certificatePath, string? keyPath, string? password)
    {
        RequireFile(certificatePath, "certificate");
        if (keyPath is not null)
        {
            RequireFile(keyPath, "key");
        }

        bool pem = IsPem(certificatePath);
        X509Certificate2 certificate = pem
            ? LoadPem(certificatePath, keyPath, password)
            : LoadPkcs12(certificatePath, keyPath, password);
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new CertificateLoadException(pem
                ? $"{keyPath ?? certificatePath} gives no private key for the certificate in {certificatePath}."
                : $"{certificatePath} holds a certificate without its private key: the server needs both (export the .pfx with its key).");
        }

        return certificate;
    }

    private static X509Certificate2 LoadPkcs12(string path, string? keyPath, string? password)
    {
        if (keyPath is not null)
        {
            throw new CertificateLoadException($"--key is for a PEM certificate; {path} is not PEM (a .pfx/.p12 holds its own key).");
        }

        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException ex) when (IsDerSequence(path))
        {
            throw new CertificateLoadException(
                $"cannot open the PKCS#12 file {path}: the password is wrong or missing (give it with --cert-password or ${TlsOptions.PasswordVariable}), " +
                $"or the file is damaged ({ex.Message.TrimEnd('.')}).",
                ex);
        }
        catch (CryptographicException ex)
        {
            throw new CertificateLoadException($"{path} is neither a PKCS#12 file (.pfx, .p12) nor PEM (-----BEGIN CERTIFICATE-----).", ex);
        }
    }

    private static X509Certificate2 LoadPem(string path, string? keyPath, string? password)
    {
        if (keyPath is null && !ReadText(path).Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new CertificateLoadException($"{path} holds no private key: give the key with --key KEY.pem.");
        }

        try
        {
            using X509Certificate2 pem = password is null
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);

            // A key from PEM is ephemeral, which SslStream cannot use on every platform: through
            // PKCS#12 it becomes an ordinary one.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException ex)
        {
            string key = keyPath ?? path;
            throw new CertificateLoadException(
                $"cannot read the PEM certificate {path} with the key in {key}: {ex.Message.TrimEnd('.')}. " +
                "The certificate file needs a CERTIFICATE block and the key file a PRIVATE KEY block of the same key " +
                $"(an encrypted key needs --cert-password or ${TlsOptions.PasswordVariable}).",
                ex);
        }
        catch (ArgumentException ex)
        {
            throw new CertificateLoadException($"cannot read the PEM certificate {path}: {ex.Message}", ex);
        }
    }

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new CertificateLoadException($"the {what} file {path} does not exist.");
        }
    }

    /// <summary>Whether the file is one DER (or BER) SEQUENCE, as a PKCS#12 file is: then a failure to open it is most likely its password.</summary>
    private static bool IsDerSequence(string path)
    {
        try
        {
            var reader = new AsnReader(File.ReadAllBytes(path), AsnEncodingRules.BER);
            reader.ReadSequence();
            return !reader.HasData;
        }
        catch (Exception ex) when (ex is AsnContentException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CertificateLoadException($"cannot read {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Whether the file is text with a PEM block in its first kilobyte (else it is taken for PKCS#12).</summary>
    private static bool IsPem(string path)
    {
        try
        {
            using FileStream file = File.OpenRead(path);
            Span<byte> head = stackalloc byte[1024];
            int read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            return head[..read].IndexOf("-----BEGIN "u8) >= 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CertificateLoadException($"cannot read {path}: {ex.Message}", ex);
        }
    }
}
