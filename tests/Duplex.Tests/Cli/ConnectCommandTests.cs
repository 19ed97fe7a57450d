using System.Net;
using System.Net.Sockets;

namespace Duplex.Tests.Cli;

public sealed class ConnectCommandTests
{
    [Fact]
    public async Task Sends_stdin_lines_prints_the_echoes_and_exits_0_when_stdin_ends()
    {
        await using DuplexServer server = await TestServers.StartAsync(s => s.MapWebSocket("/echo", TestServers.EchoAsync));

        var (exit, stdout, stderr) = await CliHarness.RunAsync(
            ["connect", $"ws://127.0.0.1:{server.LocalEndPoint.Port}/echo"],
            new StringReader("hello\nsecond line\n\nlast"));

        Assert.True(exit == 0, $"exit {exit}; stderr: {stderr}");
        Assert.Equal(["hello", "second line", "", "last"], stdout.Split(Environment.NewLine)[..^1]);
        Assert.StartsWith("Connected (no subprotocol)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prints_text_and_binary_and_the_servers_close_then_exits_0()
    {
        var seen = new TaskCompletionSource<(string? Header, string? Origin)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using DuplexServer server = await TestServers.StartAsync(s => s.MapWebSocket(
            "/talk",
            async (ws, ct) =>
            {
                seen.TrySetResult((ws.Request!.Headers["X-Test"], ws.Request.Headers["Origin"]));
                await ws.SendTextAsync("hi there", ct);
                await ws.SendBinaryAsync(new byte[] { 0x01, 0xab, 0xff }, ct);
                await ws.CloseAsync(CloseStatus.NormalClosure, "bye now", ct);
            },
            new WebSocketEndpointOptions { SubProtocols = ["chat.v2"] }));

        // stdin never ends: the server's close alone must end the command.
        var (exit, stdout, stderr) = await CliHarness.RunAsync(
            [
                "connect", $"ws://127.0.0.1:{server.LocalEndPoint.Port}/talk",
                "--header", "X-Test: forty two", "--subprotocol", "chat.v1", "--subprotocol", "chat.v2", "--origin", "http://example.test",
            ],
            new SilentReader());

        Assert.True(exit == 0, $"exit {exit}; stderr: {stderr}");
        Assert.Equal(["hi there", "<binary 3 bytes> 01abff"], stdout.Split(Environment.NewLine)[..^1]);
        Assert.Contains("Connected (subprotocol: chat.v2)", stderr, StringComparison.Ordinal);
        Assert.Contains("Closed by server: 1000 bye now", stderr, StringComparison.Ordinal);
        var (header, origin) = await seen.Task.WaitAsync(CliHarness.Timeout);
        Assert.Equal("forty two", header);
        Assert.Equal("http://example.test", origin);
    }

    [Fact]
    public async Task Tunnels_through_the_proxy_given()
    {
        await using DuplexServer server = await TestServers.StartAsync(s => s.MapWebSocket("/echo", TestServers.EchoAsync));
        await using var proxy = new Duplex.Tests.Support.ConnectProxy();

        var (exit, stdout, stderr) = await CliHarness.RunAsync(
            ["connect", $"ws://127.0.0.1:{server.LocalEndPoint.Port}/echo", "--proxy", proxy.Uri.ToString()],
            new StringReader("through the tunnel\n"));

        Assert.True(exit == 0, $"exit {exit}; stderr: {stderr}");
        Assert.Equal("through the tunnel" + Environment.NewLine, stdout);
        Assert.Contains(proxy.Requests, r => r.Contains($"127.0.0.1:{server.LocalEndPoint.Port}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_path_without_an_endpoint_exits_1_with_the_404()
    {
        await using DuplexServer server = await TestServers.StartAsync(s => s.MapWebSocket("/echo", TestServers.EchoAsync));

        var (exit, stdout, stderr) = await CliHarness.RunAsync(["connect", $"ws://127.0.0.1:{server.LocalEndPoint.Port}/nothing-here"]);

        Assert.Equal(1, exit);
        Assert.Empty(stdout);
        Assert.StartsWith("duplex connect: handshake failed:", stderr, StringComparison.Ordinal);
        Assert.Contains("404", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_closed_port_exits_1()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var (exit, _, stderr) = await CliHarness.RunAsync(["connect", $"ws://127.0.0.1:{port}/echo"]);

        Assert.Equal(1, exit);
        Assert.StartsWith("duplex connect: connection failed:", stderr, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://example.test/")]
    [InlineData("ws://")]
    [InlineData("ws://example.test/#fragment")]
    public async Task A_bad_url_exits_2(string url)
    {
        var (exit, _, stderr) = await CliHarness.RunAsync(["connect", url]);

        Assert.Equal(2, exit);
        Assert.StartsWith("duplex connect:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_usage_exits_2()
    {
        Assert.Equal(2, (await CliHarness.RunAsync(["connect"])).Exit);
        Assert.Equal(2, (await CliHarness.RunAsync(["connect", "ws://127.0.0.1:1/", "--no-such-option"])).Exit);
        Assert.Equal(2, (await CliHarness.RunAsync(["connect", "ws://127.0.0.1:1/", "--header", "no colon"])).Exit);
        Assert.Equal(2, (await CliHarness.RunAsync(["frobnicate"])).Exit);
        Assert.Equal(2, (await CliHarness.RunAsync([])).Exit);
    }

    [Fact]
    public async Task Help_exits_0_and_lists_the_commands()
    {
        var (exit, stdout, _) = await CliHarness.RunAsync(["--help"]);

        Assert.Equal(0, exit);
        foreach (string command in new[] { "serve", "echo", "connect", "autobahn-agent" })
        {
            Assert.Contains(command, stdout, StringComparison.Ordinal);
        }
    }
}
