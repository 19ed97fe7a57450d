using Duplex.Tests.Support;

namespace Duplex.Tests.Http;

/// <summary>How responses go out: fixed length, chunked, streamed with explicit flushes, held open; what a handler that writes nothing or fails gets.</summary>
public sealed class HttpResponseTests
{
    private static string Get(HttpTestServer server, string path, string version = "HTTP/1.1") =>
        $"GET {path} {version}\r\nHost: {server.Authority}\r\n\r\n";

    [Fact]
    public async Task Handler_that_writes_nothing_answers_an_empty_200()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", (exchange, ct) => Task.CompletedTask));
        await using RawHttpClient client = await server.ConnectAsync();

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", (await client.RequestAsync(Get(server, "/"))).WithoutDate);
    }

    [Fact]
    public async Task Handler_setting_only_a_status_answers_it_with_an_empty_body()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", (exchange, ct) =>
        {
            exchange.StatusCode = 202;
            exchange.ResponseHeaders.Add("X-Why", "queued");
            return Task.CompletedTask;
        }));
        await using RawHttpClient client = await server.ConnectAsync();

        Assert.Equal("HTTP/1.1 202 Accepted\r\nX-Why: queued\r\nContent-Length: 0\r\n\r\n", (await client.RequestAsync(Get(server, "/"))).WithoutDate);
    }

    [Fact]
    public async Task Pieces_written_within_the_response_buffer_go_out_with_a_content_length()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", async (exchange, ct) =>
        {
            await exchange.WriteAsync("abc"u8.ToArray(), ct);
            await exchange.WriteAsync("def"u8.ToArray(), ct);
        }));
        await using RawHttpClient client = await server.ConnectAsync();

        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabcdef", (await client.RequestAsync(Get(server, "/"))).WithoutDate);
    }

    [Fact]
    public async Task Pieces_passing_the_response_buffer_go_out_chunked()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(
            s => s.MapGet("/", async (exchange, ct) =>
            {
                await exchange.WriteAsync("abcd"u8.ToArray(), ct);
                await exchange.WriteAsync("efgh"u8.ToArray(), ct);
            }),
            responseBuffer: 6);
        await using RawHttpClient client = await server.ConnectAsync();

        Assert.Equal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n", (await client.RequestAsync(Get(server, "/"))).WithoutDate);
    }

    [Fact]
    public async Task Large_body_of_known_length_goes_out_whole_from_the_callers_memory()
    {
        byte[] body = Enumerable.Range(0, 200_000).Select(i => (byte)('a' + (i % 26))).ToArray();
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", (exchange, ct) => exchange.RespondAsync(200, "text/plain", body, ct).AsTask()));
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync(Get(server, "/"));

        Assert.Equal("200000", response.Header("Content-Length"));
        Assert.Equal(System.Text.Encoding.Latin1.GetString(body), response.Body);
    }

    [Fact]
    public async Task Flushed_piece_reaches_the_client_while_the_handler_is_still_running()
    {
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/events", async (exchange, ct) =>
        {
            exchange.ResponseHeaders.Add("Content-Type", "text/event-stream");
            await exchange.WriteAsync("data: one\n\n"u8.ToArray(), ct);
            await exchange.FlushAsync(ct);
            await second.Task.WaitAsync(ct);
            await exchange.WriteAsync("data: two\n\n"u8.ToArray(), ct);
        }));
        await using RawHttpClient client = await server.ConnectAsync();

        await client.SendAsync(Get(server, "/events"));
        string first = await client.ReadExactAsync("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n".Length);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n", first);
        string date = await client.ReadExactAsync("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n".Length);
        Assert.StartsWith("Date: ", date, StringComparison.Ordinal);
        Assert.Equal("B\r\ndata: one\n\n\r\n", await client.ReadExactAsync(16));
        second.SetResult();
        Assert.Equal("B\r\ndata: two\n\n\r\n0\r\n\r\n", await client.ReadExactAsync(21));
    }

    [Fact]
    public async Task Streamed_response_to_an_HTTP_1_0_client_ends_with_the_connection()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", async (exchange, ct) =>
        {
            await exchange.WriteAsync("abc"u8.ToArray(), ct);
            await exchange.FlushAsync(ct);
            await exchange.WriteAsync("def"u8.ToArray(), ct);
        }));
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync(Get(server, "/", "HTTP/1.0"));

        Assert.Equal("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabcdef", response.WithoutDate);
    }

    [Fact]
    public async Task Handler_failing_before_its_response_answers_500_and_closes()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", (exchange, ct) =>
        {
            exchange.ResponseHeaders.Add("X-Lost", "yes");
            throw new InvalidOperationException("boom");
        }));
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync(Get(server, "/"));

        Assert.Equal(500, response.Status);
        Assert.Null(response.Header("X-Lost"));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Handler_failing_after_its_response_started_has_the_response_cut_short()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", async (exchange, ct) =>
        {
            await exchange.WriteAsync("partial"u8.ToArray(), ct);
            await exchange.FlushAsync(ct);
            throw new InvalidOperationException("boom");
        }));
        await using RawHttpClient client = await server.ConnectAsync();
        await client.SendAsync(Get(server, "/"));

        string all = await client.ReadToEndAsync();

        Assert.Contains("7\r\npartial\r\n", all, StringComparison.Ordinal);
        Assert.DoesNotContain("0\r\n\r\n", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writing_past_the_declared_length_fails_the_write()
    {
        var failure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", async (exchange, ct) =>
        {
            exchange.ResponseContentLength = 2;
            try
            {
                await exchange.WriteAsync("abc"u8.ToArray(), ct);
            }
            catch (InvalidOperationException ex)
            {
                failure.TrySetResult(ex);
                throw;
            }
        }));
        await using RawHttpClient client = await server.ConnectAsync();
        await client.SendAsync(Get(server, "/"));

        Assert.IsType<InvalidOperationException>(await failure.Task.WaitAsync(Bounded.Default));
    }

    [Fact]
    public async Task Status_and_headers_cannot_change_once_the_response_started()
    {
        var refused = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", async (exchange, ct) =>
        {
            await exchange.FlushAsync(ct);
            refused.TrySetResult(exchange.HasStarted && Throws(() => exchange.StatusCode = 404) && Throws(() => exchange.ResponseContentLength = 1));
        }));
        await using RawHttpClient client = await server.ConnectAsync();

        Assert.Equal(200, (await client.RequestAsync(Get(server, "/"))).Status);
        Assert.True(await refused.Task.WaitAsync(Bounded.Default));

        static bool Throws(Action action)
        {
            try
            {
                action();
                return false;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }
}
