using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Duplex.Tests.Packaging;

/// <summary>
/// A program the packaging tests run as users do (<c>dotnet pack</c>, <c>dotnet tool install</c>,
/// the installed <c>duplex</c>, the sample app): its stdout and stderr are kept, every wait is
/// bounded, and <see cref="DisposeAsync"/> kills what is still running, children included.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _name;
    private readonly object _gate = new();
    private readonly StringBuilder _output = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];
    private readonly Task _pumps;

    private ChildProcess(Process process, string name)
    {
        _process = process;
        _name = name;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
    }

    /// <summary>stdout and stderr so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return $"--- {_name} ---\n{_output}--- end of {_name} ---";
            }
        }
    }

    /// <summary>The dotnet the tests run under (<c>DOTNET_HOST_PATH</c>, set by <c>dotnet test</c>), else the one on PATH.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>
    /// Starts <paramref name="fileName"/> in <paramref name="workingDirectory"/>. The environment
    /// is this process's without the variables <c>dotnet test</c> set for its own MSBuild and test
    /// host (a nested build must find the SDK as a user's does), plus <paramref name="environment"/>.
    /// </summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            WorkingDirectory = workingDirectory,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (string variable in info.Environment.Keys.ToArray())
        {
            if (variable.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || variable.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || variable.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(variable);
            }
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // No MSBuild worker nodes left behind by a test.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach ((string variable, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[variable] = value;
        }

        string name = Path.GetFileName(fileName) + " " + string.Join(' ', info.ArgumentList.Take(2));
        Process process = Process.Start(info) ?? throw new InvalidOperationException($"{name} could not be started.");
        process.StandardInput.Close();
        return new ChildProcess(process, name);
    }

    /// <summary>Runs a program to its end; fails the test with its output unless it exits 0 within <paramref name="timeout"/>.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using ChildProcess run = Start(fileName, arguments, workingDirectory, environment);
        int exit = await run.WaitForExitAsync(timeout);
        Assert.True(exit == 0, $"{run._name} exited with {exit}.\n{run.Output}");
        return run.Output;
    }

    /// <summary>Waits for a line of stdout or stderr that matches <paramref name="pattern"/>; fails with the output on timeout or exit.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (string line in _output.ToString().Split('\n'))
            {
                if (pattern.Match(line) is { Success: true } seen)
                {
                    return seen;
                }
            }

            _waiters.Add((pattern, found));
        }

        _ = _pumps.ContinueWith(_ => found.TrySetException(new InvalidOperationException("exited")), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_name} printed no line matching {pattern} within {timeout.TotalSeconds:0} s.\n{Output}");
        }
        catch (InvalidOperationException)
        {
            throw new InvalidOperationException($"{_name} exited before printing a line matching {pattern}.\n{Output}");
        }
    }

    /// <summary>Waits for the exit and the end of the output; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            await _pumps.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_name} did not finish within {timeout.TotalSeconds:0} s.\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            await _pumps.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // gone already, or a grandchild still holds the pipes: nothing more to wait for
        }

        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_gate)
            {
                _output.Append(line).Append('\n');
                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Pattern.Match(line) is { Success: true } match)
                    {
                        _waiters[i].Found.TrySetResult(match);
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }
    }
}
