using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Duplex.Tests.Cli;

/// <summary>
/// <c>duplex bench</c> run in-process, briefly, against an in-process <c>duplex echo</c> on
/// 127.0.0.1 (or a tiny TCP echo): real traffic, results checked through the JSON report.
/// No assertion depends on speed.
/// </summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task Echo_closed_loop_counts_every_round_trip_with_no_errors()
    {
        await using CliHarness server = CliHarness.Start(["echo", "--port", "0"]);
        int port = await server.ListeningPortAsync();

        (int exit, JsonElement report, string stdout) = await BenchAsync(
            "echo", $"ws://127.0.0.1:{port}/echo", "-c", "3", "-p", "4", "-d", "0.6", "-w", "0.2", "--server-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        AssertSuccess(exit, report);
        AssertEchoReport(report, connections: 3, inFlight: 4);
        Assert.Equal(Environment.ProcessId, report.GetProperty("server").GetProperty("pid").GetInt32());
        Assert.True(report.GetProperty("server").GetProperty("cpuSeconds").GetDouble() >= 0);
        Assert.Contains("msg/s", stdout, StringComparison.Ordinal);
        Assert.Contains("round trip p99", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Echo_of_large_text_messages_uses_the_send_loop_and_checks_every_echo()
    {
        await using CliHarness server = CliHarness.Start(["echo", "--port", "0"]);
        int port = await server.ListeningPortAsync();

        // 70,000 B: a 64-bit length on the wire, 140 KB in flight per connection (sends leave the receive loop).
        (int exit, JsonElement report, _) = await BenchAsync(
            "echo", $"ws://127.0.0.1:{port}/echo", "-c", "2", "-p", "2", "-s", "70000", "--text", "-d", "0.5", "-w", "0.1");

        AssertSuccess(exit, report);
        AssertEchoReport(report, connections: 2, inFlight: 2);
        Assert.True(report.GetProperty("settings").GetProperty("text").GetBoolean());
        Assert.False(report.GetProperty("settings").GetProperty("sendsFromReceiveLoop").GetBoolean());
        double mb = report.GetProperty("megabytesPerSecond").GetDouble();
        double expected = report.GetProperty("messagesPerSecond").GetDouble() * 70000 / 1e6;
        Assert.Equal(expected, mb, 0.01 + (expected * 0.001));
    }

    [Fact]
    public async Task Echo_of_one_large_message_in_flight_sends_from_the_receive_loop_as_against_a_raw_echo()
    {
        await using CliHarness server = CliHarness.Start(["echo", "--port", "0"]);
        int port = await server.ListeningPortAsync();

        // 64 KiB, 1 in flight: the frame is 14 B over the limit, but with one message in flight
        // nothing moves the other way while it is sent, so it goes from the receive loop, as the
        // raw TCP echo's 65,536 B do (the two are compared in docs/BENCHMARKS.md).
        (int exit, JsonElement report, string stdout) = await BenchAsync(
            "echo", $"ws://127.0.0.1:{port}/echo", "-c", "2", "-p", "1", "-s", "65536", "-d", "0.5", "-w", "0.1");

        AssertSuccess(exit, report);
        AssertEchoReport(report, connections: 2, inFlight: 1);
        Assert.True(report.GetProperty("settings").GetProperty("sendsFromReceiveLoop").GetBoolean());
        Assert.Contains("sent from the receive loop", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Echo_at_a_fixed_rate_sends_on_schedule_and_times_from_the_intended_send()
    {
        await using CliHarness server = CliHarness.Start(["echo", "--port", "0"]);
        int port = await server.ListeningPortAsync();

        (int exit, JsonElement report, _) = await BenchAsync(
            "echo", $"ws://127.0.0.1:{port}/echo", "-c", "2", "--rate", "400", "-d", "0.5", "-w", "0.1");

        AssertSuccess(exit, report);
        Assert.Equal(400, report.GetProperty("settings").GetProperty("rate").GetDouble());
        long messages = report.GetProperty("messages").GetInt64();
        Assert.True(messages > 0);

        // The schedule bounds what can be sent: 400/s over the measured 0.5 s, plus one tick.
        double seconds = report.GetProperty("seconds").GetDouble();
        Assert.True(messages <= (400 * seconds) + 50, $"{messages} messages in {seconds} s at 400/s");
        Assert.Equal(0, report.GetProperty("errors").GetProperty("count").GetInt64());
        Assert.True(report.GetProperty("latencyMicroseconds").GetProperty("count").GetInt64() > 0);
    }

    [Fact]
    public async Task Echo_against_a_raw_tcp_echo_counts_bytes_as_messages()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        Task serving = ServeTcpEchoAsync(listener, stop.Token);
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;

        (int exit, JsonElement report, string stdout) = await BenchAsync(
            "echo", $"tcp://127.0.0.1:{port}", "-c", "2", "-p", "3", "-s", "100", "-d", "0.5", "-w", "0.1");

        await stop.CancelAsync();
        listener.Stop();
        await serving.WaitAsync(CliHarness.Timeout);
        AssertSuccess(exit, report);
        Assert.True(report.GetProperty("rawTcp").GetBoolean());
        AssertEchoReport(report, connections: 2, inFlight: 3);
        Assert.Contains("raw TCP", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idle_holds_every_connection_open_and_reads_the_server_memory()
    {
        await using CliHarness server = CliHarness.Start(["echo", "--port", "0"]);
        int port = await server.ListeningPortAsync();

        // An odd count: the first half is the larger, ceil(25 / 2) = 13.
        (int exit, JsonElement report, string stdout) = await BenchAsync(
            "idle", $"ws://127.0.0.1:{port}/echo", "-c", "25", "--hold", "0.3", "--server-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        AssertSuccess(exit, report);
        Assert.Equal(25, report.GetProperty("connectionsOpened").GetInt32());
        Assert.Equal(0, report.GetProperty("connectionsFailed").GetInt32());
        Assert.Equal(25, report.GetProperty("connectionsOpenAtEnd").GetInt32());
        Assert.Equal(0, report.GetProperty("closedDuringHold").GetInt32());
        Assert.Equal(0, report.GetProperty("errors").GetProperty("count").GetInt64());

        // Round robin over the default loopback sources 127.0.0.1-8.
        Assert.Equal(8, report.GetProperty("settings").GetProperty("sources").GetArrayLength());
        JsonElement memory = report.GetProperty("serverMemory");
        Assert.Equal(13, memory.GetProperty("connectionsAtHalf").GetInt32());
        if (OperatingSystem.IsLinux())
        {
            Assert.True(memory.GetProperty("rssBytesBefore").GetInt64() > 0);
            Assert.True(memory.GetProperty("rssBytesHalf").GetInt64() > 0);
            Assert.True(memory.GetProperty("rssBytesAfter").GetInt64() > 0);
            Assert.Equal(JsonValueKind.Number, memory.GetProperty("bytesPerConnection").ValueKind);

            // The server is this process, so its memory moves with everything else running here:
            // only the arithmetic is checked, over the 12 connections of the second half.
            long marginal = memory.GetProperty("bytesPerConnectionMarginal").GetInt64();
            Assert.Equal((memory.GetProperty("rssBytesAfter").GetInt64() - memory.GetProperty("rssBytesHalf").GetInt64()) / 12, marginal);
            Assert.True(report.GetProperty("openFileLimit").GetProperty("soft").GetInt64() > 25);
            Assert.Contains("per added connection", stdout, StringComparison.Ordinal);
        }

        Assert.Contains("still open at the end", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idle_continues_the_source_round_robin_into_the_second_half()
    {
        // A listener that records each connection's source address and closes it: every handshake
        // fails fast, and the addresses show which source each of the 6 connections used.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sources = new List<IPAddress>();
        var allAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        Task accepting = Task.Run(
            async () =>
            {
                try
                {
                    while (true)
                    {
                        using Socket client = await listener.AcceptSocketAsync(stop.Token);
                        sources.Add(((IPEndPoint)client.RemoteEndPoint!).Address);
                        if (sources.Count == 6)
                        {
                            allAccepted.TrySetResult();
                        }
                    }
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                }
            },
            CancellationToken.None);

        (int exit, JsonElement report, _) = await BenchAsync(
            "idle", $"ws://127.0.0.1:{port}/echo", "-c", "6", "--hold", "0", "--sources", "127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4");

        await allAccepted.Task.WaitAsync(CliHarness.Timeout);
        await stop.CancelAsync();
        listener.Stop();
        await accepting.WaitAsync(CliHarness.Timeout);

        Assert.Equal(1, exit);
        Assert.Equal(6, report.GetProperty("connectionsFailed").GetInt32());

        // Halves of 3 and 3: .1 .2 .3, then .4 .1 .2 (not .1 .2 .3 again).
        var counts = sources.GroupBy(a => a.ToString()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, counts.GetValueOrDefault("127.0.0.1"));
        Assert.Equal(2, counts.GetValueOrDefault("127.0.0.2"));
        Assert.Equal(1, counts.GetValueOrDefault("127.0.0.3"));
        Assert.Equal(1, counts.GetValueOrDefault("127.0.0.4"));
    }

    [Fact]
    public async Task Fanout_in_bursts_delivers_every_message_to_every_subscriber_in_order()
    {
        await using CliHarness server = CliHarness.Start(["echo", "--port", "0"]);
        int port = await server.ListeningPortAsync();

        (int exit, JsonElement report, string stdout) = await BenchAsync(
            "fanout", $"ws://127.0.0.1:{port}", "-k", "5", "-m", "200", "-b", "50", "-s", "32");

        AssertSuccess(exit, report);
        AssertCompleteFanout(report, subscribers: 5, messages: 200);
        Assert.Contains("lost / duplicated / out of order", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fanout_at_a_fixed_rate_delivers_every_message()
    {
        await using CliHarness server = CliHarness.Start(["echo", "--port", "0"]);
        int port = await server.ListeningPortAsync();

        (int exit, JsonElement report, _) = await BenchAsync(
            "fanout", $"ws://127.0.0.1:{port}/", "-k", "3", "-m", "100", "--rate", "500");

        AssertSuccess(exit, report);
        AssertCompleteFanout(report, subscribers: 3, messages: 100);
        Assert.Equal(500, report.GetProperty("settings").GetProperty("rate").GetDouble());
    }

    [Theory]
    [InlineData("fanout", "ws://127.0.0.1:1", "--burst", "10", "--rate", "5")]
    [InlineData("fanout", "ws://127.0.0.1:1", "--size", "8")]
    [InlineData("echo", "wss://127.0.0.1:1/echo")]
    [InlineData("echo", "ws://127.0.0.1:1/echo", "--connections", "0")]
    [InlineData("idle", "tcp://127.0.0.1:1")]
    [InlineData("idle", "ws://127.0.0.1:1/echo", "--sources", "not-an-address")]
    public async Task Bad_usage_exits_2_without_connecting(params string[] args)
    {
        (int exit, _, string error) = await CliHarness.RunAsync(["bench", .. args]);
        Assert.Equal(2, exit);
        Assert.NotEqual(string.Empty, error);
    }

    [Fact]
    public async Task Echo_to_a_closed_port_fails_with_exit_1_and_reports_the_failures()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        (int exit, JsonElement report, _) = await BenchAsync("echo", $"ws://127.0.0.1:{port}/echo", "-c", "2", "-d", "0.2", "-w", "0");

        Assert.Equal(1, exit);
        Assert.Equal(2, report.GetProperty("errors").GetProperty("connectFailures").GetInt64());
        Assert.Equal(0, report.GetProperty("messages").GetInt64());
    }

    [Fact]
    public async Task Idle_numbers_failed_connections_across_both_halves()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        (int exit, JsonElement report, _) = await BenchAsync("idle", $"ws://127.0.0.1:{port}/echo", "-c", "4", "--hold", "0");

        Assert.Equal(1, exit);
        Assert.Equal(4, report.GetProperty("errors").GetProperty("connectFailures").GetInt64());
        string[] samples = [.. report.GetProperty("errors").GetProperty("samples").EnumerateArray().Select(e => e.GetString() ?? string.Empty)];
        for (int i = 0; i < 4; i++)
        {
            Assert.Contains(samples, m => m.StartsWith($"connection {i}", StringComparison.Ordinal));
        }
    }

    private static void AssertSuccess(int exit, JsonElement report) =>
        Assert.True(exit == 0, $"exit {exit}: {report}");

    private static void AssertEchoReport(JsonElement report, int connections, int inFlight)
    {
        Assert.Equal("echo", report.GetProperty("command").GetString());
        Assert.Equal(connections, report.GetProperty("connectionsOpen").GetInt32());
        Assert.Equal(0, report.GetProperty("errors").GetProperty("count").GetInt64());
        Assert.Equal(0, report.GetProperty("errors").GetProperty("connectFailures").GetInt64());
        long messages = report.GetProperty("messages").GetInt64();
        double seconds = report.GetProperty("seconds").GetDouble();
        Assert.True(messages > 0);
        Assert.Equal(messages / seconds, report.GetProperty("messagesPerSecond").GetDouble(), 0.5 + (messages / seconds * 0.002));

        // The messages counted are the echoes received while measuring, each one a latency sample;
        // no connection can have had more than its in-flight count outstanding.
        JsonElement latency = report.GetProperty("latencyMicroseconds");
        Assert.Equal(messages, latency.GetProperty("count").GetInt64());
        Assert.True(inFlight > 0 && connections > 0);
        Assert.True(latency.GetProperty("p50").GetInt64() <= latency.GetProperty("p99").GetInt64());
        Assert.True(latency.GetProperty("p99").GetInt64() <= latency.GetProperty("max").GetInt64());
        Assert.True(report.GetProperty("generator").GetProperty("cpuSeconds").GetDouble() >= 0);
    }

    private static void AssertCompleteFanout(JsonElement report, int subscribers, int messages)
    {
        Assert.Equal(subscribers, report.GetProperty("subscribersRegistered").GetInt32());
        Assert.Equal(messages, report.GetProperty("messagesPublished").GetInt32());
        Assert.Equal((long)subscribers * messages, report.GetProperty("expectedDeliveries").GetInt64());
        Assert.Equal((long)subscribers * messages, report.GetProperty("deliveries").GetInt64());
        Assert.Equal(0, report.GetProperty("lost").GetInt64());
        Assert.Equal(0, report.GetProperty("duplicated").GetInt64());
        Assert.Equal(0, report.GetProperty("outOfOrder").GetInt64());
        Assert.Equal(0, report.GetProperty("errors").GetProperty("count").GetInt64());
        Assert.Equal((long)subscribers * messages, report.GetProperty("latencyMicroseconds").GetProperty("count").GetInt64());
        Assert.True(report.GetProperty("deliveriesPerSecond").GetDouble() > 0);
    }

    /// <summary>Runs <c>duplex bench ...</c> with --quiet and --json to a temporary file; returns the exit status, the parsed report and stdout.</summary>
    private static async Task<(int Exit, JsonElement Report, string Stdout)> BenchAsync(params string[] args)
    {
        string json = Path.Combine(Path.GetTempPath(), $"duplex-bench-{Guid.NewGuid():N}.json");
        try
        {
            (int exit, string stdout, string stderr) = await CliHarness.RunAsync(["bench", .. args, "--quiet", "--json", json, "--timeout", "5"]);
            Assert.True(File.Exists(json), $"no JSON report (exit {exit}); stdout: {stdout} stderr: {stderr}");
            using JsonDocument document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            return (exit, document.RootElement.Clone(), stdout);
        }
        finally
        {
            File.Delete(json);
        }
    }

    /// <summary>A TCP echo: every byte read is written back.</summary>
    private static async Task ServeTcpEchoAsync(TcpListener listener, CancellationToken ct)
    {
        var clients = new List<Task>();
        try
        {
            while (true)
            {
                Socket client = await listener.AcceptSocketAsync(ct);
                clients.Add(Task.Run(
                    async () =>
                    {
                        using (client)
                        {
                            byte[] buffer = new byte[16 * 1024];
                            try
                            {
                                int read;
                                while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
                                {
                                    await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, ct);
                                }

                                client.Shutdown(SocketShutdown.Send);
                            }
                            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                            {
                            }
                        }
                    },
                    CancellationToken.None));
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(clients);
    }
}
