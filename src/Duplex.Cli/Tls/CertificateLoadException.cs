namespace Duplex.Cli.Tls;

/// <summary>
/// A certificate for TLS could not be had: a missing or unreadable file, a wrong password, no
/// private key. The message says which, in words a user can act on; a command prints it and
/// exits with <see cref="CliArguments.UsageError"/>.
/// </summary>
internal sealed class CertificateLoadException : Exception
{
    public CertificateLoadException()
    {
    }

    public CertificateLoadException(string message)
        : base(message)
    {
    }

    public CertificateLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
