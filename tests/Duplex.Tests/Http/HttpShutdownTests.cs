using Duplex.Tests.Support;

namespace Duplex.Tests.Http;

/// <summary>StopAsync ends held requests and streams (their token fires, the connection closes after the response) and closes idle keep-alive connections.</summary>
public sealed class HttpShutdownTests
{
    [Fact]
    public async Task Held_request_ends_when_the_server_stops_with_its_token_fired_and_a_503()
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/poll", async (exchange, ct) =>
        {
            using CancellationTokenRegistration registration = ct.Register(() => cancelled.TrySetResult());
            holding.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }));
        await using RawHttpClient client = await server.ConnectAsync();
        await client.SendAsync($"GET /poll HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n");
        await holding.Task.Within("the handler to hold the request");

        Task stop = server.Server.StopAsync();

        await cancelled.Task.Within("the request's token to fire");
        RawResponse response = await client.ReadResponseAsync();
        Assert.Equal(503, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
        await stop.Within("the server to stop");
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Streaming_response_ends_cleanly_when_the_server_stops()
    {
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/events", async (exchange, ct) =>
        {
            await exchange.WriteAsync("data: hello\n\n"u8.ToArray(), ct);
            await exchange.FlushAsync(ct);
            streaming.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }));
        await using RawHttpClient client = await server.ConnectAsync();
        await client.SendAsync($"GET /events HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n");
        await streaming.Task.Within("the stream to start");

        Task stop = server.Server.StopAsync();

        RawResponse response = await client.ReadResponseAsync();
        Assert.Equal("data: hello\n\n", response.Body);
        Assert.EndsWith("0\r\n\r\n", response.Raw, StringComparison.Ordinal);
        Assert.True(await client.IsClosedByServerAsync());
        await stop.Within("the server to stop");
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Idle_keep_alive_connections_are_closed_when_the_server_stops()
    {
        HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", HttpTestServer.Text("ok")));
        await using RawHttpClient first = await server.ConnectAsync();
        await using RawHttpClient second = await server.ConnectAsync();
        Assert.Equal("ok", (await first.RequestAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).Body);
        Assert.Equal("ok", (await second.RequestAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).Body);

        await server.Server.StopAsync().Within("the server to stop");

        Assert.True(await first.IsClosedByServerAsync());
        Assert.True(await second.IsClosedByServerAsync());
        Assert.Equal(0, server.Server.ConnectionCount);
        await server.DisposeAsync();
    }
}
