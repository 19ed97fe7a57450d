using System.Diagnostics;
using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Server;

namespace Duplex.Tests.Compare;

/// <summary>The parts of the compare workload on their own: the ticker's pacer, the run groups, the report store.</summary>
public sealed class CompareWorkloadPartsTests
{
    [Fact]
    public void The_pacer_computes_every_due_time_from_the_start_so_it_does_not_drift()
    {
        var pacer = new TickerPacer(rate: 3);
        double period = Stopwatch.Frequency / 3.0;

        // Message 3000 is due exactly 1000 s after message 0, whatever rounding the steps had.
        Assert.Equal((long)(3000 * period), pacer.DueAt(3000) - pacer.DueAt(0));
        Assert.Equal((long)(7 * period), pacer.DueAt(7) - pacer.DueAt(0));
    }

    [Fact]
    public async Task The_pacer_never_lets_a_message_go_before_its_due_time()
    {
        var pacer = new TickerPacer(rate: 200);
        for (long n = 0; n < 10; n++)
        {
            await pacer.WaitForAsync(n, TestToken());
            Assert.True(Stopwatch.GetTimestamp() >= pacer.DueAt(n), $"message {n} went early");
        }
    }

    [Fact]
    public void Run_groups_are_made_by_the_first_member_and_forgotten_with_the_last()
    {
        var groups = new RunGroups();
        var first = new CompareMember(null!, 0);
        var second = new CompareMember(null!, 1);

        (RunGroup group, int one) = groups.Join("run", first);
        (RunGroup same, int two) = groups.Join("run", second);
        Assert.Same(group, same);
        Assert.Equal((1, 2), (one, two));
        groups.Leave(group, first);
        Assert.Equal([second], groups.Find("run")!.Members);
        groups.Leave(group, second);
        Assert.Equal(0, groups.Count);

        // A new group of the same id is a new one.
        (RunGroup again, int members) = groups.Join("run", first);
        Assert.NotSame(group, again);
        Assert.Equal(1, members);
    }

    [Fact]
    public void The_report_store_is_the_asked_folder_else_xdg_data_home_else_the_home_folder()
    {
        Assert.Equal("/tmp/asked", new CompareReportStore(Env(("DUPLEX_COMPARE_DIR", "/tmp/asked"), ("XDG_DATA_HOME", "/x"))).Folder);
        Assert.Equal("/x/duplex/compare", new CompareReportStore(Env(("XDG_DATA_HOME", "/x"), ("HOME", "/h"))).Folder);
        Assert.Equal("/h/.local/share/duplex/compare", new CompareReportStore(Env(("XDG_DATA_HOME", "relative"), ("HOME", "/h"))).Folder);
        Assert.Equal("/h/.local/share/duplex/compare", new CompareReportStore(Env(("HOME", "/h"))).Folder);
    }

    [Fact]
    public void The_report_store_keeps_the_last_report_and_drops_an_older_html_a_new_report_has_none_of()
    {
        string folder = Path.Combine(Path.GetTempPath(), "duplex-compare-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new CompareReportStore(Env(("DUPLEX_COMPARE_DIR", folder)));
            Assert.Null(store.LoadJson());
            Assert.Null(store.LoadHtml());

            store.Save("""{"schema":1}""", "<p>one</p>");
            Assert.Equal("""{"schema":1}""", store.LoadJson());
            Assert.Equal("<p>one</p>", store.LoadHtml());

            store.Save("""{"schema":2}""", null);
            Assert.Equal("""{"schema":2}""", store.LoadJson());
            Assert.Null(store.LoadHtml());
            Assert.Equal(["last.json"], Directory.GetFiles(folder).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static CancellationToken TestToken() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
}
