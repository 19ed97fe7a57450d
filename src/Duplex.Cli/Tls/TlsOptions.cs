using System.CommandLine;

namespace Duplex.Cli.Tls;

/// <summary>
/// The TLS options of a server command, <c>--tls</c>, <c>--cert</c>, <c>--key</c> and
/// <c>--cert-password</c>: <see cref="AddTo"/> puts them on the command, <see cref="Read"/>
/// gives what they say as <see cref="TlsSettings"/>, whose
/// <see cref="TlsSettings.LoadCertificate"/> gives the certificate to serve with, whatever the host.
/// </summary>
internal sealed class TlsOptions
{
    /// <summary>The environment variable read for the password when <c>--cert-password</c> is not given (a password in argv is visible to every user of the machine).</summary>
    public const string PasswordVariable = "DUPLEX_CERT_PASSWORD";

    public Option<bool> Tls { get; } = new("--tls")
    {
        Description = "Serve https:// and wss://. Without --cert, with a self-signed development certificate for localhost, made on first use and kept per user (path and fingerprint printed).",
    };

    public Option<string?> Certificate { get; } = new("--cert")
    {
        HelpName = "FILE",
        Description = "The server certificate for --tls (implied): a PKCS#12 file (.pfx, .p12) with its key, or a PEM certificate (its key in the same file or in --key).",
    };

    public Option<string?> Key { get; } = new("--key") { HelpName = "FILE", Description = "The PEM private key of a PEM --cert." };

    public Option<string?> Password { get; } = new("--cert-password")
    {
        HelpName = "PASSWORD",
        Description = $"The password of the --cert PKCS#12 file or of an encrypted PEM key (default: ${PasswordVariable}).",
    };

    /// <summary>Adds the options to <paramref name="command"/>, with the check that --key and --cert-password come with --cert.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Tls);
        command.Options.Add(Certificate);
        command.Options.Add(Key);
        command.Options.Add(Password);
        command.Validators.Add(result =>
        {
            if (result.GetResult(Certificate) is null)
            {
                if (result.GetResult(Key) is not null)
                {
                    result.AddError("--key needs --cert (the certificate the key belongs to).");
                }

                if (result.GetResult(Password) is not null)
                {
                    result.AddError("--cert-password needs --cert (the development certificate of --tls has no password).");
                }
            }
        });
    }

    /// <summary>What the options say; <paramref name="environment"/> gives the password's and the development certificate's variables.</summary>
    public TlsSettings Read(ParseResult parse, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(environment);
        string? certificate = parse.GetValue(Certificate);
        return new TlsSettings(
            Enabled: parse.GetValue(Tls) || certificate is not null,
            CertificatePath: certificate is null ? null : Path.GetFullPath(certificate),
            KeyPath: parse.GetValue(Key) is { } key ? Path.GetFullPath(key) : null,
            Password: parse.GetValue(Password) ?? environment(PasswordVariable),
            DevelopmentCertificatePath: DevelopmentCertificate.DefaultPath(environment));
    }
}
