using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Reports;
using Duplex.Tests.Cli;

namespace Duplex.Tests.Compare;

/// <summary>
/// One short <c>duplex compare</c> run, exactly as a user types it (its own servers on loopback,
/// every approach, the survival matrix), shared by the tests that read its report.
/// </summary>
public sealed class CompareRunFixture : IAsyncLifetime
{
    /// <summary>The compare runs measure the machine: one at a time, not beside each other.</summary>
    public const string Collection = "compare runs";

    /// <summary>Generous: the run itself takes well under a minute; a loaded machine is slower.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "duplex-compare-test-" + Guid.NewGuid().ToString("N")[..8]);

    public int Exit { get; private set; }

    public string Out { get; private set; } = string.Empty;

    public string Error { get; private set; } = string.Empty;

    internal CompareReport Report { get; private set; } = null!;

    public string JsonFile => Path.Combine(Folder, "compare.json");

    public string MarkdownFile => Path.Combine(Folder, "compare.md");

    public string HtmlFile => Path.Combine(Folder, "compare.html");

    public string StoreFolder => Path.Combine(Folder, "store");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        var environment = new Dictionary<string, string> { ["DUPLEX_COMPARE_DIR"] = StoreFolder };
        await using CliHarness run = CliHarness.Start(
            ["compare", "--clients", "3", "--duration", "2", "--json", JsonFile, "--md", MarkdownFile, "--html", HtmlFile],
            environment: environment);
        Exit = await run.WaitForExitAsync(Bound);
        Out = run.Out;
        Error = run.Error;
        Assert.True(File.Exists(JsonFile), $"no JSON report; exit {Exit}; stdout: {Out} stderr: {Error}");
        Report = CompareJson.Deserialize(await File.ReadAllTextAsync(JsonFile));
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}
