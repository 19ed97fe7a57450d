namespace Duplex.Tests.Http;

/// <summary>CORS for configured origins: actual requests, preflights, credentials, and Vary: Origin.</summary>
public sealed class HttpCorsTests
{
    private const string Allowed = "https://app.example";

    private static Task<HttpTestServer> StartAsync(CrossOriginOptions? cors = null) =>
        HttpTestServer.StartAsync(
            s =>
            {
                s.MapGet("/data", HttpTestServer.Text("data"));
                s.MapPost("/data", HttpTestServer.Echo);
            },
            cors: cors ?? new CrossOriginOptions { AllowedOrigins = [Allowed], ExposedHeaders = ["X-Seq"] });

    private static async Task<RawResponse> RequestAsync(HttpTestServer server, string request)
    {
        await using RawHttpClient client = await server.ConnectAsync();
        return await client.RequestAsync(request);
    }

    [Fact]
    public async Task Request_from_an_allowed_origin_gets_allow_origin_and_vary()
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await RequestAsync(server, $"GET /data HTTP/1.1\r\nHost: x\r\nOrigin: {Allowed}\r\n\r\n");

        Assert.Equal("data", response.Body);
        Assert.Equal(Allowed, response.Header("Access-Control-Allow-Origin"));
        Assert.Equal("X-Seq", response.Header("Access-Control-Expose-Headers"));
        Assert.Equal("Origin", response.Header("Vary"));
        Assert.Null(response.Header("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Request_from_another_origin_gets_no_allow_origin_but_still_vary()
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await RequestAsync(server, "GET /data HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Null(response.Header("Access-Control-Allow-Origin"));
        Assert.Equal("Origin", response.Header("Vary"));
    }

    [Fact]
    public async Task Request_without_origin_still_carries_vary_so_caches_keep_the_answers_apart()
    {
        await using HttpTestServer server = await StartAsync();

        Assert.Equal("Origin", (await RequestAsync(server, "GET /data HTTP/1.1\r\nHost: x\r\n\r\n")).Header("Vary"));
    }

    [Fact]
    public async Task Preflight_for_an_allowed_method_and_header_is_answered_204_with_the_policy()
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await RequestAsync(server,
            $"OPTIONS /data HTTP/1.1\r\nHost: x\r\nOrigin: {Allowed}\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n\r\n");

        Assert.Equal(
            "HTTP/1.1 204 No Content\r\nVary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\r\n" +
            $"Access-Control-Allow-Origin: {Allowed}\r\nAccess-Control-Allow-Methods: GET, HEAD, POST\r\n" +
            "Access-Control-Allow-Headers: content-type\r\nAccess-Control-Max-Age: 600\r\n\r\n",
            response.WithoutDate);
    }

    [Theory]
    [InlineData("https://evil.example", "POST", null)]
    [InlineData(Allowed, "DELETE", null)]
    [InlineData(Allowed, "POST", "x-secret")]
    [InlineData(Allowed, "post", null)]
    public async Task Preflight_asking_for_what_is_not_allowed_is_refused_with_403(string origin, string method, string? headers)
    {
        await using HttpTestServer server = await StartAsync();
        string requestHeaders = headers is null ? string.Empty : $"Access-Control-Request-Headers: {headers}\r\n";

        RawResponse response = await RequestAsync(server,
            $"OPTIONS /data HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: {method}\r\n{requestHeaders}\r\n");

        Assert.Equal(403, response.Status);
        Assert.Null(response.Header("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Plain_OPTIONS_without_a_preflight_is_answered_with_allow()
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await RequestAsync(server, $"OPTIONS /data HTTP/1.1\r\nHost: x\r\nOrigin: {Allowed}\r\n\r\n");

        Assert.Equal(204, response.Status);
        Assert.Equal("GET, HEAD, POST, OPTIONS", response.Header("Allow"));
    }

    [Fact]
    public async Task Credentials_name_the_origin_and_say_true()
    {
        await using HttpTestServer server = await StartAsync(new CrossOriginOptions { AllowedOrigins = [Allowed], AllowCredentials = true });

        RawResponse response = await RequestAsync(server, $"GET /data HTTP/1.1\r\nHost: x\r\nOrigin: {Allowed}\r\n\r\n");

        Assert.Equal(Allowed, response.Header("Access-Control-Allow-Origin"));
        Assert.Equal("true", response.Header("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Any_origin_without_credentials_is_answered_with_a_star()
    {
        await using HttpTestServer server = await StartAsync(new CrossOriginOptions { AllowedOrigins = ["*"] });

        RawResponse response = await RequestAsync(server, "GET /data HTTP/1.1\r\nHost: x\r\nOrigin: https://anyone.example\r\n\r\n");

        Assert.Equal("*", response.Header("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("https://app.example/")]
    [InlineData("https://app.example/path")]
    [InlineData("app.example")]
    [InlineData("https://app.example:443")]
    [InlineData("ftp://app.example")]
    public void Origin_that_browsers_never_send_is_refused_at_start(string origin)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new DuplexServer(new DuplexServerOptions { Cors = new CrossOriginOptions { AllowedOrigins = [origin] } }));
        Assert.Contains("AllowedOrigins", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_origin_with_credentials_is_refused_at_start()
    {
        Assert.Throws<ArgumentException>(() => new DuplexServer(new DuplexServerOptions { Cors = new CrossOriginOptions { AllowedOrigins = ["*"], AllowCredentials = true } }));
    }
}
