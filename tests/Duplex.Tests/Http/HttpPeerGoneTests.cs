using Duplex.Tests.Support;

namespace Duplex.Tests.Http;

/// <summary>RequestAborted fires as soon as the client goes away while its response is held or streamed.</summary>
public sealed class HttpPeerGoneTests
{
    [Fact]
    public async Task Client_closing_its_connection_during_a_held_request_fires_the_token()
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/poll", async (exchange, ct) =>
        {
            using CancellationTokenRegistration registration = exchange.RequestAborted.Register(() => aborted.TrySetResult());
            holding.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }));
        RawHttpClient client = await server.ConnectAsync();
        await client.SendAsync($"GET /poll HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n");
        await holding.Task.Within("the handler to hold the request");

        await client.DisposeAsync();

        await aborted.Task.Within("RequestAborted to fire");
        await HttpTestServer.EventuallyAsync(() => server.Server.ConnectionCount == 0, "the connection to be released");
    }

    [Fact]
    public async Task Client_closing_its_side_during_a_stream_fires_the_token()
    {
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/events", async (exchange, ct) =>
        {
            using CancellationTokenRegistration registration = ct.Register(() => aborted.TrySetResult());
            await exchange.WriteAsync("data: a\n\n"u8.ToArray(), ct);
            await exchange.FlushAsync(ct);
            streaming.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }));
        await using RawHttpClient client = await server.ConnectAsync();
        await client.SendAsync($"GET /events HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n");
        await streaming.Task.Within("the stream to start");

        client.ShutdownSend();

        await aborted.Task.Within("the token to fire");
    }

    [Fact]
    public async Task Client_that_reads_its_held_response_keeps_its_token_quiet()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool fired = false;
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/poll", async (exchange, ct) =>
        {
            await release.Task.WaitAsync(ct);
            fired = ct.IsCancellationRequested;
            await exchange.RespondTextAsync(200, "done", ct);
        }));
        await using RawHttpClient client = await server.ConnectAsync();
        await client.SendAsync($"GET /poll HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n");
        Assert.True(await client.StaysOpenAndSilentAsync(TimeSpan.FromMilliseconds(100)));

        release.SetResult();

        Assert.Equal("done", (await client.ReadResponseAsync()).Body);
        Assert.False(fired);
        Assert.Equal("done", (await client.RequestAsync($"GET /poll HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n")).Body);
    }
}
