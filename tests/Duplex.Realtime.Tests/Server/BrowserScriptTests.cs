using System.Net;
using System.Net.Http.Headers;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Server;

/// <summary>The browser client served at {base}/duplex.js (docs/PROTOCOL.md §1): a script, revalidated on every load.</summary>
public sealed class BrowserScriptTests
{
    [Fact]
    public async Task Duplex_js_is_served_as_javascript_with_an_etag_and_no_cache_then_304_while_current()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();

        using HttpResponseMessage first = await server.Http.GetAsync("duplex.js").WaitAsync(Bounded.Default);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/javascript", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", first.Content.Headers.ContentType?.CharSet);
        Assert.True(first.Headers.CacheControl?.NoCache, "Cache-Control: no-cache");
        EntityTagHeaderValue etag = first.Headers.ETag ?? throw new InvalidOperationException("no ETag");
        string script = await first.Content.ReadAsStringAsync();
        Assert.Contains("globalThis", script, StringComparison.Ordinal);
        Assert.Contains("class RealtimeClient extends EventTarget", script, StringComparison.Ordinal);

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "duplex.js");
        revalidate.Headers.IfNoneMatch.Add(etag);
        using HttpResponseMessage second = await server.Http.SendAsync(revalidate).WaitAsync(Bounded.Default);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(etag, second.Headers.ETag);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, "duplex.js");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"an-older-script\""));
        using HttpResponseMessage third = await server.Http.SendAsync(stale).WaitAsync(Bounded.Default);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(script, await third.Content.ReadAsStringAsync());
    }
}
