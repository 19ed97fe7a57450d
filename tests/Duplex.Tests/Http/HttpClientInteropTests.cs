using System.Net;
using System.Text;
using Duplex.Tests.Support;

namespace Duplex.Tests.Http;

/// <summary>.NET's HttpClient (SocketsHttpHandler), a client nobody here wrote, against the built-in server.</summary>
public sealed class HttpClientInteropTests
{
    private static HttpClient NewClient() => new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = Bounded.Default };

    [Fact]
    public async Task HttpClient_reuses_one_connection_for_requests_in_turn()
    {
        var ports = new List<int>();
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/who", (exchange, ct) =>
        {
            lock (ports)
            {
                ports.Add(((IPEndPoint)exchange.RemoteEndPoint!).Port);
            }

            return exchange.RespondTextAsync(200, "you", ct).AsTask();
        }));
        using HttpClient client = NewClient();

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("you", await client.GetStringAsync(new Uri(server.BaseUri, "who")));
        }

        Assert.Single(ports.Distinct());
        Assert.Equal(1, server.Server.HttpConnectionCount);
    }

    [Fact]
    public async Task HttpClient_POST_with_content_length_is_read_whole()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapPost("/echo", HttpTestServer.Echo));
        using HttpClient client = NewClient();
        byte[] body = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();

        using HttpResponseMessage response = await client.PostAsync(new Uri(server.BaseUri, "echo"), new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task HttpClient_POST_with_a_chunked_body_is_read_whole()
    {
        string? framing = null;
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapPost("/echo", async (exchange, ct) =>
        {
            framing = $"{exchange.Headers["Transfer-Encoding"]} {exchange.RequestContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}";
            byte[] received = await exchange.ReadBodyToEndAsync(1 << 20, ct);
            await exchange.RespondAsync(200, "application/octet-stream", received, ct);
        }));
        using HttpClient client = NewClient();
        byte[] body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("chunked body ✓ ", 5000)));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUri, "echo")) { Content = new ByteArrayContent(body) };
        request.Headers.TransferEncodingChunked = true;

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("chunked none", framing);
    }

    [Fact]
    public async Task HttpClient_reads_a_streamed_response_as_it_is_flushed()
    {
        var firstRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/stream", async (exchange, ct) =>
        {
            await exchange.WriteAsync("first;"u8.ToArray(), ct);
            await exchange.FlushAsync(ct);
            await firstRead.Task.WaitAsync(ct);
            await exchange.WriteAsync("second"u8.ToArray(), ct);
        }));
        using HttpClient client = NewClient();

        using HttpResponseMessage response = await client.GetAsync(new Uri(server.BaseUri, "stream"), HttpCompletionOption.ResponseHeadersRead);
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        byte[] buffer = new byte[64];
        var text = new StringBuilder();
        while (!text.ToString().EndsWith(';'))
        {
            int read = await stream.ReadAsync(buffer).AsTask().Within("the first flushed piece");
            Assert.NotEqual(0, read);
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        firstRead.SetResult();
        using var reader = new StreamReader(stream);
        text.Append(await reader.ReadToEndAsync());

        Assert.Equal("first;second", text.ToString());
        Assert.True(response.Headers.TransferEncodingChunked);
    }

    [Fact]
    public async Task HttpClient_cancelling_a_held_request_fires_the_token_on_the_server()
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/poll", async (exchange, ct) =>
        {
            using CancellationTokenRegistration registration = ct.Register(() => aborted.TrySetResult());
            holding.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }));
        using HttpClient client = NewClient();
        using var cts = new CancellationTokenSource();

        Task<HttpResponseMessage> poll = client.GetAsync(new Uri(server.BaseUri, "poll"), cts.Token);
        await holding.Task.Within("the server to hold the request");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll);
        await aborted.Task.Within("the server's token to fire when the client gave up");
    }

    [Fact]
    public async Task HttpClient_sees_405_with_allow_and_options()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/thing", HttpTestServer.Text("x")));
        using HttpClient client = NewClient();

        using HttpResponseMessage put = await client.PutAsync(new Uri(server.BaseUri, "thing"), new StringContent("x"));
        using HttpResponseMessage options = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, new Uri(server.BaseUri, "thing")));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
        Assert.Equal(["GET", "HEAD", "OPTIONS"], put.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.NoContent, options.StatusCode);
    }
}
