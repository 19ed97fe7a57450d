using System.Diagnostics;
using System.Text;
using Duplex.Tests.Support;

namespace Duplex.Tests.Http;

/// <summary>curl (Debian's /usr/bin/curl, installed by test.sh), a client nobody here wrote: keep-alive, chunked upload, 100-continue, HEAD, 304.</summary>
public sealed class CurlInteropTests : IDisposable
{
    private const string CurlPath = "/usr/bin/curl";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "duplex-curl-" + Guid.NewGuid().ToString("N"));

    public CurlInteropTests()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "index.html"), "<p>curl</p>");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder does no harm
        }
    }

    private sealed record CurlResult(int ExitCode, string Stdout, string Stderr);

    private static async Task<CurlResult> CurlAsync(params string[] arguments)
    {
        Assert.True(File.Exists(CurlPath), $"{CurlPath} is missing: run ./test.sh, which installs curl");
        var info = new ProcessStartInfo(CurlPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.Latin1,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in new[] { "--noproxy", "*", "--max-time", "20" }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().Within("curl to finish");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return new CurlResult(process.ExitCode, await stdout, await stderr);
    }

    private string WriteFile(string name, string content)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Curl_fetching_two_urls_in_one_run_reuses_the_connection()
    {
        var ports = new System.Collections.Concurrent.ConcurrentBag<int>();
        HttpHandler answer(string text) => (exchange, ct) =>
        {
            ports.Add(((System.Net.IPEndPoint)exchange.RemoteEndPoint!).Port);
            return exchange.RespondTextAsync(200, text, ct).AsTask();
        };
        await using HttpTestServer server = await HttpTestServer.StartAsync(s =>
        {
            s.MapGet("/a", answer("A"));
            s.MapGet("/b", answer("B"));
        });

        CurlResult result = await CurlAsync("-sS", "-v", $"{server.BaseUri}a", $"{server.BaseUri}b");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("AB", result.Stdout);
        Assert.Contains("Re-using existing connection", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, ports.Count);
        Assert.Single(ports.Distinct());
    }

    [Fact]
    public async Task Curl_chunked_upload_arrives_whole()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapPost("/echo", HttpTestServer.Echo));
        string content = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26))));
        string file = WriteFile("upload.txt", content);

        CurlResult result = await CurlAsync("-sS", "-v", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file, $"{server.BaseUri}echo");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("> Transfer-Encoding: chunked", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(content, result.Stdout);
    }

    [Fact]
    public async Task Curl_expecting_100_continue_gets_it_before_sending_the_body()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapPost("/echo", HttpTestServer.Echo));
        string file = WriteFile("expect.txt", new string('x', 5000));
        var clock = Stopwatch.StartNew();

        // With a 30 s expect timeout, curl sends the body within the run only if the 100 came.
        CurlResult result = await CurlAsync("-sS", "-v", "-H", "Expect: 100-continue", "--expect100-timeout", "30", "--data-binary", "@" + file, $"{server.BaseUri}echo");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new string('x', 5000), result.Stdout);
        int continued = result.Stderr.IndexOf("< HTTP/1.1 100 Continue", StringComparison.Ordinal);
        int final = result.Stderr.IndexOf("< HTTP/1.1 200 OK", StringComparison.Ordinal);
        Assert.True(continued >= 0 && final > continued, result.Stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"curl waited for its expect timeout ({clock.Elapsed})");
    }

    [Fact]
    public async Task Curl_HEAD_gets_the_head_of_a_GET()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapGet("/thing", HttpTestServer.Text("twelve bytes")));

        CurlResult result = await CurlAsync("-sS", "-I", $"{server.BaseUri}thing");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 12\r\n", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_with_the_files_etag_in_if_none_match_gets_304()
    {
        await using HttpTestServer server = await HttpTestServer.StartAsync(s => s.MapStaticFiles(_folder));
        CurlResult first = await CurlAsync("-sS", "-D", "-", "-o", "/dev/null", $"{server.BaseUri}index.html");
        string etag = first.Stdout.Split("\r\n").Single(l => l.StartsWith("ETag: ", StringComparison.Ordinal))["ETag: ".Length..];

        CurlResult second = await CurlAsync("-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", $"If-None-Match: {etag}", $"{server.BaseUri}index.html");

        Assert.Equal("304", second.Stdout);
    }
}
