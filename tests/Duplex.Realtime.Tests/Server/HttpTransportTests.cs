using System.Net;
using System.Text.Json;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Server;

/// <summary>docs/PROTOCOL.md §4 over loopback: Server-Sent Events, long and short polling, and send, with HttpClient as the client.</summary>
public sealed class HttpTransportTests
{
    private static string[] Messages(string pollAnswer) =>
        JsonDocument.Parse(pollAnswer).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("t").GetString() == "m")
            .Select(e => $"{e.GetProperty("s").GetInt64()}:{e.GetProperty("d").GetString()}")
            .ToArray();

    [Fact]
    public async Task Event_stream_sends_retry_open_and_each_message_with_its_id()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"sse?v=1&session={session}&ack=0");
        using HttpResponseMessage response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Bounded.Token());
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Bounded.Token()));

        Assert.Equal("retry: 1000", await reader.ReadLineAsync(Bounded.Token()));
        Assert.Equal(string.Empty, await reader.ReadLineAsync(Bounded.Token()));
        Assert.Equal("""data: {"t":"o","a":0,"w":0}""", await reader.ReadLineAsync(Bounded.Token()));
        Assert.Equal(string.Empty, await reader.ReadLineAsync(Bounded.Token()));

        (HttpStatusCode status, string body) = await server.SendAsync(session, """[{"t":"m","s":1,"d":"up"},{"t":"m","s":2,"d":"again"}]""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"t":"a","a":2}""", body);

        Assert.Equal("id: 1", await reader.ReadLineAsync(Bounded.Token()));
        Assert.Equal("""data: {"t":"m","s":1,"d":"up"}""", await reader.ReadLineAsync(Bounded.Token()));
        Assert.Equal(string.Empty, await reader.ReadLineAsync(Bounded.Token()));
        Assert.Equal("id: 2", await reader.ReadLineAsync(Bounded.Token()));
    }

    [Theory]
    [InlineData("", ": h")]
    [InlineData("&hb=comment", ": h")]
    [InlineData("&hb=event", "data: {\"t\":\"h\"}")]
    public async Task Event_stream_sends_a_heartbeat_after_each_silent_interval_as_a_comment_or_as_the_event_asked_for(string query, string heartbeat)
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(new RealtimeOptions
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            PollHold = TimeSpan.FromMilliseconds(500),
            PollInterval = TimeSpan.FromMilliseconds(100),
        });
        (string session, _) = await server.NegotiateAsync();
        using HttpResponseMessage response = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"sse?v=1&session={session}{query}"), HttpCompletionOption.ResponseHeadersRead, Bounded.Token());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Bounded.Token()));

        // The client shows it is alive as docs/PROTOCOL.md §6 asks: an acknowledgement sent now and then.
        using var stop = new CancellationTokenSource();
        Task alive = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await server.SendAsync(session, """[{"t":"a","a":0}]""");
                await Task.Delay(150, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        });

        var lines = new List<string?>();
        for (int i = 0; i < 4; i++)
        {
            lines.Add(await reader.ReadLineAsync(Bounded.Token()));
        }

        Assert.Equal(heartbeat, await reader.ReadLineAsync(Bounded.Token()).AsTask().Within("a heartbeat"));
        await stop.CancelAsync();
        await alive;
    }

    [Fact]
    public async Task Event_stream_heartbeats_follow_the_last_write_even_while_the_clients_sends_keep_waking_the_writer()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(new RealtimeOptions
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            PollHold = TimeSpan.FromMilliseconds(500),
            PollInterval = TimeSpan.FromMilliseconds(100),
        }, handler: async (session, ct) => await session.Completion.WaitAsync(ct));
        (string session, _) = await server.NegotiateAsync();
        using HttpResponseMessage response = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"sse?v=1&session={session}&hb=event"), HttpCompletionOption.ResponseHeadersRead, Bounded.Token());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Bounded.Token()));

        // A message, then a send every 50 ms: the heartbeat still comes after an interval without a write.
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(session, """[{"t":"m","s":1,"d":"hi"}]""")).Status);
        using var stop = new CancellationTokenSource();
        Task alive = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await server.SendAsync(session, """[{"t":"a","a":0}]""");
                await Task.Delay(50, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        });

        string? line;
        do
        {
            line = await reader.ReadLineAsync(Bounded.Token()).AsTask().Within("a heartbeat while the client keeps sending", TimeSpan.FromSeconds(10));
        }
        while (line != "data: {\"t\":\"h\"}");

        await stop.CancelAsync();
        await alive;
    }

    [Fact]
    public async Task Event_stream_of_a_client_silent_for_two_intervals_is_dropped_and_the_session_waits()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(new RealtimeOptions
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(300),
            PollHold = TimeSpan.FromMilliseconds(300),
            PollInterval = TimeSpan.FromMilliseconds(100),
        });
        (string session, _) = await server.NegotiateAsync();
        using HttpResponseMessage response = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"sse?v=1&session={session}"), HttpCompletionOption.ResponseHeadersRead, Bounded.Token());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Bounded.Token()));

        // No send comes: the server takes the stream for dead (a NAT that forgot the flow looks the same).
        while (await reader.ReadLineAsync(Bounded.Token()).AsTask().Within("the stream to end") is not null)
        {
        }

        RealtimeSession live = server.Endpoint.FindSession(session)!;
        Assert.Equal(RealtimeSessionState.Disconnected, live.State);
        Assert.Null(live.Transport);
    }

    [Fact]
    public async Task Event_stream_resumes_from_Last_Event_ID_as_EventSource_sends_it()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();
        await server.SendAsync(session, """[{"t":"m","s":1,"d":"a"},{"t":"m","s":2,"d":"b"},{"t":"m","s":3,"d":"c"}]""");
        await WaitForPendingAsync(server, 3);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"sse?v=1&session={session}&ack=0");
        request.Headers.Add("Last-Event-ID", "2");
        using HttpResponseMessage response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Bounded.Token());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Bounded.Token()));
        await reader.ReadLineAsync(Bounded.Token());
        await reader.ReadLineAsync(Bounded.Token());

        Assert.Equal("""data: {"t":"o","a":3,"w":1}""", await reader.ReadLineAsync(Bounded.Token()));
        await reader.ReadLineAsync(Bounded.Token());
        Assert.Equal("id: 3", await reader.ReadLineAsync(Bounded.Token()));
    }

    [Fact]
    public async Task Long_poll_is_held_until_a_message_waits_and_a_lost_answer_comes_again()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();

        Task<(HttpStatusCode Status, string Body)> held = server.PollAsync(session, 0);
        await Task.Yield();
        Assert.False(held.IsCompleted);
        await server.SendAsync(session, """[{"t":"m","s":1,"d":"one"}]""");
        (HttpStatusCode status, string body) = await held.Within("the held poll to be answered");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("""[{"t":"o","a":1,""", body, StringComparison.Ordinal);
        Assert.Equal(["1:one"], Messages(body));

        // The answer was "lost": the next poll still says ack=0, and gets the same message.
        Assert.Equal(["1:one"], Messages((await server.PollAsync(session, 0)).Body));
        Assert.Empty(Messages((await server.PollAsync(session, 1, wait: false)).Body));
    }

    [Fact]
    public async Task A_second_poll_replaces_the_held_one_which_is_answered_empty()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();
        RealtimeSession live = server.Endpoint.FindSession(session)!;

        Task<(HttpStatusCode Status, string Body)> first = server.PollAsync(session, 0);
        await WaitForAsync(() => live.Transport == RealtimeTransport.LongPolling, "the first poll to be held");
        Task<(HttpStatusCode Status, string Body)> second = server.PollAsync(session, 0);

        (HttpStatusCode status, string body) = await first.Within("the replaced poll");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("[]", body);
        Assert.False(second.IsCompleted);
        await server.SendAsync(session, """[{"t":"m","s":1,"d":"x"}]""");
        Assert.Equal(["1:x"], Messages((await second.Within("the second poll")).Body));
    }

    [Fact]
    public async Task Short_poll_is_answered_at_once()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();

        (HttpStatusCode status, string body) = await server.PollAsync(session, 0, wait: false);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""[{"t":"o","a":0,"w":0}]""", body);
        Assert.Equal(RealtimeTransport.Polling, server.Endpoint.FindSession(session)!.Transport);
    }

    [Fact]
    public async Task A_retried_send_is_delivered_once()
    {
        var received = new List<string>();
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(handler: async (session, ct) =>
        {
            await foreach (RealtimeMessage message in session.ReadMessagesAsync(ct))
            {
                lock (received)
                {
                    received.Add(message.Text);
                }
            }
        });
        (string session, _) = await server.NegotiateAsync();

        await server.SendAsync(session, """[{"t":"m","s":1,"d":"a"},{"t":"m","s":2,"d":"b"}]""");
        (HttpStatusCode status, string body) = await server.SendAsync(session, """[{"t":"m","s":1,"d":"a"},{"t":"m","s":2,"d":"b"},{"t":"m","s":3,"d":"c"}]""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"t":"a","a":3}""", body);
        await WaitForAsync(() => { lock (received) { return received.Count == 3; } }, "three messages");
        lock (received)
        {
            Assert.Equal(["a", "b", "c"], received);
        }
    }

    internal static async Task WaitForPendingAsync(RealtimeTestServer server, int count)
    {
        await WaitForAsync(() => server.Endpoint.Sessions.Sum(s => s.PendingCount) >= count, $"{count} messages to wait for the client");
    }

    internal static async Task WaitForAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Bounded.Default;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }
}
