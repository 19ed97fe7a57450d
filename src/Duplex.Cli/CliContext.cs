using System.Net;
using Microsoft.Extensions.Logging;

namespace Duplex.Cli;

/// <summary>
/// Where a command reads and writes, and how it logs: the real console for the <c>duplex</c>
/// executable, readers and writers of its own for an in-process caller such as a test.
/// </summary>
public sealed class CliContext
{
    /// <summary>Standard input (the lines <c>connect</c> sends).</summary>
    public TextReader In { get; init; } = Console.In;

    /// <summary>Standard output (received messages, progress, help).</summary>
    public TextWriter Out { get; init; } = Console.Out;

    /// <summary>Standard error (status lines and failures).</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>Creates the logger factory a command logs to, with the given minimum level. Default: the console.</summary>
    public Func<LogLevel, ILoggerFactory> CreateLoggerFactory { get; init; } = ConsoleLogging.Create;

    /// <summary>Called once a server command (<c>serve</c>, <c>echo</c>) listens, with the address it bound (port 0 resolved).</summary>
    public Action<IPEndPoint>? ServerStarted { get; init; }

    /// <summary>
    /// Reads an environment variable (DUPLEX_DEV_CERT, DUPLEX_CERT_PASSWORD); null when unset.
    /// Default: the process's environment; an in-process caller gives its own.
    /// </summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>
    /// Whether Ctrl+C, SIGINT and SIGTERM cancel the running command (the executable does this;
    /// an in-process caller cancels through the token it passes instead).
    /// </summary>
    public bool HandleTerminationSignals { get; init; }
}
