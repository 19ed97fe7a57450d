using System.Text.Json;

namespace Duplex.Tests.Cli;

/// <summary>
/// <c>duplex bench sessions</c> end to end, in-process, briefly: its own Duplex server on
/// 127.0.0.1, two RealtimeClients through the counting relay, both windows. Every field of the
/// report is checked for presence and for what must hold whatever the speed (everything sent
/// is delivered once, bytes and requests add up); no assertion depends on speed.
/// </summary>
public sealed class SessionBenchCommandTests
{
    [Theory]
    [InlineData("websocket")]
    [InlineData("long-polling")]
    public async Task Sessions_bench_measures_both_directions_of_two_clients_and_reports_every_field(string transport)
    {
        string json = Path.Combine(Path.GetTempPath(), $"duplex-sessions-{Guid.NewGuid():N}.json");
        try
        {
            (int exit, string stdout, string stderr) = await CliHarness.RunAsync(
                ["bench", "sessions", "-t", transport, "-c", "2", "-r", "20", "-d", "0.5", "-w", "0.2", "--quiet", "--json", json, "--timeout", "10"]);
            Assert.True(File.Exists(json), $"no JSON report (exit {exit}); stdout: {stdout} stderr: {stderr}");
            using JsonDocument document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            JsonElement report = document.RootElement;

            Assert.True(exit == 0, $"exit {exit}: {stdout}");
            Assert.Equal("sessions", report.GetProperty("benchmark").GetString());
            Assert.Equal("duplex", report.GetProperty("server").GetString());
            Assert.Equal(transport, report.GetProperty("transport").GetString());
            Assert.Equal(2, report.GetProperty("clients").GetInt32());
            Assert.Equal(2, report.GetProperty("clientsConnected").GetInt32());
            Assert.True(report.GetProperty("inProcessServer").GetBoolean());
            Assert.Equal(20, report.GetProperty("settings").GetProperty("ratePerClient").GetDouble());
            Assert.Equal(16, report.GetProperty("settings").GetProperty("size").GetInt32());

            // Connecting: a negotiate at least, and the transport's connection(s).
            JsonElement connect = report.GetProperty("connect");
            Assert.True(connect.GetProperty("requestsPerClient").GetDouble() >= 2);
            Assert.True(connect.GetProperty("bytesUpPerClient").GetDouble() > 0);
            Assert.True(connect.GetProperty("bytesDownPerClient").GetDouble() > 0);
            Assert.True(connect.GetProperty("connectionsPerClient").GetDouble() >= 1);

            foreach (string direction in new[] { "down", "up" })
            {
                JsonElement phase = report.GetProperty(direction);
                long sent = phase.GetProperty("sent").GetInt64();
                Assert.True(sent >= 2, $"{direction}: {sent} sent");
                Assert.Equal(sent, phase.GetProperty("delivered").GetInt64());
                Assert.Equal(0, phase.GetProperty("lost").GetInt64());
                Assert.Equal(0, phase.GetProperty("duplicates").GetInt64());
                Assert.Equal(0, phase.GetProperty("gaps").GetInt64());
                Assert.Equal(0, phase.GetProperty("unreadable").GetInt64());
                Assert.True(phase.GetProperty("seconds").GetDouble() > 0);

                JsonElement latency = phase.GetProperty("latencyMicroseconds");
                Assert.Equal(sent, latency.GetProperty("count").GetInt64());
                long p50 = latency.GetProperty("p50").GetInt64();
                long p90 = latency.GetProperty("p90").GetInt64();
                long p99 = latency.GetProperty("p99").GetInt64();
                long max = latency.GetProperty("max").GetInt64();
                Assert.True(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max, $"{direction}: {p50} {p90} {p99} {max}");

                // The message's own direction carries at least its payload each time.
                JsonElement wire = phase.GetProperty("wire");
                long delivered = phase.GetProperty("delivered").GetInt64();
                long own = wire.GetProperty(direction == "down" ? "bytesDown" : "bytesUp").GetInt64();
                Assert.True(own >= 16 * delivered, $"{direction}: {own} B for {delivered} messages");
                Assert.Equal(Math.Round(own / (double)delivered, 2), phase.GetProperty(direction == "down" ? "bytesDownPerMessage" : "bytesUpPerMessage").GetDouble(), 2);
                Assert.Equal(Math.Round((own / (double)delivered) - 16, 2), phase.GetProperty("overheadBytesPerMessage").GetDouble(), 1);
                long requests = wire.GetProperty("requests").GetInt64();
                Assert.Equal(requests, wire.GetProperty("requestsByKind").EnumerateObject().Sum(p => p.Value.GetInt64()));
                Assert.Equal(Math.Round(requests / (double)delivered, 4), phase.GetProperty("requestsPerMessage").GetDouble(), 4);
                Assert.True(wire.GetProperty("connections").GetInt64() >= 0);
                if (transport == "websocket")
                {
                    // After the upgrade nothing on a WebSocket is an HTTP request.
                    Assert.Equal(0, requests);
                }
                else
                {
                    Assert.True(requests > 0, $"{direction}: no request counted on {transport}");
                }
            }

            Assert.True(report.GetProperty("framingBytesPerSmallMessageDown").GetDouble() > 0);
            Assert.Equal(0, report.GetProperty("errors").GetProperty("count").GetInt64());
            Assert.True(report.GetProperty("generator").GetProperty("cpuSeconds").GetDouble() >= 0);
            Assert.Contains("server → client latency p99", stdout, StringComparison.Ordinal);
            Assert.Contains("client → server requests/message", stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task Sessions_bench_refuses_signalr_without_its_server_and_polling_on_signalr()
    {
        (int exit, _, string stderr) = await CliHarness.RunAsync(["bench", "sessions", "--server", "signalr"]);
        Assert.Equal(2, exit);
        Assert.Contains("needs --url", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await CliHarness.RunAsync(["bench", "sessions", "--server", "signalr", "--url", "http://127.0.0.1:1", "-t", "polling"]);
        Assert.Equal(2, exit);
        Assert.Contains("no polling transport", stderr, StringComparison.Ordinal);
    }
}
