using System.Text;

namespace Duplex.Tests.Http;

/// <summary>Static files: streamed, with validators and 304, correct types, HEAD, and every path that would leave the folder refused.</summary>
public sealed class StaticFileTests : IDisposable
{
    private const string Page = "<!doctype html><title>t</title>";
    private readonly string _parent = Path.Combine(Path.GetTempPath(), "duplex-static-" + Guid.NewGuid().ToString("N"));
    private readonly string _root;

    public StaticFileTests()
    {
        _root = Path.Combine(_parent, "site");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        File.WriteAllText(Path.Combine(_root, "index.html"), Page);
        File.WriteAllText(Path.Combine(_root, "app.js"), "let x = 1;");
        File.WriteAllText(Path.Combine(_root, "style.css"), "p{}");
        File.WriteAllText(Path.Combine(_root, "data.json"), "{}");
        File.WriteAllText(Path.Combine(_root, "blob.bin1"), "??");
        File.WriteAllText(Path.Combine(_root, "caf\u00e9.txt"), "coffee");
        File.WriteAllText(Path.Combine(_root, "sub", "index.html"), "sub");
        File.WriteAllBytes(Path.Combine(_root, "large.bin"), LargeContent);
        File.WriteAllText(Path.Combine(_parent, "secret.txt"), "secret");
    }

    private static byte[] LargeContent { get; } = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_parent, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder does no harm
        }
    }

    private Task<HttpTestServer> StartAsync() => HttpTestServer.StartAsync(s => s.MapStaticFiles(_root, "/"));

    private static async Task<RawResponse> GetAsync(HttpTestServer server, string target, string extra = "", string method = "GET")
    {
        await using RawHttpClient client = await server.ConnectAsync();
        return await client.RequestAsync($"{method} {target} HTTP/1.1\r\nHost: x\r\n{extra}\r\n", head: method == "HEAD");
    }

    [Fact]
    public async Task File_is_served_with_its_type_length_and_validators()
    {
        await using HttpTestServer server = await StartAsync();
        var info = new FileInfo(Path.Combine(_root, "index.html"));

        RawResponse response = await GetAsync(server, "/");

        Assert.Equal(200, response.Status);
        Assert.Equal(Page, response.Body);
        Assert.Equal("text/html; charset=utf-8", response.Header("Content-Type"));
        Assert.Equal(Page.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Equal(info.LastWriteTimeUtc.ToString("R", System.Globalization.CultureInfo.InvariantCulture), response.Header("Last-Modified"));
        Assert.Matches("^\"[0-9a-f]+-[0-9a-f]+\"$", response.Header("ETag")!);
    }

    [Theory]
    [InlineData("/app.js", "text/javascript; charset=utf-8")]
    [InlineData("/style.css", "text/css; charset=utf-8")]
    [InlineData("/data.json", "application/json")]
    [InlineData("/blob.bin1", "application/octet-stream")]
    [InlineData("/caf%C3%A9.txt", "text/plain; charset=utf-8")]
    [InlineData("/sub/", "text/html; charset=utf-8")]
    public async Task Content_type_follows_the_extension(string target, string type)
    {
        await using HttpTestServer server = await StartAsync();
        Assert.Equal(type, (await GetAsync(server, target)).Header("Content-Type"));
    }

    [Fact]
    public async Task Matching_if_none_match_gets_304_with_the_etag_and_no_body()
    {
        await using HttpTestServer server = await StartAsync();
        string etag = (await GetAsync(server, "/app.js")).Header("ETag")!;

        RawResponse response = await GetAsync(server, "/app.js", $"If-None-Match: \"other\", W/{etag}\r\n");

        Assert.Equal($"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n", response.WithoutDate);
    }

    [Fact]
    public async Task If_none_match_that_does_not_match_gets_the_file_even_with_a_later_if_modified_since()
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await GetAsync(server, "/app.js", "If-None-Match: \"stale\"\r\nIf-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n");

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task If_modified_since_at_or_after_the_modification_gets_304_and_before_it_gets_the_file()
    {
        await using HttpTestServer server = await StartAsync();
        string lastModified = (await GetAsync(server, "/app.js")).Header("Last-Modified")!;

        Assert.Equal(304, (await GetAsync(server, "/app.js", $"If-Modified-Since: {lastModified}\r\n")).Status);
        Assert.Equal(200, (await GetAsync(server, "/app.js", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n")).Status);
        Assert.Equal(200, (await GetAsync(server, "/app.js", "If-Modified-Since: yesterday\r\n")).Status);
    }

    [Fact]
    public async Task HEAD_gets_the_length_and_validators_without_the_body()
    {
        await using HttpTestServer server = await StartAsync();
        await using RawHttpClient client = await server.ConnectAsync();

        RawResponse head = await client.RequestAsync("HEAD /large.bin HTTP/1.1\r\nHost: x\r\n\r\n", head: true);
        RawResponse next = await client.RequestAsync("GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal("300000", head.Header("Content-Length"));
        Assert.NotNull(head.Header("ETag"));
        Assert.Equal("let x = 1;", next.Body);
    }

    [Fact]
    public async Task Large_file_is_streamed_whole()
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await GetAsync(server, "/large.bin");

        Assert.Equal("300000", response.Header("Content-Length"));
        Assert.Equal(Encoding.Latin1.GetString(LargeContent), response.Body);
    }

    [Fact]
    public async Task Changed_file_is_served_new_with_a_new_etag()
    {
        await using HttpTestServer server = await StartAsync();
        string path = Path.Combine(_root, "app.js");
        string before = (await GetAsync(server, "/app.js")).Header("ETag")!;

        File.WriteAllText(path, "let x = 22;");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));

        // What is known of a file is checked against the disk at most once a second.
        using var deadline = new CancellationTokenSource(Support.Bounded.Default);
        RawResponse response;
        while ((response = await GetAsync(server, "/app.js")).Body != "let x = 22;")
        {
            await Task.Delay(50, deadline.Token);
        }

        Assert.NotEqual(before, response.Header("ETag"));
    }

    [Theory]
    [InlineData("/../secret.txt")]
    [InlineData("/%2e%2e/secret.txt")]
    [InlineData("/%2E%2E/secret.txt")]
    [InlineData("/sub/%2e%2e/%2e%2e/secret.txt")]
    [InlineData("/..%2fsecret.txt")]
    [InlineData("/..%5csecret.txt")]
    [InlineData("/sub\\..\\..\\secret.txt")]
    [InlineData("/index.html%00.js")]
    [InlineData("//etc/passwd")]
    [InlineData("/%2fetc/passwd")]
    [InlineData("/./index.html")]
    [InlineData("/sub//index.html")]
    public async Task Path_that_could_leave_the_folder_is_refused_with_400(string target)
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await GetAsync(server, target);

        Assert.Equal(400, response.Status);
        Assert.DoesNotContain("secret", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_gets_404()
    {
        await using HttpTestServer server = await StartAsync();
        Assert.Equal(404, (await GetAsync(server, "/nope.html")).Status);
    }

    [Fact]
    public async Task Other_methods_on_a_file_get_405_with_allow()
    {
        await using HttpTestServer server = await StartAsync();

        RawResponse response = await GetAsync(server, "/app.js", method: "POST");

        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD, OPTIONS", response.Header("Allow"));
    }
}
