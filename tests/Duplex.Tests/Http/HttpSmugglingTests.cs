namespace Duplex.Tests.Http;

/// <summary>
/// The request-smuggling shapes (CL.TE, TE.CL, TE.TE and the framing tricks behind them): each
/// is refused with 400 and the connection closed, and the request hidden after it on the same
/// connection is never served.
/// </summary>
public sealed class HttpSmugglingTests
{
    private const string Smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

    public static TheoryData<string, string> Attacks() => new()
    {
        { "CL.TE", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG" },
        { "TE.CL", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n" },
        { "TE.TE chunked, identity", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" },
        { "TE.TE xchunked", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" },
        { "TE.TE leading space in the name", "POST /echo HTTP/1.1\r\nHost: x\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" },
        { "TE.TE space before the colon", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n" },
        { "TE.TE tab before the colon", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n" },
        { "TE.TE duplicated", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" },
        { "TE.TE duplicated with another coding", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n" },
        { "TE.TE quoted", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n" },
        { "TE.TE vertical tab", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\vchunked\r\n\r\n0\r\n\r\n" },
        { "TE in HTTP/1.0", "POST /echo HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" },
        { "CL with a plus sign", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc" },
        { "CL negative", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n" },
        { "CL with an inner space", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\nabc" },
        { "CL in hex", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0x3\r\n\r\nabc" },
        { "CL overflowing", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551619\r\n\r\nabc" },
        { "CL differing lines", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd" },
        { "CL differing list", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd" },
        { "chunk size with junk", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3x\r\nabc\r\n0\r\n\r\n" },
        { "chunk size with a space", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n" },
        { "chunk size overflowing", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF3\r\nabc\r\n0\r\n\r\n" },
        { "chunk data without CRLF", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n" },
        { "bare LF in a chunk line", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n" },
        { "bare LF ending a header line", "POST /echo HTTP/1.1\r\nHost: x\nContent-Length: 3\r\n\r\nabc" },
        { "bare LF ending the head", "GET /echo HTTP/1.1\r\nHost: x\r\n\n" },
        { "bare CR in a header value", "GET /echo HTTP/1.1\r\nHost: x\r\nX-A: a\rContent-Length: 3\r\n\r\nabc" },
        { "bare CR in the request-line", "GET /echo\rX HTTP/1.1\r\nHost: x\r\n\r\n" },
        { "obs-fold", "GET /echo HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tContent-Length: 3\r\n\r\nabc" },
        { "missing Host", "GET /echo HTTP/1.1\r\n\r\n" },
        { "two Hosts", "GET /echo HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n" },
        { "invalid Host", "GET /echo HTTP/1.1\r\nHost: x/y\r\n\r\n" },
        { "space before the version", "GET /echo  HTTP/1.1\r\nHost: x\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Smuggling_shape_is_refused_with_400_and_closed_and_nothing_after_it_is_served(string name, string attack)
    {
        int smuggled = 0;
        await using HttpTestServer server = await HttpTestServer.StartAsync(s =>
        {
            s.MapPost("/echo", HttpTestServer.Echo);
            s.MapGet("/echo", HttpTestServer.Text("echo"));
            s.MapGet("/smuggled", (exchange, ct) =>
            {
                Interlocked.Increment(ref smuggled);
                return Task.CompletedTask;
            });
        });
        await using RawHttpClient client = await server.ConnectAsync();

        await client.SendAsync(attack + Smuggled);
        RawResponse response = await client.ReadResponseAsync();

        Assert.True(response.Status == 400, $"{name}: expected 400, got {response.Status}");
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync(), $"{name}: the connection should close after the refusal");
        Assert.Equal(0, Volatile.Read(ref smuggled));
    }

    [Fact]
    public async Task Transfer_coding_the_server_does_not_implement_gets_501_and_closes()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapPost("/echo", HttpTestServer.Echo));
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse response = await client.RequestAsync($"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n{Smuggled}");

        Assert.Equal(501, response.Status);
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task HTTP_1_0_request_without_host_is_served()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", HttpTestServer.Text("ok")));
        await using RawHttpClient client = await server.ConnectAsync();

        Assert.Equal("ok", (await client.RequestAsync("GET / HTTP/1.0\r\n\r\n")).Body);
    }

    [Fact]
    public async Task Refusal_on_one_connection_leaves_the_others_serving()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/", HttpTestServer.Text("ok")));
        await using RawHttpClient good = await server.ConnectAsync();
        await using RawHttpClient bad = await server.ConnectAsync();
        Assert.Equal("ok", (await good.RequestAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).Body);

        Assert.Equal(400, (await bad.RequestAsync("GET / HTTP/1.1\r\n\r\n")).Status);

        Assert.Equal("ok", (await good.RequestAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).Body);
    }
}
