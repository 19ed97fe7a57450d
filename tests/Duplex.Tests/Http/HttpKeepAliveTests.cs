namespace Duplex.Tests.Http;

/// <summary>RFC 9112 §9.3 over loopback: which connections persist, and what an idle one costs.</summary>
public sealed class HttpKeepAliveTests
{
    private static Task<HttpTestServer> StartAsync(TimeSpan? keepAlive = null) =>
        HttpTestServer.StartAsync(s =>
        {
            s.MapGet("/a", HttpTestServer.Text("A"));
            s.MapGet("/b", HttpTestServer.Text("BB"));
        }, keepAliveTimeout: keepAlive);

    [Fact]
    public async Task Two_HTTP_1_1_requests_in_turn_are_served_on_one_connection()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse first = await client.RequestAsync($"GET /a HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n");
        RawResponse second = await client.RequestAsync($"GET /b HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1\r\n\r\nA", first.WithoutDate);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\nBB", second.WithoutDate);
        Assert.Equal(1, server.Server.HttpConnectionCount);
    }

    [Fact]
    public async Task Request_with_connection_close_is_answered_with_close_and_the_server_closes()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync($"GET /a HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n");

        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task HTTP_1_0_request_without_keep_alive_is_answered_then_closed()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync("GET /a HTTP/1.0\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task HTTP_1_0_request_with_keep_alive_persists_and_is_told_so()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse first = await client.RequestAsync("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        RawResponse second = await client.RequestAsync("GET /b HTTP/1.0\r\n\r\n");

        Assert.Equal("keep-alive", first.Header("Connection"));
        Assert.Equal("BB", second.Body);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout()
    {
        await using HttpTestServer server = await StartAsync(keepAlive: TimeSpan.FromMilliseconds(300));
        await using RawHttpClient client = await server.ConnectAsync();
        Assert.Equal(200, (await client.RequestAsync($"GET /a HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n")).Status);

        Assert.True(await client.IsClosedByServerAsync());
        await HttpTestServer.EventuallyAsync(() => server.Server.ConnectionCount == 0, "the server to release the idle connection");
    }

    [Fact]
    public async Task Idle_keep_alive_connections_hold_no_input_buffer()
    {
        await using HttpTestServer server = await StartAsync();
        var clients = new List<RawHttpClient>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                RawHttpClient client = await server.ConnectAsync();
                clients.Add(client);
                Assert.Equal("A", (await client.RequestAsync($"GET /a HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n")).Body);
            }

            await HttpTestServer.EventuallyAsync(() => server.Server.HttpConnectionCount == 20, "20 open connections");
            await HttpTestServer.EventuallyAsync(() => server.Server.HttpConnectionsHoldingInput == 0, "every idle connection to give its input buffer back");

            // And they still serve.
            Assert.Equal("BB", (await clients[7].RequestAsync($"GET /b HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n")).Body);
        }
        finally
        {
            foreach (RawHttpClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Request_head_that_stops_arriving_is_dropped_after_the_head_timeout()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/a", HttpTestServer.Text("A")), handshakeTimeout: TimeSpan.FromMilliseconds(300));
        await using RawHttpClient client = await server.ConnectAsync();
        Assert.Equal(200, (await client.RequestAsync($"GET /a HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n")).Status);

        await client.SendAsync("GET /a HTTP/1.1\r\nHost: x\r\n");

        Assert.True(await client.IsClosedByServerAsync());
    }
}
