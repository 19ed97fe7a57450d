namespace Duplex.Tests.Http;

/// <summary>Request bodies over loopback: Content-Length and chunked, read incrementally, within a size limit and a deadline, with 100 Continue.</summary>
public sealed class HttpBodyTests
{
    private static Task<HttpTestServer> StartAsync(long? maxBody = null, TimeSpan? bodyTimeout = null, long? maxDrain = null, Action<DuplexServer>? more = null) =>
        HttpTestServer.StartAsync(s =>
        {
            s.MapPost("/echo", HttpTestServer.Echo);
            s.MapPost("/ignore", HttpTestServer.Text("ignored"));
            s.MapGet("/next", HttpTestServer.Text("next"));
            s.MapPost("/pieces", async (exchange, ct) =>
            {
                // Reads in three-byte pieces and answers with their sizes.
                var sizes = new List<int>();
                byte[] buffer = new byte[3];
                int read;
                while ((read = await exchange.ReadBodyAsync(buffer, ct)) > 0)
                {
                    sizes.Add(read);
                }

                await exchange.RespondTextAsync(200, string.Join(",", sizes), ct);
            });
            more?.Invoke(s);
        }, maxBody: maxBody, bodyTimeout: bodyTimeout, maxDrain: maxDrain);

    [Fact]
    public async Task Body_with_content_length_is_read_whole()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync($"POST /echo HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 11\r\n\r\nhello world");

        Assert.Equal("hello world", response.Body);
    }

    [Fact]
    public async Task Chunked_body_is_read_without_its_framing()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync(
            $"POST /echo HTTP/1.1\r\nHost: {server.Authority}\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");

        Assert.Equal("hello world", response.Body);
    }

    [Fact]
    public async Task Body_arriving_in_pieces_is_handed_over_as_it_arrives_into_the_readers_buffer()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        await client.SendAsync($"POST /pieces HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 7\r\n\r\nab");
        await Task.Yield();
        await client.SendAsync("cdefg");

        RawResponse response = await client.ReadResponseAsync();
        Assert.Equal(7, response.Body.Split(',').Sum(int.Parse));
        Assert.All(response.Body.Split(','), size => Assert.InRange(int.Parse(size), 1, 3));
    }

    [Fact]
    public async Task Content_length_over_the_limit_gets_413_before_the_handler_runs_and_the_connection_closes()
    {
        int ran = 0;
        await using HttpTestServer server = await StartAsync(maxBody: 10, more: s => s.MapPost("/count", (exchange, ct) =>
        {
            Interlocked.Increment(ref ran);
            return Task.CompletedTask;
        }));
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync($"POST /count HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 11\r\n\r\n");

        Assert.Equal(413, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Equal(0, ran);
    }

    [Fact]
    public async Task Chunked_body_passing_the_limit_gets_413_and_the_connection_closes()
    {
        await using HttpTestServer server = await StartAsync(maxBody: 8);
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync($"POST /echo HTTP/1.1\r\nHost: {server.Authority}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n");

        Assert.Equal(413, response.Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Body_that_stops_arriving_gets_408_after_the_body_timeout()
    {
        await using HttpTestServer server = await StartAsync(bodyTimeout: TimeSpan.FromMilliseconds(300));
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync($"POST /echo HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 100\r\n\r\nonly part");

        Assert.Equal(408, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Body_deadline_passing_while_the_handler_waits_on_something_else_gets_408()
    {
        await using HttpTestServer server = await StartAsync(bodyTimeout: TimeSpan.FromMilliseconds(300), more: s => s.MapPost("/slow", async (exchange, ct) =>
        {
            byte[] buffer = new byte[4];
            await exchange.ReadBodyAsync(buffer, ct);
            await Task.Delay(Timeout.Infinite, ct);
        }));
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync($"POST /slow HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 100\r\n\r\npart");

        Assert.Equal(408, response.Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Client_closing_inside_a_body_fails_the_handlers_read_as_an_incomplete_body()
    {
        var failed = new TaskCompletionSource<HttpRequestRejection>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using HttpTestServer server = await StartAsync(more: s => s.MapPost("/watch", async (exchange, ct) =>
        {
            try
            {
                await exchange.ReadBodyToEndAsync(1000, ct);
            }
            catch (HttpRequestRejectedException ex)
            {
                failed.TrySetResult(ex.Rejection);
                throw;
            }
        }));
        await using RawHttpClient client = await server.ConnectAsync();

        await client.SendAsync($"POST /watch HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 100\r\n\r\npart");
        client.ShutdownSend();

        Assert.Equal(HttpRequestRejection.IncompleteBody, await failed.Task.WaitAsync(Support.Bounded.Default));
    }

    [Fact]
    public async Task Expect_100_continue_gets_100_when_the_handler_reads_then_the_final_response()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        await client.SendAsync($"POST /echo HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", await client.ReadExactAsync(25));
        await client.SendAsync("hello");

        RawResponse response = await client.ReadResponseAsync();
        Assert.Equal("hello", response.Body);
        Assert.Null(response.Header("Connection"));
    }

    [Fact]
    public async Task Expect_100_continue_to_a_handler_that_does_not_read_gets_no_100_and_the_connection_closes()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync($"POST /ignore HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");

        Assert.Equal(200, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Unknown_expectation_gets_417()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync($"POST /echo HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 5\r\nExpect: teapot\r\n\r\nhello");

        Assert.Equal(417, response.Status);
    }

    [Fact]
    public async Task Small_body_the_handler_did_not_read_is_drained_and_the_next_request_is_served()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        await client.SendAsync(
            $"POST /ignore HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 5\r\n\r\nhello" +
            $"POST /ignore HTTP/1.1\r\nHost: {server.Authority}\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
            $"GET /next HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n");

        Assert.Equal("ignored", (await client.ReadResponseAsync()).Body);
        Assert.Equal("ignored", (await client.ReadResponseAsync()).Body);
        Assert.Equal("next", (await client.ReadResponseAsync()).Body);
    }

    [Fact]
    public async Task Large_body_the_handler_did_not_read_closes_the_connection_after_the_response()
    {
        await using HttpTestServer server = await StartAsync(maxDrain: 4);
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync($"POST /ignore HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Length: 5\r\n\r\nhello");

        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Reading_the_whole_body_past_the_handlers_own_limit_answers_413()
    {
        await using HttpTestServer server = await StartAsync(more: s => s.MapPost("/small", async (exchange, ct) =>
        {
            byte[] body = await exchange.ReadBodyToEndAsync(4, ct);
            await exchange.RespondAsync(200, "application/octet-stream", body, ct);
        }));
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync($"POST /small HTTP/1.1\r\nHost: {server.Authority}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

        Assert.Equal(413, response.Status);
    }
}
