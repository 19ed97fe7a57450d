using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Duplex.Cli.Tls;

/// <summary>
/// The self-signed certificate <c>--tls</c> serves with when no <c>--cert</c> is given: made on
/// first use for localhost, 127.0.0.1 and ::1, kept in a per-user file, reused while it is
/// valid, and made anew when it has expired (or expires within a day) or cannot be read.
/// </summary>
/// <remarks>
/// The file is PKCS#12 without a password, readable by its owner only; beside it the
/// certificate alone as PEM (<see cref="PemPath"/>), to hand to a client that should trust it
/// (<c>curl --cacert</c>, <c>NODE_EXTRA_CA_CERTS</c>, a browser's import).
/// </remarks>
internal static class DevelopmentCertificate
{
    /// <summary>The environment variable that names the file instead of the per-user default (tests set it).</summary>
    public const string PathVariable = "DUPLEX_DEV_CERT";

    /// <summary>How long a new certificate is valid.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    /// <summary>A certificate this close to its end is made anew rather than served to expire mid-run.</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(1);

    private const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>
    /// Where the certificate is kept: <see cref="PathVariable"/> when set, else dev-cert.pfx in a
    /// duplex folder under the user's local data folder ($XDG_DATA_HOME or ~/.local/share on Linux).
    /// </summary>
    public static string DefaultPath(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment(PathVariable) is { Length: > 0 } path)
        {
            return Path.GetFullPath(path);
        }

        string data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(data))
        {
            data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(data, "duplex", "dev-cert.pfx");
    }

    /// <summary>The PEM copy of the certificate (no key) kept beside <paramref name="path"/>.</summary>
    public static string PemPath(string path) => Path.ChangeExtension(path, ".pem");

    /// <summary>
    /// The certificate kept at <paramref name="path"/>, or a new one made and kept there when
    /// there is none, it cannot be read, or it has expired (or expires within a day).
    /// </summary>
    /// <exception cref="CertificateLoadException">A new certificate cannot be written to <paramref name="path"/>.</exception>
    public static (X509Certificate2 Certificate, bool Created) GetOrCreate(string path, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(time);
        DateTimeOffset now = time.GetUtcNow();
        if (TryLoad(path, now) is { } kept)
        {
            TryWritePemIfMissing(path, kept);

            return (kept, false);
        }

        X509Certificate2 created = Create(now);
        try
        {
            Write(path, created);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            created.Dispose();
            throw new CertificateLoadException($"cannot keep the development certificate at {path}: {ex.Message} (set {PathVariable} to a file elsewhere, or give --cert).", ex);
        }

        return (created, true);
    }

    /// <summary>A new self-signed ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, for server authentication, valid from an hour before <paramref name="now"/> for <see cref="Lifetime"/>.</summary>
    public static X509Certificate2 Create(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost, O=Duplex development certificate", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthenticationOid)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        // A clock a little behind ours still takes it.
        using X509Certificate2 made = request.CreateSelfSigned(now.AddHours(-1), now.Add(Lifetime));

        // Through PKCS#12 so that the key is an ordinary one, usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2? TryLoad(string path, DateTimeOffset now)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, null);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (!certificate.HasPrivateKey || certificate.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore || certificate.NotBefore.ToUniversalTime() > now.UtcDateTime)
        {
            certificate.Dispose();
            return null;
        }

        return certificate;
    }

    private static void Write(string path, X509Certificate2 certificate)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Written beside and moved over, so that a run that starts meanwhile reads the old file or the new one, never half of one.
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        WriteOwnerOnly(temporary, certificate.Export(X509ContentType.Pkcs12));
        File.Move(temporary, path, overwrite: true);
        WritePem(path, certificate);
    }

    private static void TryWritePemIfMissing(string path, X509Certificate2 certificate)
    {
        try
        {
            if (!File.Exists(PemPath(path)))
            {
                WritePem(path, certificate);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a convenience for the user: the server needs the PKCS#12 file alone.
        }
    }

    private static void WritePem(string path, X509Certificate2 certificate)
    {
        string temporary = $"{PemPath(path)}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, certificate.ExportCertificatePem() + "\n");
        File.Move(temporary, PemPath(path), overwrite: true);
    }

    private static void WriteOwnerOnly(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, options);
        file.Write(bytes);
    }
}
