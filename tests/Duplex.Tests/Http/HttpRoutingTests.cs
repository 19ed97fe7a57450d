namespace Duplex.Tests.Http;

/// <summary>Routing by method and path: 404, 405 always with Allow, OPTIONS with Allow, GET answering HEAD.</summary>
public sealed class HttpRoutingTests
{
    private static Task<HttpTestServer> StartAsync() =>
        HttpTestServer.StartAsync(s =>
        {
            s.MapGet("/thing", HttpTestServer.Text("thing"));
            s.MapPost("/thing", HttpTestServer.Echo);
            s.Map("PUT", "/put-only", HttpTestServer.Text("put"));
            s.MapWebSocket("/ws", (ws, ct) => Task.CompletedTask);
        });

    private static async Task<RawResponse> RequestAsync(HttpTestServer server, string method, string target, bool head = false)
    {
        await using RawHttpClient client = await server.ConnectAsync();
        return await client.RequestAsync($"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n", head);
    }

    [Fact]
    public async Task Unknown_path_gets_404()
    {
        await using HttpTestServer server = await StartAsync();
        Assert.Equal(404, (await RequestAsync(server, "GET", "/nothing")).Status);
    }

    [Fact]
    public async Task Path_matches_exactly_and_the_query_is_not_part_of_it()
    {
        await using HttpTestServer server = await StartAsync();
        Assert.Equal("thing", (await RequestAsync(server, "GET", "/thing?x=1")).Body);
        Assert.Equal(404, (await RequestAsync(server, "GET", "/thing/")).Status);
    }

    [Theory]
    [InlineData("DELETE", "/thing", "GET, HEAD, POST, OPTIONS")]
    [InlineData("GET", "/put-only", "PUT, OPTIONS")]
    [InlineData("POST", "/ws", "GET, OPTIONS")]
    public async Task Method_not_mapped_at_a_path_gets_405_with_allow(string method, string path, string allow)
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await RequestAsync(server, method, path);

        Assert.Equal(405, response.Status);
        Assert.Equal(allow, response.Header("Allow"));
    }

    [Fact]
    public async Task OPTIONS_on_a_path_is_answered_204_with_allow()
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await RequestAsync(server, "OPTIONS", "/thing");

        Assert.Equal("HTTP/1.1 204 No Content\r\nAllow: GET, HEAD, POST, OPTIONS\r\n\r\n", response.WithoutDate);
    }

    [Fact]
    public async Task OPTIONS_star_is_answered_with_every_method_the_server_serves()
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await RequestAsync(server, "OPTIONS", "*");

        Assert.Equal(204, response.Status);
        Assert.Equal("GET, HEAD, OPTIONS, POST, PUT", response.Header("Allow"));
    }

    [Fact]
    public async Task GET_route_answers_HEAD_with_the_same_head_and_no_body()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse head = await client.RequestAsync($"HEAD /thing HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n", head: true);
        RawResponse get = await client.RequestAsync($"GET /thing HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n");

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\n", head.WithoutDate);
        Assert.Equal("thing", get.Body);
    }

    [Fact]
    public async Task General_map_serves_any_method_token()
    {
        await using HttpTestServer server = await StartAsync();
        Assert.Equal("put", (await RequestAsync(server, "PUT", "/put-only")).Body);
    }

    [Fact]
    public async Task Map_refuses_a_method_that_is_not_a_token()
    {
        await using var server = new DuplexServer(new DuplexServerOptions { Port = 0 });
        Assert.Throws<ArgumentException>(() => server.Map("GE T", "/", HttpTestServer.Text("x")));
    }

    [Fact]
    public async Task Mapping_while_running_takes_effect_for_the_next_request()
    {
        await using HttpTestServer server = await StartAsync();
        Assert.Equal(404, (await RequestAsync(server, "GET", "/later")).Status);

        server.Server.MapGet("/later", HttpTestServer.Text("later"));

        Assert.Equal("later", (await RequestAsync(server, "GET", "/later")).Body);
    }

    [Fact]
    public async Task Plain_GET_on_a_WebSocket_path_gets_426_naming_the_protocol()
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await RequestAsync(server, "GET", "/ws");

        Assert.Equal(426, response.Status);
        Assert.Equal("websocket", response.Header("Upgrade"));
    }
}
