using System.CommandLine;
using System.CommandLine.Help;

namespace Duplex.Cli;

/// <summary>The <c>duplex</c> command: <c>serve</c>, <c>echo</c>, <c>connect</c>, <c>session</c>, <c>sub</c>, <c>pub</c>, <c>autobahn-agent</c>.</summary>
public static class Program
{
    /// <summary>Runs on the real console; Ctrl+C and SIGTERM stop the command gracefully.</summary>
    public static Task<int> Main(string[] args) =>
        RunAsync(args, new CliContext { HandleTerminationSignals = true }, CancellationToken.None);

    /// <summary>Runs a command with the given standard streams (console logging), for in-process callers.</summary>
    public static Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(args, new CliContext { In = stdin, Out = stdout, Error = stderr }, cancellationToken);

    /// <summary>
    /// Runs a command in <paramref name="context"/>; <paramref name="cancellationToken"/> stops it
    /// as Ctrl+C would. Returns the exit status: 0 success, 1 failure, 2 bad usage.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        Command root = CreateRootCommand(context);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                await context.Error.WriteLineAsync($"duplex: {error.Message}").ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync("Try 'duplex --help'.").ConfigureAwait(false);
            return CliArguments.UsageError;
        }

        var invocation = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,

            // Long enough for a server's graceful shutdown (closing handshakes are bounded by 5 s).
            ProcessTerminationTimeout = context.HandleTerminationSignals ? TimeSpan.FromSeconds(10) : null,
        };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The command tree.</summary>
    public static Command CreateRootCommand(CliContext context)
    {
        // Not a RootCommand, which names itself after the assembly (Duplex.Cli) in help.
        var root = new Command("duplex", "Duplex: a WebSocket (RFC 6455) server and client.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Subcommands.Add(ServeCommand.Create(context));
        root.Subcommands.Add(EchoCommand.Create(context));
        root.Subcommands.Add(ConnectCommand.Create(context));
        root.Subcommands.Add(SessionCommand.Create(context));
        root.Subcommands.Add(SubCommand.Create(context));
        root.Subcommands.Add(PubCommand.Create(context));
        root.Subcommands.Add(AutobahnAgentCommand.Create(context));
        root.Subcommands.Add(Bench.BenchCommand.Create(context));
        root.Subcommands.Add(Compare.CompareCommand.Create(context));
        return root;
    }
}
