namespace Duplex.Tests.Http;

/// <summary>RFC 9112 §9.3.2: pipelined requests are answered in the order they came, byte for byte.</summary>
public sealed class HttpPipeliningTests
{
    [Fact]
    public async Task Requests_written_in_one_send_get_their_responses_in_order_byte_exact()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s =>
        {
            s.MapGet("/one", HttpTestServer.Text("1"));
            s.MapGet("/two", HttpTestServer.Text("22"));
            s.MapPost("/echo", HttpTestServer.Echo);
        });
        await using RawHttpClient client = await server.ConnectAsync();
        string host = $"Host: {server.Authority}\r\n";

        await client.SendAsync(
            $"GET /one HTTP/1.1\r\n{host}\r\n" +
            $"POST /echo HTTP/1.1\r\n{host}Content-Length: 5\r\n\r\nhello" +
            $"GET /two HTTP/1.1\r\n{host}\r\n" +
            $"POST /echo HTTP/1.1\r\n{host}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n" +
            $"HEAD /one HTTP/1.1\r\n{host}\r\n" +
            $"GET /missing HTTP/1.1\r\n{host}\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1\r\n\r\n1", (await client.ReadResponseAsync()).WithoutDate);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\nhello", (await client.ReadResponseAsync()).WithoutDate);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\n22", (await client.ReadResponseAsync()).WithoutDate);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\n\r\nabcde", (await client.ReadResponseAsync()).WithoutDate);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1\r\n\r\n", (await client.ReadResponseAsync(head: true)).WithoutDate);
        Assert.Equal("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 11\r\n\r\nNot found.\n", (await client.ReadResponseAsync()).WithoutDate);
        Assert.True(await client.StaysOpenAndSilentAsync(TimeSpan.FromMilliseconds(200)), "nothing more than six responses");
    }

    [Fact]
    public async Task Request_pipelined_behind_a_held_response_waits_for_it_and_comes_second()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using HttpTestServer server = await HttpTestServer.StartAsync(s =>
        {
            s.MapGet("/held", async (exchange, ct) =>
            {
                held.TrySetResult();
                await release.Task.WaitAsync(ct);
                await exchange.RespondTextAsync(200, "held", ct);
            });
            s.MapGet("/next", HttpTestServer.Text("next"));
        });
        await using RawHttpClient client = await server.ConnectAsync();

        await client.SendAsync($"GET /held HTTP/1.1\r\nHost: {server.Authority}\r\n\r\nGET /next HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n");
        await held.Task.WaitAsync(Support.Bounded.Default);
        Assert.True(await client.StaysOpenAndSilentAsync(TimeSpan.FromMilliseconds(200)), "the second response may not overtake the first");
        release.SetResult();

        Assert.Equal("held", (await client.ReadResponseAsync()).Body);
        Assert.Equal("next", (await client.ReadResponseAsync()).Body);
    }
}
