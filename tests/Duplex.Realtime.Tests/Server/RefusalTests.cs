using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Server;

/// <summary>docs/PROTOCOL.md §7: every refusal a status and an error code, no session created, no harm to other sessions.</summary>
public sealed class RefusalTests
{
    private static async Task<(HttpStatusCode Status, string Error)> ErrorOf(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!);
    }

    [Fact]
    public async Task A_foreign_origin_may_not_negotiate()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "negotiate?v=1");
        request.Headers.Add("Origin", "https://evil.example");

        using HttpResponseMessage response = await server.Http.SendAsync(request);

        Assert.Equal((HttpStatusCode.Forbidden, "origin-not-allowed"), await ErrorOf(response));
        Assert.Equal(0, server.Endpoint.SessionCount);
    }

    [Fact]
    public async Task The_own_origin_and_configured_origins_may_negotiate()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(new RealtimeOptions { AllowedOrigins = ["https://app.example"] });
        using var own = new HttpRequestMessage(HttpMethod.Post, "negotiate?v=1");
        own.Headers.Add("Origin", $"http://127.0.0.1:{server.Port}");
        using var allowed = new HttpRequestMessage(HttpMethod.Post, "negotiate?v=1");
        allowed.Headers.Add("Origin", "https://app.example");

        using HttpResponseMessage first = await server.Http.SendAsync(own);
        using HttpResponseMessage second = await server.Http.SendAsync(allowed);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("https://app.example", second.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(2, server.Endpoint.SessionCount);
    }

    [Fact]
    public async Task A_foreign_origin_may_not_open_the_websocket_of_a_session()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();

        var ex = await Assert.ThrowsAsync<WebSocketHandshakeException>(() =>
            server.ConnectWebSocketAsync(session, 0, new WebSocketClientOptions { Origin = "https://evil.example" }));

        Assert.Equal(403, ex.StatusCode);
        Assert.Null(server.Endpoint.FindSession(session)!.Transport);
    }

    [Fact]
    public async Task The_accept_hook_refuses_with_its_status_and_creates_no_session()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(new RealtimeOptions
        {
            Accept = context => ValueTask.FromResult(context.Exchange.Headers["Authorization"] == "Bearer good" || Refuse(context)),
        });
        using var anonymous = new HttpRequestMessage(HttpMethod.Post, "negotiate?v=1");

        using HttpResponseMessage refused = await server.Http.SendAsync(anonymous);

        Assert.Equal((HttpStatusCode.Unauthorized, "refused"), await ErrorOf(refused));
        Assert.Equal(0, server.Endpoint.SessionCount);

        static bool Refuse(RealtimeAcceptContext context)
        {
            context.RefusalStatus = 401;
            return false;
        }
    }

    [Fact]
    public async Task What_the_accept_hook_puts_in_items_the_session_carries()
    {
        var seen = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(
            new RealtimeOptions
            {
                Accept = context =>
                {
                    if (context.Kind == RealtimeRequestKind.Negotiate)
                    {
                        context.Items["user"] = "ada";
                    }

                    return ValueTask.FromResult(true);
                },
            },
            (session, ct) =>
            {
                seen.TrySetResult(session.Items["user"]);
                return Task.CompletedTask;
            });

        await server.NegotiateAsync();

        Assert.Equal("ada", await seen.Task.Within("the handler"));
    }

    [Theory]
    [InlineData("poll?v=1&session=AAAAAAAAAAAAAAAAAAAAAA&ack=0", HttpStatusCode.NotFound, "unknown-session")]
    [InlineData("poll?v=1&session=not-an-id&ack=0", HttpStatusCode.BadRequest, "malformed-request")]
    [InlineData("poll?v=1&ack=0", HttpStatusCode.BadRequest, "malformed-request")]
    [InlineData("poll?session=AAAAAAAAAAAAAAAAAAAAAA", HttpStatusCode.BadRequest, "unsupported-version")]
    [InlineData("sse?v=1&session=AAAAAAAAAAAAAAAAAAAAAA&session=AAAAAAAAAAAAAAAAAAAAAA", HttpStatusCode.BadRequest, "malformed-request")]
    [InlineData("sse?v=1&session=AAAAAAAAAAAAAAAAAAAAAA&hb=sometimes", HttpStatusCode.BadRequest, "malformed-request")]
    [InlineData("ws?v=1&session=AAAAAAAAAAAAAAAAAAAAAA", (HttpStatusCode)426, "upgrade-required")]
    public async Task Requests_without_a_valid_live_session_are_refused_with_a_clear_status(string url, HttpStatusCode status, string error)
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();

        using HttpResponseMessage response = await server.Http.GetAsync(url);

        Assert.Equal((status, error), await ErrorOf(response));
    }

    [Theory]
    [InlineData("abc", "malformed-envelope")]
    [InlineData("""{"t":"m","s":1,"d":"x"}""", "malformed-envelope")]
    [InlineData("""[{"t":"m","s":1}]""", "malformed-envelope")]
    [InlineData("""[{"t":"o","a":0}]""", "malformed-envelope")]
    [InlineData("""[{"t":"a","a":5}]""", "ack-out-of-range")]
    public async Task Bad_send_bodies_are_refused_and_the_session_goes_on(string body, string error)
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();

        (HttpStatusCode status, string answer) = await server.SendAsync(session, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(error, JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(session, """[{"t":"m","s":1,"d":"still fine"}]""")).Status);
    }

    [Fact]
    public async Task A_send_that_skips_numbers_is_refused_with_the_acknowledgement_to_resend_from()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();
        await server.SendAsync(session, """[{"t":"m","s":1,"d":"a"}]""");

        (HttpStatusCode status, string body) = await server.SendAsync(session, """[{"t":"m","s":3,"d":"c"}]""");

        Assert.Equal(HttpStatusCode.Conflict, status);
        using JsonDocument answer = JsonDocument.Parse(body);
        Assert.Equal("sequence-gap", answer.RootElement.GetProperty("error").GetString());
        Assert.Equal(1, answer.RootElement.GetProperty("a").GetInt64());
    }

    [Fact]
    public async Task An_oversized_send_is_refused_with_413()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(new RealtimeOptions { MaxSendBytes = 1000, MaxMessageBytes = 500, MaxQueuedBytes = 4096 });
        (string session, _) = await server.NegotiateAsync();

        (HttpStatusCode whole, string wholeBody) = await server.SendAsync(session, $$"""[{"t":"m","s":1,"d":"{{new string('x', 2000)}}"}]""");
        (HttpStatusCode message, string messageBody) = await server.SendAsync(session, $$"""[{"t":"m","s":1,"d":"{{new string('x', 600)}}"}]""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, whole);
        Assert.Equal("too-large", JsonDocument.Parse(wholeBody).RootElement.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, message);
        Assert.Equal("too-large", JsonDocument.Parse(messageBody).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_acknowledgement_out_of_range_on_a_transport_is_refused()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();

        (HttpStatusCode status, string body) = await server.PollAsync(session, ack: 7, wait: false);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ack-out-of-range", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_malformed_envelope_on_the_websocket_ends_the_session_with_1008()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();
        (string other, _) = await server.NegotiateAsync();
        await using WebSocketConnection ws = await server.ConnectWebSocketAsync(session, 0);
        await ws.ReceiveAsync(Bounded.Token()).Within("the open envelope");

        await ws.SendTextAsync("""{"t":"m","s":"one"}""", Bounded.Token());

        WebSocketMessage last;
        do
        {
            last = await ws.ReceiveAsync(Bounded.Token()).Within("the end of the session");
        }
        while (!last.IsClose && !last.Text.StartsWith("{\"t\":\"c\"", StringComparison.Ordinal));

        Assert.Equal("""{"t":"c","r":"protocol-error"}""", last.Text);
        await ws.ReceiveAsync(Bounded.Token()).Within("the close");
        Assert.Equal(CloseStatus.PolicyViolation, ws.CloseStatus);
        Assert.Null(server.Endpoint.FindSession(session));

        // Another session is untouched.
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(other, """[{"t":"m","s":1,"d":"fine"}]""")).Status);
    }

    [Fact]
    public async Task Refusals_are_counted_by_error_on_the_hosts_meter()
    {
        using var listener = new MeterListener();
        var counted = new List<string>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "duplex.realtime.requests.rejected")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "error")
                {
                    lock (counted)
                    {
                        counted.Add((string)tag.Value!);
                    }
                }
            }
        });
        listener.Start();
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();

        using HttpResponseMessage response = await server.Http.GetAsync("poll?v=1&session=AAAAAAAAAAAAAAAAAAAAAA");

        lock (counted)
        {
            Assert.Contains("unknown-session", counted);
        }
    }
}
