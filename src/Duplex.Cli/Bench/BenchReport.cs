using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Duplex.Cli.Bench;

/// <summary>The options every bench subcommand takes.</summary>
internal sealed record BenchCommon(string? JsonFile, bool Quiet, int? ServerPid, TimeSpan Timeout);

/// <summary>Key/value rows printed as an aligned table on stdout.</summary>
internal sealed class BenchTable
{
    private readonly List<(string Key, string Value)> _rows = [];

    public void Add(string key, string value) => _rows.Add((key, value));

    public void Add(string key, FormattableString value) => _rows.Add((key, value.ToString(CultureInfo.InvariantCulture)));

    public string Render(string title)
    {
        int width = _rows.Count == 0 ? 0 : _rows.Max(r => r.Key.Length);
        var text = new StringBuilder();
        text.AppendLine(title);
        foreach ((string key, string value) in _rows)
        {
            text.Append("  ").Append(key.PadRight(width)).Append("  ").AppendLine(value);
        }

        return text.ToString();
    }
}

/// <summary>
/// CPU time over a measured window: this process's (the load generator's; in-process tests also
/// count the server) and, when a pid is given, the server's.
/// </summary>
internal sealed class CpuMeter
{
    private readonly int? _serverPid;
    private long _startWall;
    private TimeSpan _startOwn;
    private TimeSpan? _startServer;
    private long _startAllocated;

    public CpuMeter(int? serverPid) => _serverPid = serverPid;

    /// <summary>Null when <paramref name="pid"/> names a process that can be measured; otherwise why not.</summary>
    public static string? CheckServerPid(int? pid)
    {
        if (pid is null)
        {
            return null;
        }

        return ServerCpu(pid.Value) is null ? $"no process {pid} to measure (--server-pid)." : null;
    }

    public void Start()
    {
        _startWall = BenchClock.Now;
        _startOwn = OwnCpu();
        _startAllocated = GC.GetTotalAllocatedBytes(precise: true);
        _startServer = _serverPid is int pid ? ServerCpu(pid) : null;
    }

    public (JsonObject Generator, JsonObject? Server) Stop()
    {
        double wall = BenchClock.ToSeconds(BenchClock.Now - _startWall);
        double own = (OwnCpu() - _startOwn).TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - _startAllocated;
        int cores = Environment.ProcessorCount;
        double ownShare = wall > 0 ? own / wall / cores : 0;
        var generator = new JsonObject
        {
            ["cpuSeconds"] = Math.Round(own, 3),
            ["wallSeconds"] = Math.Round(wall, 3),
            ["cores"] = cores,
            ["cpuShareOfMachine"] = Math.Round(ownShare, 4),
            ["allocatedBytes"] = allocated,
            ["inlineSocketCompletions"] = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1",
        };

        JsonObject? server = null;
        if (_serverPid is int pid)
        {
            TimeSpan? end = ServerCpu(pid);
            if (end is TimeSpan e && _startServer is TimeSpan s)
            {
                double seconds = (e - s).TotalSeconds;
                double share = wall > 0 ? seconds / wall / cores : 0;
                server = new JsonObject
                {
                    ["pid"] = pid,
                    ["cpuSeconds"] = Math.Round(seconds, 3),
                    ["cpuShareOfMachine"] = Math.Round(share, 4),
                };
            }
            else
            {
                server = new JsonObject { ["pid"] = pid, ["error"] = "the process could not be measured" };
            }
        }

        return (generator, server);
    }

    /// <summary>The table rows for what <see cref="Stop"/> returned.</summary>
    public static void AddRows(BenchTable table, JsonObject? generator, JsonObject? server)
    {
        int cores = Environment.ProcessorCount;
        if (generator is not null)
        {
            double share = (double)generator["cpuShareOfMachine"]!;
            table.Add("generator CPU", $"{(double)generator["cpuSeconds"]!:0.00} s over {(double)generator["wallSeconds"]!:0.00} s = {share:P0} of {cores} cores{(share >= 0.45 ? "  (half the machine or more: the generator may be the bottleneck)" : string.Empty)}");
        }

        if (server is not null)
        {
            table.Add("server CPU", server["cpuSeconds"] is JsonNode seconds
                ? $"{(double)seconds:0.00} s = {(double)server["cpuShareOfMachine"]!:P0} of {cores} cores (pid {server["pid"]})"
                : $"pid {server["pid"]} could not be measured");
        }
    }

    private static TimeSpan OwnCpu()
    {
        using Process self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static TimeSpan? ServerCpu(int pid)
    {
        try
        {
            using Process server = Process.GetProcessById(pid);
            return server.TotalProcessorTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }
}

/// <summary>A one-line progress display on stderr: rewritten in place on a terminal, one line per update otherwise.</summary>
internal sealed class ProgressLine
{
    private readonly TextWriter? _error;
    private readonly bool _inPlace;
    private int _lastLength;

    public ProgressLine(CliContext context, bool quiet)
    {
        _error = quiet ? null : context.Error;
        _inPlace = !quiet && ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
    }

    public void Update(FormattableString text)
    {
        if (_error is null)
        {
            return;
        }

        string line = text.ToString(CultureInfo.InvariantCulture);
        if (_inPlace)
        {
            _error.Write("\r" + line.PadRight(_lastLength));
            _lastLength = line.Length;
        }
        else
        {
            _error.WriteLine(line);
        }
    }

    public void Done()
    {
        if (_error is not null && _inPlace && _lastLength > 0)
        {
            _error.WriteLine();
            _lastLength = 0;
        }
    }
}

/// <summary>Writes a finished report: the table to stdout, the JSON to the --json file.</summary>
internal static class BenchOutput
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static async Task WriteAsync(CliContext context, BenchCommon common, JsonObject report, BenchTable table, string title)
    {
        report["generatedAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        await context.Out.WriteAsync(table.Render(title)).ConfigureAwait(false);
        await context.Out.FlushAsync().ConfigureAwait(false);
        if (common.JsonFile is not null)
        {
            await File.WriteAllTextAsync(common.JsonFile, report.ToJsonString(s_indented) + "\n").ConfigureAwait(false);
        }
    }

    /// <summary>The open-file limit line and JSON every subcommand reports.</summary>
    public static JsonObject OpenFileLimit(BenchTable table)
    {
        var limit = NativeMethods.RaiseOpenFileLimit();
        if (limit is null)
        {
            table.Add("open-file limit", "unknown on this OS");
            return new JsonObject { ["known"] = false };
        }

        (ulong soft, ulong hard, string? problem) = limit.Value;
        table.Add("open-file limit", $"{soft} (hard {hard}){(problem is null ? string.Empty : "; " + problem)}");
        var json = new JsonObject { ["soft"] = soft, ["hard"] = hard };
        if (problem is not null)
        {
            json["problem"] = problem;
        }

        return json;
    }
}
