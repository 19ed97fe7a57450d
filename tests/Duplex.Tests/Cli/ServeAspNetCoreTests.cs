using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Duplex.Tests.Cli;

/// <summary>
/// <c>duplex serve --aspnetcore</c> on plain http: the same page and endpoints as the built-in
/// server, through Kestrel, over HTTP/1.1 and over HTTP/2 by prior knowledge on the same port.
/// </summary>
public sealed class ServeAspNetCoreTests
{
    [Fact]
    public async Task Over_http1_serves_the_page_echoes_on_echo_negotiates_and_runs_a_session_over_sse_then_closes_clients_with_1001()
    {
        await using CliHarness serve = CliHarness.Start(["serve", "--aspnetcore", "--host", "127.0.0.1", "--port", "0"]);
        int port = await serve.ListeningPortAsync();
        CancellationToken ct = TestServers.Bounded();

        using (var http = new HttpClient { Timeout = CliHarness.Timeout })
        {
            using HttpResponseMessage page = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"), ct);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal(new Version(1, 1), page.Version);
            Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
            Assert.NotNull(page.Headers.ETag);
            Assert.NotNull(page.Content.Headers.LastModified);
            Assert.Contains("'/echo'", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

            // The validator works as on the built-in server.
            using var again = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/"));
            again.Headers.IfNoneMatch.Add(page.Headers.ETag!);
            using HttpResponseMessage notModified = await http.SendAsync(again, ct);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

            using HttpResponseMessage negotiate = await http.PostAsync(new Uri($"http://127.0.0.1:{port}/realtime/negotiate?v=1"), null, ct);
            Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
            using JsonDocument answer = JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync(ct));
            Assert.Equal(["websocket", "sse", "long-polling", "polling"], answer.RootElement.GetProperty("transports").EnumerateArray().Select(t => t.GetString()));
        }

        var session = await SessionRun.RunAsync(["session", $"http://127.0.0.1:{port}/realtime", "--transport", "sse"], ["through Kestrel ✓"]);
        Assert.True(session.Exit == 0, $"exit {session.Exit}; stderr: {session.Error}");
        Assert.Equal(["through Kestrel ✓"], session.OutLines);

        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"), ct);
        await ws.SendTextAsync("ping ✓", ct);
        Assert.Equal("ping ✓", (await ws.ReceiveAsync(ct)).Text);

        Task<int> stopped = serve.StopAsync();
        Assert.True((await ws.ReceiveAsync(ct)).IsClose);
        Assert.Equal(CloseStatus.GoingAway, ws.CloseStatus);
        Assert.Equal(0, await stopped);
    }

    [Fact]
    public async Task Over_h2c_by_prior_knowledge_serves_the_page_and_dotnets_ClientWebSocket_echoes_over_http2_with_permessage_deflate()
    {
        await using CliHarness serve = CliHarness.Start(["serve", "--aspnetcore", "--port", "0", "--log-requests"]);
        int port = await serve.ListeningPortAsync();
        CancellationToken ct = TestServers.Bounded();

        using var handler = new SocketsHttpHandler();
        using (var http = new HttpClient(handler, disposeHandler: false) { Timeout = CliHarness.Timeout })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/"))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            using HttpResponseMessage page = await http.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal(HttpVersion.Version20, page.Version);
            Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
            Assert.Contains("'/echo'", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        foreach (bool deflate in new[] { false, true })
        {
            using var ws = new ClientWebSocket();
            ws.Options.HttpVersion = HttpVersion.Version20;
            ws.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
            ws.Options.CollectHttpResponseDetails = true;
            if (deflate)
            {
                ws.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
            }

            await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/echo"), invoker, ct);

            // RFC 8441 §5: the extended CONNECT is answered 200, not 101.
            Assert.Equal(HttpStatusCode.OK, ws.HttpStatusCode);
            string? extensions = ws.HttpResponseHeaders?.GetValueOrDefault("sec-websocket-extensions")?.Single();
            if (deflate)
            {
                Assert.StartsWith("permessage-deflate", extensions, StringComparison.Ordinal);
            }
            else
            {
                Assert.Null(extensions);
            }

            string text = new('h', 2000);
            await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, ct);
            var buffer = new byte[4096];
            WebSocketReceiveResult received = await ws.ReceiveAsync(buffer, ct);
            Assert.Equal(WebSocketMessageType.Text, received.MessageType);
            Assert.True(received.EndOfMessage);
            Assert.Equal(text, Encoding.UTF8.GetString(buffer, 0, received.Count));
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", ct);
        }

        // What the server saw: every request on HTTP/2, the WebSocket as an extended CONNECT.
        string[] requests = serve.Out.Split(Environment.NewLine).Where(line => line.StartsWith("HTTP/", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["HTTP/2 GET /", "HTTP/2 CONNECT /echo", "HTTP/2 CONNECT /echo"], requests);
    }

    [Fact]
    public async Task The_port_tells_http2_from_http1_by_the_whole_preface_a_preface_in_pieces_is_http2_and_a_request_that_starts_like_it_is_http1()
    {
        await using CliHarness serve = CliHarness.Start(["serve", "--aspnetcore", "--port", "0", "--log-requests"]);
        int port = await serve.ListeningPortAsync();
        CancellationToken ct = TestServers.Bounded();

        using (var client = new TcpClient { NoDelay = true })
        {
            await client.ConnectAsync(IPAddress.Loopback, port, ct);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("PRI * HTTP/2.0\r\n"u8.ToArray(), ct);
            await stream.FlushAsync(ct);
            // The rest of the preface (RFC 9113 §3.4), then an empty SETTINGS frame.
            await stream.WriteAsync("\r\nSM\r\n\r\n"u8.ToArray().Concat(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }).ToArray(), ct);
            var header = new byte[9];
            await stream.ReadExactlyAsync(header, ct);
            Assert.Equal(4, header[3]); // the server's first frame is its SETTINGS: it speaks HTTP/2
        }

        using (var client = new TcpClient { NoDelay = true })
        {
            // "P", as the preface begins, then not it.
            await client.ConnectAsync(IPAddress.Loopback, port, ct);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), ct);
            string answer = await new StreamReader(stream).ReadToEndAsync(ct);
            Assert.StartsWith("HTTP/1.1 405 ", answer, StringComparison.Ordinal);
        }

        Assert.Contains("HTTP/1.1 PUT /", serve.Out.Split(Environment.NewLine));
    }

    [Fact]
    public async Task Log_requests_without_aspnetcore_is_bad_usage()
    {
        var (exit, _, stderr) = await CliHarness.RunAsync(["serve", "--port", "0", "--log-requests"]);

        Assert.Equal(2, exit);
        Assert.Contains("--log-requests needs --aspnetcore", stderr, StringComparison.Ordinal);
    }
}
