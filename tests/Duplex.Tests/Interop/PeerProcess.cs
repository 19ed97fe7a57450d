using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Duplex.Tests.Interop;

/// <summary>A peer program an interop test needs is not installed.</summary>
public sealed class PeerMissingException : Exception
{
    public PeerMissingException()
    {
    }

    public PeerMissingException(string message)
        : base(message)
    {
    }

    public PeerMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The JSON result line a client peer prints before it exits, with its exit code.</summary>
public sealed record PeerResult(int ExitCode, JsonElement Json, string Output)
{
    public bool Ok => Json.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True;

    public string? GetString(string name) =>
        Json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public int? GetInt(string name) =>
        Json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    public IReadOnlyList<string> Steps =>
        Json.TryGetProperty("steps", out var steps) && steps.ValueKind == JsonValueKind.Array
            ? steps.EnumerateArray().Select(s => s.GetString() ?? "").ToArray()
            : [];

    /// <summary>Fails the test unless the peer printed ok:true and exited 0.</summary>
    public void AssertOk()
    {
        if (!Ok || ExitCode != 0)
        {
            Assert.Fail($"the peer reported a failure (exit code {ExitCode}): {GetString("error") ?? Json.GetRawText()}\n{Output}");
        }
    }
}

/// <summary>
/// A peer program (Node, Python, Chromium through Node) run as a child process: its stdout and
/// stderr are read as they come, a test waits for a line or for the exit with a bounded timeout,
/// and <see cref="DisposeAsync"/> closes its stdin and then kills the whole process tree.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    public const string PythonPath = "/usr/bin/python3";

    private const int MaxKeptLines = 2000;

    private static readonly Lazy<string> LazyRepoRoot = new(FindRepoRoot);
    private static readonly Lazy<string?> LazyNodePath = new(() => FindOnPath("node"));
    private static readonly Lazy<string?> LazyPythonWebsocketsProblem = new(CheckPythonWebsockets);

    private readonly Process _process;
    private readonly string _name;
    private readonly ITestOutputHelper? _log;
    private readonly object _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _output = [];
    private readonly List<LineWaiter> _waiters = [];
    private readonly HashSet<int> _consumed = [];
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private bool _disposed;

    private PeerProcess(Process process, string name, ITestOutputHelper? log)
    {
        _process = process;
        _name = name;
        _log = log;
        _stdoutPump = PumpAsync(process.StandardOutput, isStdout: true);
        _stderrPump = PumpAsync(process.StandardError, isStdout: false);
    }

    /// <summary>The folder that holds Duplex.slnx.</summary>
    public static string RepoRoot => LazyRepoRoot.Value;

    /// <summary>tests/peers under the repository root.</summary>
    public static string PeersDirectory => Path.Combine(RepoRoot, "tests", "peers");

    /// <summary>The Chromium the Chromium peer drives: $CHROMIUM_PATH or /usr/bin/chromium.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>A short name for messages, e.g. "node ws-echo-server.js".</summary>
    public string Name => _name;

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every stdout line so far.</summary>
    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToArray();
            }
        }
    }

    /// <summary>stdout and stderr so far, each line tagged with its stream, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                var text = new StringBuilder();
                text.Append("--- output of ").Append(_name).Append(" (pid ").Append(_process.Id).Append(") ---\n");
                foreach (var line in _output)
                {
                    text.Append(line).Append('\n');
                }

                text.Append("--- end of output ---");
                return text.ToString();
            }
        }
    }

    /// <summary>Starts tests/peers/node/<paramref name="script"/> with node.</summary>
    public static PeerProcess StartNode(string script, IEnumerable<string> arguments, ITestOutputHelper? log = null)
    {
        var node = LazyNodePath.Value
            ?? throw new PeerMissingException("Interop peer missing: Node.js (`node`) is not on PATH. Install Node.js 20+ and run ./test.sh.");
        var scriptPath = Path.Combine(PeersDirectory, "node", script);
        RequireFile(scriptPath, $"the Node peer script {script}");
        RequireNodeModule("ws");
        if (script.Contains("chromium", StringComparison.OrdinalIgnoreCase))
        {
            RequireNodeModule("playwright-core");
            if (!File.Exists(ChromiumPath))
            {
                throw new PeerMissingException($"Interop peer missing: Chromium is not installed at {ChromiumPath}. Run ./test.sh, which installs it (apt-get install chromium).");
            }
        }

        return Start(node, [scriptPath, .. arguments], $"node {script}", log);
    }

    /// <summary>Starts tests/peers/python/<paramref name="script"/> with Debian's /usr/bin/python3.</summary>
    public static PeerProcess StartPython(string script, IEnumerable<string> arguments, ITestOutputHelper? log = null)
    {
        if (!File.Exists(PythonPath))
        {
            throw new PeerMissingException($"Interop peer missing: {PythonPath} does not exist. Run ./test.sh, which installs python3-websockets.");
        }

        if (LazyPythonWebsocketsProblem.Value is { } problem)
        {
            throw new PeerMissingException($"Interop peer missing: Python `websockets` cannot be imported by {PythonPath} ({problem}). Run ./test.sh, which installs python3-websockets.");
        }

        var scriptPath = Path.Combine(PeersDirectory, "python", script);
        RequireFile(scriptPath, $"the Python peer script {script}");
        return Start(PythonPath, [scriptPath, .. arguments], $"python3 {script}", log);
    }

    /// <summary>Starts any program with redirected stdin, stdout and stderr.</summary>
    public static PeerProcess Start(string fileName, IEnumerable<string> arguments, string name, ITestOutputHelper? log = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            WorkingDirectory = PeersDirectory,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        info.Environment["PYTHONUNBUFFERED"] = "1";
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        info.Environment["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1";
        info.Environment["NODE_OPTIONS"] = "";

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new PeerMissingException($"Interop peer {name} could not be started ({fileName}).");
        }
        catch (Win32Exception e)
        {
            throw new PeerMissingException($"Interop peer {name} could not be started ({fileName}): {e.Message}. Run ./test.sh, which installs the peers.", e);
        }

        return new PeerProcess(process, name, log);
    }

    /// <summary>
    /// Waits for the first stdout line starting with <paramref name="prefix"/> that no earlier
    /// call returned, and returns it. Fails with the peer's output when the timeout passes or the
    /// peer exits first.
    /// </summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        LineWaiter waiter;
        lock (_gate)
        {
            for (var i = 0; i < _stdout.Count; i++)
            {
                if (!_consumed.Contains(i) && _stdout[i].StartsWith(prefix, StringComparison.Ordinal))
                {
                    _consumed.Add(i);
                    return _stdout[i];
                }
            }

            waiter = new LineWaiter(prefix);
            _waiters.Add(waiter);
        }

        // Fail as soon as the process has exited and its output is drained, not at the timeout.
        _ = Task.WhenAll(_stdoutPump, _stderrPump).ContinueWith(
            _ => waiter.Line.TrySetException(new InvalidOperationException("exited")),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        try
        {
            return await waiter.Line.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_name} did not print a line starting with \"{prefix}\" within {timeout.TotalSeconds:0.#} s.\n{Output}");
        }
        catch (InvalidOperationException)
        {
            throw new InvalidOperationException($"{_name} exited (code {ExitCodeText()}) without printing a line starting with \"{prefix}\".\n{Output}");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waits for the `LISTENING port` line of a server peer and returns the port.</summary>
    public async Task<int> WaitForListeningPortAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var line = await WaitForLineAsync("LISTENING ", timeout, cancellationToken).ConfigureAwait(false);
        if (!int.TryParse(line.AsSpan("LISTENING ".Length).Trim(), out var port) || port is <= 0 or > 65535)
        {
            throw new InvalidOperationException($"{_name} printed an unexpected line: {line}\n{Output}");
        }

        return port;
    }

    /// <summary>Waits for the next `KIND {json}` event line of a server peer and returns its JSON.</summary>
    public async Task<JsonElement> WaitForEventAsync(string kind, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var line = await WaitForLineAsync(kind + " ", timeout, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(line.AsMemory(kind.Length + 1));
        return document.RootElement.Clone();
    }

    /// <summary>Writes one line to the peer's stdin (a peer that waits for the test's go-ahead reads it).</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Waits for the peer to exit and for its output to be read; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(_stdoutPump, _stderrPump).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_name} did not exit within {timeout.TotalSeconds:0.#} s.\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>
    /// Waits for a client peer to exit and parses the last stdout line that is a JSON object
    /// (the peers print one result line).
    /// </summary>
    public async Task<PeerResult> WaitForResultAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var exitCode = await WaitForExitAsync(timeout, cancellationToken).ConfigureAwait(false);
        var line = StdoutLines.LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"{_name} exited (code {exitCode}) without printing a JSON result line.\n{Output}");
        try
        {
            using var document = JsonDocument.Parse(line);
            return new PeerResult(exitCode, document.RootElement.Clone(), Output);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{_name} printed a result line that is not JSON ({e.Message}).\n{Output}", e);
        }
    }

    /// <summary>Closes stdin (servers exit on that), waits briefly, then kills the whole process tree.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // the peer is gone already
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or TimeoutException)
        {
            // it exited meanwhile, or cannot be waited for: nothing more to do
        }

        try
        {
            await Task.WhenAll(_stdoutPump, _stderrPump).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // a grandchild still holds the pipes; the output read so far is enough
        }

        if (_log is not null)
        {
            try
            {
                _log.WriteLine(Output);
            }
            catch (InvalidOperationException)
            {
                // the test has finished already
            }
        }

        _process.Dispose();
    }

    private string ExitCodeText()
    {
        try
        {
            return _process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "still running";
        }
        catch (InvalidOperationException)
        {
            return "unknown";
        }
    }

    private async Task PumpAsync(StreamReader reader, bool isStdout)
    {
        var tag = isStdout ? "[stdout] " : "[stderr] ";
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (_gate)
                {
                    if (_output.Count < MaxKeptLines)
                    {
                        _output.Add(tag + line);
                    }
                    else if (_output.Count == MaxKeptLines)
                    {
                        _output.Add("[... more output not kept ...]");
                    }

                    if (!isStdout)
                    {
                        continue;
                    }

                    _stdout.Add(line);
                    var index = _stdout.Count - 1;
                    foreach (var waiter in _waiters)
                    {
                        if (line.StartsWith(waiter.Prefix, StringComparison.Ordinal) && waiter.Line.TrySetResult(line))
                        {
                            _consumed.Add(index);
                            _waiters.Remove(waiter);
                            break;
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // the pipe was torn down with the process
        }
    }

    private static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new PeerMissingException($"Interop peer missing: {what} is not at {path}.");
        }
    }

    private static void RequireNodeModule(string module)
    {
        var packageJson = Path.Combine(PeersDirectory, "node_modules", module, "package.json");
        if (!File.Exists(packageJson))
        {
            throw new PeerMissingException($"Interop peer missing: the npm package `{module}` is not installed in tests/peers/node_modules. Run ./test.sh (it runs `npm ci` in tests/peers).");
        }
    }

    private static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? CheckPythonWebsockets()
    {
        try
        {
            var info = new ProcessStartInfo(PythonPath)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("import websockets; print(websockets.__version__)");
            info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            using var process = Process.Start(info);
            if (process is null)
            {
                return "could not start it";
            }

            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                return "`import websockets` did not finish within 30 s";
            }

            return process.ExitCode == 0 ? null : stderr.Result.Trim();
        }
        catch (Win32Exception e)
        {
            return e.Message;
        }
    }

    private static string FindRepoRoot()
    {
        var starts = new List<string?>
        {
            Environment.GetEnvironmentVariable("DUPLEX_REPO_ROOT"),
            AppContext.BaseDirectory,
            Environment.CurrentDirectory,
            Path.GetDirectoryName(SourceFilePath()),
        };
        foreach (var start in starts)
        {
            for (var directory = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Duplex.slnx")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new PeerMissingException($"Cannot find the repository root (a folder holding Duplex.slnx) above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}; set DUPLEX_REPO_ROOT.");
    }

    private static string SourceFilePath([CallerFilePath] string path = "") => path;

    private sealed class LineWaiter(string prefix)
    {
        public string Prefix { get; } = prefix;

        public TaskCompletionSource<string> Line { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
