using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Duplex.AspNetCore;
using Duplex.Realtime;
using Duplex.Realtime.Channels;
using Duplex.Tests.Support;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Duplex.Tests.Hosting;

/// <summary>
/// The app's own authentication and authorization decide who connects and subscribes: Duplex's
/// endpoints take <c>RequireAuthorization</c>, and <c>HttpContext.User</c> reaches the WebSocket
/// handler, the session, its accept hook and the channel hook.
/// </summary>
public class HostedAuthTests
{
    private sealed class App(HostedEchoServer server, ConcurrentQueue<string> seen) : IAsyncDisposable
    {
        public HostedEchoServer Server { get; } = server;

        public ConcurrentQueue<string> Seen { get; } = seen;

        public Uri Realtime => Server.HttpUri("/realtime");

        public HttpClient Http(string? user)
        {
            var http = new HttpClient { BaseAddress = Server.HttpUri("/realtime/"), Timeout = Bounded.Default };
            if (user is not null)
            {
                http.DefaultRequestHeaders.Add("X-User", user);
            }

            return http;
        }

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    private static async Task<App> StartAsync()
    {
        var seen = new ConcurrentQueue<string>();
        var options = new RealtimeOptions
        {
            Accept = context =>
            {
                seen.Enqueue($"accept {context.Kind} {context.User?.Identity?.Name}");
                return ValueTask.FromResult(true);
            },
            Channels = new RealtimeChannelOptions
            {
                // Everyone reads their own channel only.
                Authorize = access => ValueTask.FromResult(access.Channel == "user/" + access.Session.User?.Identity?.Name),
            },
        };
        HostedEchoServer server = await HostedEchoServer.StartAsync(
            services: services =>
            {
                services.AddAuthentication(HeaderAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
                services.AddAuthorizationBuilder().AddPolicy("admins", policy => policy.RequireRole("admin"));
            },
            pipeline: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
            },
            map: app =>
            {
                app.MapRealtime("/realtime", async (session, ct) =>
                {
                    seen.Enqueue($"session {session.User?.Identity?.Name}");
                    await foreach (RealtimeMessage message in session.ReadMessagesAsync(ct))
                    {
                        await session.SendTextAsync($"{session.User?.Identity?.Name}: {message.Text}", ct);
                    }
                }, options).RequireAuthorization();
                app.MapWebSocket("/private", async (connection, ct) =>
                {
                    await connection.SendTextAsync(connection.User?.Identity?.Name ?? "nobody", ct);
                    await foreach (WebSocketMessage _ in connection.ReadMessagesAsync(ct))
                    {
                    }
                }).RequireAuthorization();
                app.MapWebSocket("/admin", EchoServer.EchoAsync).RequireAuthorization("admins");
            });
        return new App(server, seen);
    }

    [Fact]
    public async Task An_unauthenticated_negotiate_is_refused_by_the_apps_policy_and_the_script_stays_public()
    {
        await using App app = await StartAsync();
        using HttpClient anonymous = app.Http(null);

        using HttpResponseMessage refused = await anonymous.PostAsync("negotiate?v=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using HttpResponseMessage poll = await anonymous.GetAsync("poll?v=1&session=AAAAAAAAAAAAAAAAAAAAAA&ack=0");
        Assert.Equal(HttpStatusCode.Unauthorized, poll.StatusCode);
        using HttpResponseMessage script = await anonymous.GetAsync("duplex.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.DoesNotContain(app.Seen, line => line.StartsWith("session", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(RealtimeTransport.WebSocket)]
    [InlineData(RealtimeTransport.ServerSentEvents)]
    [InlineData(RealtimeTransport.LongPolling)]
    public async Task The_user_reaches_the_session_its_hooks_and_the_channel_hook(RealtimeTransport transport)
    {
        await using App app = await StartAsync();
        await using var client = new RealtimeClient(app.Realtime, new RealtimeClientOptions
        {
            Transports = [transport],
            Headers = [new("X-User", "alice")],
            OpenTimeout = TimeSpan.FromSeconds(5),
        });
        await client.ConnectAsync().Within("connect");

        await client.SendTextAsync("hi").Within("send");
        Assert.Equal("alice: hi", (await client.ReceiveAsync().Within("the answer")).Text);
        Assert.Contains("session alice", app.Seen);
        Assert.Contains("accept Negotiate alice", app.Seen);
        Assert.Contains(app.Seen, line => line == "accept Transport alice");

        RealtimeSubscription own = await client.SubscribeAsync("user/alice").Within("subscribe to the own channel");
        Assert.Equal("user/alice", own.Channel);
        RealtimeChannelRefusedException refused = await Assert.ThrowsAsync<RealtimeChannelRefusedException>(async () => await client.SubscribeAsync("user/bob")).Within("subscribe to another's");
        Assert.Equal("forbidden", refused.Error);
    }

    [Fact]
    public async Task A_session_id_is_no_key_to_another_users_session()
    {
        await using App app = await StartAsync();
        using HttpClient alice = app.Http("alice");
        using HttpClient bob = app.Http("bob");
        using HttpResponseMessage negotiated = await alice.PostAsync("negotiate?v=1", null);
        string session = JsonDocument.Parse(await negotiated.Content.ReadAsStringAsync()).RootElement.GetProperty("session").GetString()!;

        using HttpResponseMessage stolen = await bob.GetAsync($"poll?v=1&session={session}&ack=0&wait=0");
        Assert.Equal(HttpStatusCode.Forbidden, stolen.StatusCode);
        Assert.Equal("other-user", JsonDocument.Parse(await stolen.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());

        using HttpResponseMessage own = await alice.GetAsync($"poll?v=1&session={session}&ack=0&wait=0");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task A_WebSocket_endpoint_takes_the_apps_policies_and_its_handler_sees_the_user()
    {
        await using App app = await StartAsync();

        WebSocketHandshakeException anonymous = await Assert.ThrowsAsync<WebSocketHandshakeException>(() => WebSocketClient.ConnectAsync(app.Server.Uri("/private"), cancellationToken: Bounded.Token()));
        Assert.Equal(401, anonymous.StatusCode);

        var alice = new WebSocketClientOptions { Headers = { new("X-User", "alice") } };
        await using (WebSocketConnection connection = await WebSocketClient.ConnectAsync(app.Server.Uri("/private"), alice, Bounded.Token()))
        {
            Assert.Equal("alice", (await connection.ReceiveAsync(Bounded.Token())).Text);
        }

        WebSocketHandshakeException forbidden = await Assert.ThrowsAsync<WebSocketHandshakeException>(() => WebSocketClient.ConnectAsync(app.Server.Uri("/admin"), alice, Bounded.Token()));
        Assert.Equal(403, forbidden.StatusCode);

        var admin = new WebSocketClientOptions { Headers = { new("X-User", "carol"), new("X-Role", "admin") } };
        await using WebSocketConnection adminConnection = await WebSocketClient.ConnectAsync(app.Server.Uri("/admin"), admin, Bounded.Token());
        await adminConnection.SendTextAsync("ok", Bounded.Token());
        Assert.Equal("ok", (await adminConnection.ReceiveAsync(Bounded.Token())).Text);
    }
}
