using BenchmarkDotNet.Running;

namespace Duplex.Benchmarks;

/// <summary>
/// Micro-benchmarks of Duplex.Protocol (issue 4). From the repository root:
/// <code>
/// dotnet build bench/Duplex.Benchmarks -c Release --artifacts-path /tmp/art-micro
/// TMPDIR=/var/tmp dotnet /tmp/art-micro/bin/Duplex.Benchmarks/release/Duplex.Benchmarks.dll --filter '*' --inProcess \
///     --warmupCount 3 --iterationCount 5 --launchCount 1 --artifacts /tmp/bdn-micro
/// </code>
/// <c>--filter '*Masking*'</c> picks one class; with no arguments a menu lists them. Every class
/// has the memory diagnoser, so the "Allocated" column is bytes per operation.
/// <c>--inProcess</c> runs the benchmarks in this process instead of generating and building a
/// project per benchmark (which would rebuild src/ into its own bin/ and obj/ folders).
/// BenchmarkDotNet refuses to run an assembly that lies under the temporary folder
/// (<see cref="Path.GetTempPath"/>), so with an artifacts path under /tmp run it with another
/// TMPDIR, e.g. <c>TMPDIR=/var/tmp</c>; a plain build into bin/ needs nothing of the kind.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
