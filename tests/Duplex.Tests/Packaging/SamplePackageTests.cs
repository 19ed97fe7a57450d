using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Duplex.Realtime;
using Duplex.Tests.Interop;
using Duplex.Tests.Support;
using Xunit.Abstractions;

namespace Duplex.Tests.Packaging;

/// <summary>
/// samples/ChatOnAspNetCore as a user builds it: copied out of the repository, restored from the
/// feed (with the normal NuGet sources beside it), built and run on Kestrel; its Duplex endpoints
/// answer only the users its own sign-in lets in.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed partial class SamplePackageTests(PackedFeed feed, ITestOutputHelper log)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex AspNetCoreListening();

    [Fact]
    public async Task The_sample_builds_from_the_feed_and_its_duplex_endpoints_serve_only_signed_in_users()
    {
        string sample = CopySample(Path.Combine(feed.Root, "ChatOnAspNetCore"));
        var clock = Stopwatch.StartNew();
        await ChildProcess.RunAsync(
            ChildProcess.Dotnet,
            ["build", "-c", "Release", $"-p:DuplexVersion={feed.Version}", $"-p:RestoreAdditionalProjectSources={feed.Feed}", "--disable-build-servers"],
            sample,
            BuildTimeout,
            feed.NuGetEnvironment);
        log.WriteLine($"sample restore + build: {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(Directory.Exists(Path.Combine(feed.PackageCache, "duplex.aspnetcore", feed.Version)), "Duplex.AspNetCore was not restored from the feed");

        await using ChildProcess app = ChildProcess.Start(
            ChildProcess.Dotnet,
            [Path.Combine(sample, "bin", "Release", "net10.0", "ChatOnAspNetCore.dll")],
            sample,
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" });
        var site = new Uri((await app.WaitForLineAsync(AspNetCoreListening(), StartTimeout)).Groups[1].Value);
        var echo = new UriBuilder(site) { Scheme = "ws", Path = "/echo" }.Uri;
        CancellationToken ct = Bounded.Token();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Bounded.Default };

        // Not signed in: 401 from the session endpoint and the WebSocket endpoint.
        using (HttpResponseMessage negotiate = await http.PostAsync(new Uri(site, "/realtime/negotiate?v=1"), null, ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        }

        var refused = await Assert.ThrowsAsync<WebSocketHandshakeException>(() => WebSocketClient.ConnectAsync(echo, ct));
        Assert.Equal(401, refused.StatusCode);

        // The app's own sign-in sets its cookie.
        using HttpResponseMessage login = await http.PostAsync(new Uri(site, "/login"), new FormUrlEncodedContent([new("name", "alice")]), ct);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        string cookie = login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        // With it, a session: what alice sends comes back from the room under the name she signed in with.
        await using var client = new RealtimeClient(new Uri(site, "/realtime"), new RealtimeClientOptions { Headers = [new("Cookie", cookie)] });
        await client.ConnectAsync(ct);
        RealtimeSubscription room = await client.SubscribeAsync("chat/lobby", cancellationToken: ct);
        await client.SendTextAsync("hello from the test", ct);
        ChannelEvent publication = await FirstPublicationAsync(room, ct);
        using (JsonDocument line = JsonDocument.Parse(publication.Data))
        {
            Assert.Equal("alice", line.RootElement.GetProperty("from").GetString());
            Assert.Equal("hello from the test", line.RootElement.GetProperty("text").GetString());
        }

        await client.CloseAsync(ct);

        // And the plain WebSocket echo.
        await using WebSocketConnection ws = await WebSocketClient.ConnectAsync(echo, new WebSocketClientOptions { Headers = { new("Cookie", cookie) } }, ct);
        await ws.SendTextAsync("ping", ct);
        Assert.Equal("ping", (await ws.ReceiveAsync(ct)).Text);
        await ws.CloseAsync(CloseStatus.NormalClosure, "done", ct);
    }

    private static async Task<ChannelEvent> FirstPublicationAsync(RealtimeSubscription room, CancellationToken ct)
    {
        await foreach (ChannelEvent e in room.ReadEventsAsync(ct))
        {
            if (e.Kind == ChannelEventKind.Publication)
            {
                return e;
            }
        }

        throw new InvalidOperationException("the subscription ended before a publication");
    }

    /// <summary>Copies the sample, without any bin/ or obj/ of an earlier build, to <paramref name="target"/>.</summary>
    private static string CopySample(string target)
    {
        string source = Path.Combine(PeerProcess.RepoRoot, "samples", "ChatOnAspNetCore");
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            string top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (top is "bin" or "obj")
            {
                continue;
            }

            string copy = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }
}
