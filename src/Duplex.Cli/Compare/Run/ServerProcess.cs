using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Duplex.Cli.Compare.Run;

/// <summary>
/// A <c>duplex serve</c> started by <c>duplex compare</c> as a process of its own (this same
/// Duplex.Cli.dll under the same dotnet), so that the server's CPU time and memory are its own and
/// can be read apart from the clients'. Killed with its process tree on dispose.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServerProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>"built-in" or "aspnetcore".</summary>
    public string Name { get; }

    /// <summary>Where it listens (127.0.0.1, a port it picked).</summary>
    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>What it printed (stdout and stderr), for a report of why it failed.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts <c>duplex serve --port 0</c> (with <c>--aspnetcore</c> when asked) and waits until it listens.</summary>
    public static async Task<ServerProcess> StartAsync(bool aspNetCore, TimeSpan heartbeat, CancellationToken cancellationToken)
    {
        string dll = typeof(ServerProcess).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["exec", dll, "serve", "--host", "127.0.0.1", "--port", "0", "--web", WebFolder(), "--ticker-interval", "60000", "--compare-heartbeat", heartbeat.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture), "--compare-memory"])
        {
            start.ArgumentList.Add(argument);
        }

        if (aspNetCore)
        {
            start.ArgumentList.Add("--aspnetcore");
        }

        // Console logging is plain lines; nothing here reads colours.
        start.Environment["NO_COLOR"] = "1";

        // Every method is compiled optimised at its first call, so that the CPU time measured is
        // the steady state: with tiered compilation, the background recompilation of hot methods
        // fell into the first approaches run on each server (5 to 10 times the CPU of the later ones).
        start.Environment["DOTNET_TieredCompilation"] = "0";
        Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var server = new ServerProcess(process, aspNetCore ? "aspnetcore" : "built-in");
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => server.Take(e.Data, listening);
        process.ErrorDataReceived += (_, e) => server.Take(e.Data, listening);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Task exited = process.WaitForExitAsync(cancellationToken);
            Task first = await Task.WhenAny(listening.Task, exited).WaitAsync(StartTimeout, cancellationToken).ConfigureAwait(false);
            if (first != listening.Task)
            {
                throw new InvalidOperationException($"duplex serve{(aspNetCore ? " --aspnetcore" : string.Empty)} ended before it listened: {server.Output}");
            }

            server.EndPoint = await listening.Task.ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The process's CPU time so far (its memory is asked of the workload: docs/PROTOCOL.md §12, <c>memory</c>).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Gone already, or not ours to wait for any longer.
        }

        _process.Dispose();
    }

    /// <summary>The dotnet host running this process (the muxer next to the shared runtime), for <c>dotnet exec</c>.</summary>
    private static string DotnetHost()
    {
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ → .../dotnet/dotnet
        string muxer = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"));
        return File.Exists(muxer) ? muxer : "dotnet";
    }

    /// <summary>The web folder next to the dll, or an empty one (serve wants a folder; compare needs no page).</summary>
    private static string WebFolder()
    {
        string web = Path.Combine(AppContext.BaseDirectory, "web");
        if (Directory.Exists(web))
        {
            return web;
        }

        string empty = Path.Combine(Path.GetTempPath(), "duplex-compare-web");
        Directory.CreateDirectory(empty);
        return empty;
    }

    private void Take(string? line, TaskCompletionSource<IPEndPoint> listening)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Count < 200)
            {
                _output.Add(line);
            }
        }

        Match match = ListeningLine().Match(line);
        if (match.Success && int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            listening.TrySetResult(new IPEndPoint(IPAddress.Loopback, port));
        }
    }

    [GeneratedRegex(@"listening on https?://[^\s/]*:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
