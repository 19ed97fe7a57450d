using System.Text.Json;
using Duplex.Cli.Compare.Run;
using Duplex.Realtime;
using Duplex.Tests.Cli;

namespace Duplex.Tests.Compare;

/// <summary>
/// The compare workload (docs/PROTOCOL.md §12) at /compare of <c>duplex serve</c>, on the
/// built-in server and through ASP.NET Core, driven with <see cref="RealtimeClient"/> over the
/// transports: hello and the run group, chat fan-out, ticker, stop, burst, ping/pong, refusals.
/// </summary>
public sealed class CompareWorkloadTests
{
    public static TheoryData<bool, RealtimeTransport> Hosts => new()
    {
        { false, RealtimeTransport.WebSocket },
        { false, RealtimeTransport.LongPolling },
        { true, RealtimeTransport.ServerSentEvents },
        { true, RealtimeTransport.WebSocket },
    };

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Hello_counts_the_members_and_a_chat_reaches_every_member_of_the_run_with_its_fields(bool aspNetCore, RealtimeTransport transport)
    {
        await using CliHarness serve = StartServe(aspNetCore);
        Uri endpoint = await CompareEndpointAsync(serve);
        await using CompareTestClient a = await CompareTestClient.ConnectAsync(endpoint, transport);
        await using CompareTestClient b = await CompareTestClient.ConnectAsync(endpoint, transport);
        await using CompareTestClient other = await CompareTestClient.ConnectAsync(endpoint, transport);

        await a.SendAsync("""{"k":"hello","run":"r1","client":0}""");
        JsonElement hello = await a.NextAsync("hello");
        Assert.Equal("r1", hello.GetProperty("run").GetString());
        Assert.Equal(0, hello.GetProperty("client").GetInt64());
        Assert.Equal(1, hello.GetProperty("members").GetInt32());
        await b.SendAsync("""{"k":"hello","run":"r1","client":1}""");
        Assert.Equal(2, (await b.NextAsync("hello")).GetProperty("members").GetInt32());
        await other.SendAsync("""{"k":"hello","run":"r2","client":0}""");
        Assert.Equal(1, (await other.NextAsync("hello")).GetProperty("members").GetInt32());

        await a.SendAsync("""{"k":"chat","n":0,"c":1234.5,"p":"xyz ✓"}""");
        await b.SendAsync("""{"k":"chat","n":0,"c":99,"p":""}""");
        await b.SendAsync("""{"k":"chat","n":1,"c":100}""");

        foreach (CompareTestClient member in new[] { a, b })
        {
            JsonElement[] chats = [await member.NextAsync("chat"), await member.NextAsync("chat"), await member.NextAsync("chat")];
            JsonElement fromA = Assert.Single(chats, c => c.GetProperty("from").GetInt64() == 0);
            Assert.Equal(0, fromA.GetProperty("n").GetInt64());
            Assert.Equal("1234.5", fromA.GetProperty("c").GetRawText());
            Assert.Equal("xyz ✓", fromA.GetProperty("p").GetString());
            Assert.True(fromA.GetProperty("s").GetInt64() >= fromA.GetProperty("a").GetInt64());
            // Client 1's two, in the order it sent them, the padding empty when it sent none.
            JsonElement[] fromB = [.. chats.Where(c => c.GetProperty("from").GetInt64() == 1)];
            Assert.Equal([0L, 1L], fromB.Select(c => c.GetProperty("n").GetInt64()));
            Assert.Equal(["99", "100"], fromB.Select(c => c.GetProperty("c").GetRawText()));
            Assert.All(fromB, c => Assert.Equal("", c.GetProperty("p").GetString()));
        }

        // The other run heard none of it: its next message is the pong.
        await other.SendAsync("""{"k":"ping","c":1}""");
        Assert.Equal("pong", (await other.NextAsync()).GetProperty("k").GetString());
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task A_ticker_sends_count_ticks_in_order_with_the_padding_asked_then_done(bool aspNetCore, RealtimeTransport transport)
    {
        await using CliHarness serve = StartServe(aspNetCore);
        await using CompareTestClient client = await CompareTestClient.ConnectAsync(await CompareEndpointAsync(serve), transport);

        await client.SendAsync("""{"k":"ticker","rate":100,"count":25,"size":300}""");
        List<JsonElement> messages = await client.UntilAsync("done");

        JsonElement done = messages[^1];
        Assert.Equal("ticker", done.GetProperty("of").GetString());
        Assert.Equal(25, done.GetProperty("count").GetInt64());
        Assert.False(done.TryGetProperty("stopped", out _));
        JsonElement[] ticks = [.. messages.SkipLast(1)];
        Assert.All(ticks, t => Assert.Equal("tick", t.GetProperty("k").GetString()));
        Assert.Equal(Enumerable.Range(0, 25).Select(n => (long)n), ticks.Select(t => t.GetProperty("n").GetInt64()));
        Assert.All(ticks, t => Assert.Equal(new string('x', 300), t.GetProperty("p").GetString()));
        long[] sent = [.. ticks.Select(t => t.GetProperty("s").GetInt64())];
        Assert.Equal(sent.Order(), sent);
    }

    [Fact]
    public async Task Stop_ends_a_running_ticker_with_done_counting_the_ticks_sent_and_a_new_ticker_may_start()
    {
        await using CliHarness serve = StartServe(aspNetCore: false);
        await using CompareTestClient client = await CompareTestClient.ConnectAsync(await CompareEndpointAsync(serve), RealtimeTransport.WebSocket);

        await client.SendAsync("""{"k":"ticker","rate":50,"count":100000,"size":0}""");
        await client.NextAsync("tick");
        await client.SendAsync("""{"k":"ticker","rate":50,"count":1,"size":0}""");
        List<JsonElement> untilRefusal = await client.UntilAsync("error");
        Assert.Equal("ticker", untilRefusal[^1].GetProperty("of").GetString());
        await client.SendAsync("""{"k":"stop"}""");
        List<JsonElement> untilDone = await client.UntilAsync("done");

        JsonElement done = untilDone[^1];
        Assert.True(done.GetProperty("stopped").GetBoolean());
        int ticks = 1 + untilRefusal.Count(m => m.GetProperty("k").GetString() == "tick") + untilDone.Count(m => m.GetProperty("k").GetString() == "tick");
        Assert.Equal(ticks, done.GetProperty("count").GetInt64());

        await client.SendAsync("""{"k":"ticker","rate":1000,"count":3,"size":1}""");
        List<JsonElement> second = await client.UntilAsync("done");
        Assert.Equal([0L, 1L, 2L], second.SkipLast(1).Select(t => t.GetProperty("n").GetInt64()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_burst_sends_count_messages_at_once_in_order_then_done(bool aspNetCore)
    {
        await using CliHarness serve = StartServe(aspNetCore);
        await using CompareTestClient client = await CompareTestClient.ConnectAsync(await CompareEndpointAsync(serve), RealtimeTransport.WebSocket);

        await client.SendAsync("""{"k":"burst","count":300,"size":1000}""");
        List<JsonElement> messages = await client.UntilAsync("done");

        Assert.Equal("burst", messages[^1].GetProperty("of").GetString());
        Assert.Equal(300, messages[^1].GetProperty("count").GetInt64());
        JsonElement[] burst = [.. messages.SkipLast(1)];
        Assert.All(burst, m => Assert.Equal("burst", m.GetProperty("k").GetString()));
        Assert.Equal(Enumerable.Range(0, 300).Select(n => (long)n), burst.Select(m => m.GetProperty("n").GetInt64()));
        Assert.All(burst, m => Assert.Equal(1000, m.GetProperty("p").GetString()!.Length));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ping_is_answered_with_the_client_time_as_sent_and_the_server_monotonic_time(bool aspNetCore)
    {
        await using CliHarness serve = StartServe(aspNetCore);
        await using CompareTestClient client = await CompareTestClient.ConnectAsync(await CompareEndpointAsync(serve), RealtimeTransport.ServerSentEvents);

        await client.SendAsync("""{"k":"ping","c":123456789.125}""");
        JsonElement first = await client.NextAsync("pong");
        await client.SendAsync("""{"k":"ping","c":7}""");
        JsonElement second = await client.NextAsync("pong");

        Assert.Equal("123456789.125", first.GetProperty("c").GetRawText());
        Assert.Equal("7", second.GetProperty("c").GetRawText());
        Assert.True(first.GetProperty("s").GetInt64() > 0);
        Assert.True(second.GetProperty("s").GetInt64() >= first.GetProperty("s").GetInt64());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Memory_is_the_live_heap_and_answered_only_where_the_server_allows_it(bool aspNetCore)
    {
        await using (CliHarness plain = StartServe(aspNetCore))
        await using (CompareTestClient client = await CompareTestClient.ConnectAsync(await CompareEndpointAsync(plain), RealtimeTransport.WebSocket))
        {
            // A full collection on request is not for anyone to ask of a server that did not allow it.
            await client.SendAsync("""{"k":"memory"}""");
            JsonElement refused = await client.NextAsync("error");
            Assert.Equal("memory", refused.GetProperty("of").GetString());
            Assert.Contains("--compare-memory", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        // The heap is the process's: a server of its own, as compare starts it (in-process, the
        // test host's other tests would be in the number).
        await using ServerProcess serve = await ServerProcess.StartAsync(aspNetCore, TimeSpan.FromSeconds(2), TestServers.Bounded());
        var endpoint = new Uri($"http://127.0.0.1:{serve.EndPoint.Port}/compare");
        await using CompareTestClient probe = await CompareTestClient.ConnectAsync(endpoint, RealtimeTransport.WebSocket);
        await probe.SendAsync("""{"k":"memory"}""");
        long before = (await probe.NextAsync("memory")).GetProperty("heap").GetInt64();

        // Twenty more sessions are held by the server: the live heap grows (each holds its queues and state).
        var more = new List<CompareTestClient>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                more.Add(await CompareTestClient.ConnectAsync(endpoint, RealtimeTransport.WebSocket));
            }

            await probe.SendAsync("""{"k":"memory"}""");
            long after = (await probe.NextAsync("memory")).GetProperty("heap").GetInt64();
            Assert.True(before > 0, $"heap {before}");
            Assert.True(after > before, $"the heap did not grow with 20 sessions: {before} then {after}");
        }
        finally
        {
            foreach (CompareTestClient c in more)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_bad_message_gets_an_error_reply_and_the_session_goes_on(bool aspNetCore)
    {
        await using CliHarness serve = StartServe(aspNetCore);
        await using CompareTestClient client = await CompareTestClient.ConnectAsync(await CompareEndpointAsync(serve), RealtimeTransport.WebSocket);
        (string Message, string? Of, string Says)[] bad =
        [
            ("not json", null, "not JSON"),
            ("[1,2]", null, "object"),
            ("""{"kind":"ping"}""", null, "k"),
            ("""{"k":"dance"}""", "dance", "unknown kind"),
            ("""{"k":"chat","n":0,"c":1}""", "chat", "hello first"),
            ("""{"k":"ping"}""", "ping", "c"),
            ("""{"k":"hello","run":"","client":0}""", "hello", "run"),
            ("""{"k":"hello","run":"r","client":-1}""", "hello", "client"),
            ("""{"k":"ticker","rate":0,"count":1,"size":0}""", "ticker", "rate"),
            ("""{"k":"ticker","rate":10,"count":1,"size":1000000}""", "ticker", "size"),
            ("""{"k":"ticker","rate":1,"count":100000,"size":0}""", "ticker", "3600"),
            ("""{"k":"burst","count":1.5,"size":0}""", "burst", "count"),
            ("""{"k":"burst","count":100000,"size":0}""", "burst", "count"),
            ("""{"k":"burst","count":10000,"size":65536}""", "burst", "count × size"),
        ];

        foreach ((string message, string? of, string says) in bad)
        {
            await client.SendAsync(message);
            JsonElement error = await client.NextAsync("error");
            Assert.Contains(says, error.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Equal(of, error.TryGetProperty("of", out JsonElement o) ? o.GetString() : null);
        }

        await client.Client.SendBinaryAsync(new byte[] { 1, 2, 3 }, TestServers.Bounded());
        Assert.Contains("text", (await client.NextAsync("error")).GetProperty("reason").GetString(), StringComparison.Ordinal);
        await client.SendAsync("""{"k":"hello","run":"r","client":3}""");
        await client.NextAsync("hello");
        await client.SendAsync("""{"k":"hello","run":"r","client":3}""");
        Assert.Contains("already", (await client.NextAsync("error")).GetProperty("reason").GetString(), StringComparison.Ordinal);

        await client.SendAsync("""{"k":"ping","c":5}""");
        await client.NextAsync("pong");
        Assert.Equal(RealtimeClientState.Connected, client.Client.State);
    }

    internal static CliHarness StartServe(bool aspNetCore, params string[] more) =>
        CliHarness.Start([
            "serve", "--port", "0", "--host", "127.0.0.1", .. (aspNetCore ? new[] { "--aspnetcore" } : []), .. more,
        ]);

    internal static async Task<Uri> CompareEndpointAsync(CliHarness serve) =>
        new($"http://127.0.0.1:{await serve.ListeningPortAsync()}/compare");
}
