using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Duplex.Cli.Faults;
using Duplex.Tests.Support;

namespace Duplex.Tests.Cli;

/// <summary>The fault proxy's modes, each on its own, against a real server: what passes, what is refused, held, forgotten or reset.</summary>
public sealed class FaultProxyTests
{
    private static async Task<DuplexServer> StartServerAsync()
    {
        var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0 });
        server.MapWebSocket("/echo", EchoServer.EchoAsync);
        server.MapGet("/hello", (http, ct) => http.RespondTextAsync(200, "hello", ct));
        server.MapGet("/stream", async (http, ct) =>
        {
            http.ResponseHeaders.Set("Content-Type", "text/event-stream");
            for (int i = 0; i < 3; i++)
            {
                await http.WriteAsync(Encoding.ASCII.GetBytes($"data: {i}\n\n"), ct);
                await http.FlushAsync(ct);
            }

            await Task.Delay(Timeout.Infinite, ct);
        });
        server.MapGet("/chunks", async (http, ct) =>
        {
            for (int i = 0; i < 3; i++)
            {
                await http.WriteAsync(Encoding.ASCII.GetBytes($"part{i};"), ct);
                await http.FlushAsync(ct);
            }
        });
        await server.StartAsync();
        return server;
    }

    private static FaultProxy Proxy(DuplexServer server, FaultMode mode, TimeSpan? idle = null, long meanBytes = 64 * 1024) =>
        FaultProxy.Start(new FaultProxyOptions
        {
            Upstream = new IPEndPoint(IPAddress.Loopback, server.LocalEndPoint.Port),
            Mode = mode,
            IdleTimeout = idle ?? TimeSpan.FromSeconds(1),
            MeanBytesBetweenResets = meanBytes,
        });

    private static HttpClient Client(FaultProxy proxy) =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{proxy.LocalEndPoint.Port}/"), Timeout = Bounded.Default };

    [Fact]
    public async Task Pass_through_carries_http_and_websocket_as_they_are()
    {
        await using DuplexServer server = await StartServerAsync();
        await using FaultProxy proxy = Proxy(server, FaultMode.PassThrough);
        using HttpClient http = Client(proxy);

        Assert.Equal("hello", await http.GetStringAsync("hello"));
        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.LocalEndPoint.Port}/echo"), null, Bounded.Token());
        await ws.SendTextAsync("through", Bounded.Token());
        Assert.Equal("through", (await ws.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
    }

    [Fact]
    public async Task Refuse_upgrades_answers_a_websocket_handshake_403_and_passes_plain_requests()
    {
        await using DuplexServer server = await StartServerAsync();
        await using FaultProxy proxy = Proxy(server, FaultMode.RefuseUpgrades);
        using HttpClient http = Client(proxy);

        var refused = await Assert.ThrowsAsync<WebSocketHandshakeException>(() =>
            WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.LocalEndPoint.Port}/echo"), null, Bounded.Token()));

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(1, proxy.RefusedUpgrades);
        Assert.Equal("hello", await http.GetStringAsync("hello"));
        Assert.Equal(0, server.WebSocketCount);
    }

    [Fact]
    public async Task Reset_upgrades_resets_a_websocket_handshake_with_no_answer_and_passes_plain_requests()
    {
        await using DuplexServer server = await StartServerAsync();
        await using FaultProxy proxy = Proxy(server, FaultMode.ResetUpgrades);
        using HttpClient http = Client(proxy);

        var reset = await Assert.ThrowsAsync<WebSocketHandshakeException>(() =>
            WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.LocalEndPoint.Port}/echo"), null, Bounded.Token()));

        // No status: the client cannot tell it from a network that broke.
        Assert.Equal(0, reset.StatusCode);
        Assert.Equal(1, proxy.RefusedUpgrades);
        Assert.Equal(1, proxy.Resets);
        Assert.Equal("hello", await http.GetStringAsync("hello"));
        Assert.Equal(0, server.WebSocketCount);
    }

    [Fact]
    public async Task Buffer_responses_sends_a_chunked_response_only_once_complete_and_never_an_endless_stream()
    {
        await using DuplexServer server = await StartServerAsync();
        await using FaultProxy proxy = Proxy(server, FaultMode.BufferResponses);
        using HttpClient http = Client(proxy);

        Assert.Equal("part0;part1;part2;", await http.GetStringAsync("chunks"));
        Assert.Equal("hello", await http.GetStringAsync("hello"));
        Assert.True(proxy.HeldResponses >= 2);

        // The event stream never completes, so its head never reaches the client.
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            http.GetAsync("stream", HttpCompletionOption.ResponseHeadersRead, cancel.Token));
    }

    [Fact]
    public async Task Buffered_responses_pass_the_websocket_after_the_101()
    {
        await using DuplexServer server = await StartServerAsync();
        await using FaultProxy proxy = Proxy(server, FaultMode.BufferResponses);

        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.LocalEndPoint.Port}/echo"), null, Bounded.Token());
        await ws.SendTextAsync("after the switch", Bounded.Token());
        Assert.Equal("after the switch", (await ws.ReceiveAsync(Bounded.Token()).Within("the echo")).Text);
    }

    [Fact]
    public async Task Forget_idle_flows_drops_an_idle_connection_silently_and_neither_end_is_told()
    {
        await using DuplexServer server = await StartServerAsync();
        await using FaultProxy proxy = Proxy(server, FaultMode.ForgetIdleFlows, idle: TimeSpan.FromMilliseconds(200));
        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(
            new Uri($"ws://127.0.0.1:{proxy.LocalEndPoint.Port}/echo"),
            new WebSocketClientOptions { WebSocket = new WebSocketConnectionOptions { KeepAliveInterval = Timeout.InfiniteTimeSpan } },
            Bounded.Token());
        await ws.SendTextAsync("while it is remembered", Bounded.Token());
        Assert.Equal("while it is remembered", (await ws.ReceiveAsync(Bounded.Token()).Within("the first echo")).Text);

        await WaitForAsync(() => proxy.ForgottenFlows == 1, "the idle flow to be forgotten");
        await ws.SendTextAsync("into the void", Bounded.Token());

        // No echo, no close, no reset: the connection looks open and nothing comes.
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await ws.ReceiveAsync(quiet.Token));
        Assert.Equal(1, proxy.OpenConnections);
    }

    [Fact]
    public async Task Random_resets_reset_connections_after_some_bytes_and_the_client_sees_a_reset()
    {
        await using DuplexServer server = await StartServerAsync();
        await using FaultProxy proxy = Proxy(server, FaultMode.RandomResets, meanBytes: 2000);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(proxy.LocalEndPoint);
        byte[] request = Encoding.ASCII.GetBytes("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");

        // Keep-alive requests until the proxy resets the connection.
        Exception? failure = null;
        for (int i = 0; i < 10_000 && failure is null; i++)
        {
            try
            {
                await socket.SendAsync(request);
                byte[] answer = new byte[4096];
                if (await socket.ReceiveAsync(answer, SocketFlags.None).WaitAsync(Bounded.Default) == 0)
                {
                    failure = new IOException("closed");
                }
            }
            catch (SocketException ex)
            {
                failure = ex;
            }
        }

        var reset = Assert.IsType<SocketException>(failure);
        Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
        Assert.Equal(1, proxy.Resets);
    }

    [Fact]
    public async Task Reset_all_resets_every_open_connection_on_demand()
    {
        await using DuplexServer server = await StartServerAsync();
        await using FaultProxy proxy = Proxy(server, FaultMode.PassThrough);
        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.LocalEndPoint.Port}/echo"), null, Bounded.Token());

        proxy.ResetAll();

        WebSocketMessage end = await ws.ReceiveAsync(Bounded.Token()).Within("the connection to break");
        Assert.True(end.IsClose);
        Assert.Equal(CloseStatus.AbnormalClosure, ws.CloseStatus);
        Assert.Equal(1, proxy.Resets);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Bounded.Default;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }
}
