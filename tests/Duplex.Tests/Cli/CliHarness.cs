using System.Net;
using Duplex.Cli;
using Microsoft.Extensions.Logging.Abstractions;

namespace Duplex.Tests.Cli;

/// <summary>
/// Runs a <c>duplex</c> command in-process with its own stdin, stdout and stderr, no console
/// logging and no signal handling; every wait is bounded.
/// </summary>
internal sealed class CliHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<IPEndPoint> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    private CliHarness(string[] args, TextReader? stdin, IReadOnlyDictionary<string, string>? environment)
    {
        var context = new CliContext
        {
            In = stdin ?? new StringReader(string.Empty),
            Out = TextWriter.Synchronized(_out),
            Error = TextWriter.Synchronized(_error),
            CreateLoggerFactory = _ => NullLoggerFactory.Instance,
            ServerStarted = endPoint => _started.TrySetResult(endPoint),
            GetEnvironmentVariable = environment is null ? Environment.GetEnvironmentVariable : name => environment.GetValueOrDefault(name),
        };
        Exit = Task.Run(() => Program.RunAsync(args, context, _stop.Token));
        _ = Exit.ContinueWith(t => _started.TrySetException(new InvalidOperationException($"The command ended before it listened (exit {(t.IsCompletedSuccessfully ? t.Result : -1)}): {Error}")), TaskScheduler.Default);
    }

    /// <summary>The exit status, once the command has ended.</summary>
    public Task<int> Exit { get; }

    public string Out => _out.ToString();

    public string Error => _error.ToString();

    /// <summary>Starts a command; <paramref name="environment"/>, when given, is all the environment it sees.</summary>
    public static CliHarness Start(string[] args, TextReader? stdin = null, IReadOnlyDictionary<string, string>? environment = null) => new(args, stdin, environment);

    /// <summary>Runs a command to its end and returns its exit status.</summary>
    public static async Task<(int Exit, string Out, string Error)> RunAsync(string[] args, TextReader? stdin = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using CliHarness run = Start(args, stdin, environment);
        int exit = await run.WaitForExitAsync();
        return (exit, run.Out, run.Error);
    }

    /// <summary>Waits for a server command to listen; returns the port it bound.</summary>
    public async Task<int> ListeningPortAsync() => (await _started.Task.WaitAsync(Timeout)).Port;

    public Task<int> WaitForExitAsync() => WaitForExitAsync(Timeout);

    /// <summary>Waits, up to <paramref name="bound"/>, for the command to end (a long one: compare).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan bound)
    {
        try
        {
            return await Exit.WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The command did not exit within {bound.TotalSeconds} s. stdout: {Out} stderr: {Error}");
        }
    }

    /// <summary>Stops the command as Ctrl+C would and returns its exit status.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!Exit.IsCompleted)
        {
            await _stop.CancelAsync();
            await Exit.WaitAsync(Timeout).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _stop.Dispose();
    }
}

/// <summary>A stdin that never ends (until cancelled), like a terminal nobody types into.</summary>
internal sealed class SilentReader : TextReader
{
    public override string? ReadLine() => throw new NotSupportedException("Only asynchronous reads.");

    public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
        return null;
    }
}

/// <summary>Small helpers for servers the tests build.</summary>
internal static class TestServers
{
    public static async Task<DuplexServer> StartAsync(Action<DuplexServer> map)
    {
        var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0 });
        map(server);
        await server.StartAsync();
        return server;
    }

    public static async Task EchoAsync(WebSocketConnection ws, CancellationToken ct)
    {
        await foreach (WebSocketMessage message in ws.ReadMessagesAsync(ct))
        {
            await ws.SendAsync(message, ct);
        }
    }

    public static CancellationToken Bounded() => new CancellationTokenSource(CliHarness.Timeout).Token;
}
