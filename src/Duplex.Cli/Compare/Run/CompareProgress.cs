using System.Diagnostics;

namespace Duplex.Cli.Compare.Run;

/// <summary>
/// The live progress display on stderr: one line rewritten in place on a terminal, a line per step
/// otherwise (a log, a CI run); nothing with <c>--quiet</c>.
/// </summary>
internal sealed class CompareProgress(TextWriter error, bool live, bool quiet) : IProgress<string>
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Lock _gate = new();

    public void Report(string value)
    {
        if (quiet)
        {
            return;
        }

        string line = $"[{Stopwatch.GetElapsedTime(_started).TotalSeconds,5:0.0}s] {value}";
        lock (_gate)
        {
            if (live)
            {
                error.Write("\r\u001b[2K" + line);
            }
            else
            {
                error.WriteLine(line);
            }

            error.Flush();
        }
    }

    /// <summary>Ends the live line, so what follows starts on its own.</summary>
    public void Finish()
    {
        if (live && !quiet)
        {
            lock (_gate)
            {
                error.Write("\r\u001b[2K");
                error.Flush();
            }
        }
    }
}
