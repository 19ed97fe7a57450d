using System.Net;
using System.Text.Json;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Server;

/// <summary>docs/PROTOCOL.md §5: how sessions end — expiry, the queue bound, the client's close, the handler's end, shutdown — and what follows.</summary>
public sealed class SessionLifetimeTests
{
    private static RealtimeOptions Fast(TimeSpan resumeWindow) => new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        PollHold = TimeSpan.FromMilliseconds(500),
        PollInterval = TimeSpan.FromMilliseconds(100),
        ResumeWindow = resumeWindow,
    };

    private static async Task<string> ErrorAsync(Task<(HttpStatusCode Status, string Body)> request, HttpStatusCode expected)
    {
        (HttpStatusCode status, string body) = await request;
        Assert.Equal(expected, status);
        return JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
    }

    [Fact]
    public async Task A_session_left_without_a_transport_expires_after_the_resume_window_and_is_refused_with_410()
    {
        var started = new TaskCompletionSource<RealtimeSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(Fast(TimeSpan.FromMilliseconds(300)), (session, ct) =>
        {
            started.TrySetResult(session);
            return Task.Delay(Timeout.Infinite, ct);
        });
        (string id, _) = await server.NegotiateAsync();
        RealtimeSession session = await started.Task.Within("the session's handler");

        await session.Completion.Within("the session to expire");

        Assert.Equal(RealtimeCloseReasons.Expired, session.CloseReason);
        Assert.Equal(RealtimeSessionState.Closed, session.State);
        Assert.Equal("session-expired", await ErrorAsync(server.PollAsync(id, 0, wait: false), HttpStatusCode.Gone));
        Assert.Equal("session-expired", await ErrorAsync(server.SendAsync(id, "[]"), HttpStatusCode.Gone));
    }

    [Fact]
    public async Task A_session_ended_between_two_polls_says_so_in_the_next_poll_answer_once_then_410()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string id, _) = await server.NegotiateAsync();
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(id, """[{"t":"m","s":1,"d":"x"}]""")).Status);
        (HttpStatusCode first, string body) = await server.PollAsync(id, 0);
        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal("""[{"t":"o","a":1,"w":1},{"t":"m","s":1,"d":"x"}]""", body);

        await server.Endpoint.FindSession(id)!.CloseAsync();

        Assert.Equal((HttpStatusCode.OK, """[{"t":"o","a":1,"w":0},{"t":"c","r":"closed"}]"""), await server.PollAsync(id, 1, wait: false));
        Assert.Equal("session-expired", await ErrorAsync(server.PollAsync(id, 1, wait: false), HttpStatusCode.Gone));
    }

    [Fact]
    public async Task An_ended_id_is_forgotten_after_its_memory_and_then_unknown()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(new RealtimeOptions { EndedSessionMemory = TimeSpan.FromMilliseconds(200) });
        (string id, _) = await server.NegotiateAsync();
        await server.Endpoint.FindSession(id)!.CloseAsync();
        Assert.Equal("session-expired", await ErrorAsync(server.PollAsync(id, 0, wait: false), HttpStatusCode.Gone));

        // Forgotten on a clock tick after its memory: then never was, as far as the server knows.
        DateTime deadline = DateTime.UtcNow + Bounded.Default;
        HttpStatusCode status;
        do
        {
            (status, _) = await server.PollAsync(id, 0, wait: false);
            Assert.True(status is HttpStatusCode.Gone or HttpStatusCode.NotFound, $"unexpected {status}");
            Assert.True(DateTime.UtcNow < deadline, "the ended id was never forgotten");
            await Task.Delay(20);
        }
        while (status == HttpStatusCode.Gone);

        Assert.Equal("unknown-session", await ErrorAsync(server.PollAsync(id, 0, wait: false), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Messages_sent_while_disconnected_wait_and_past_the_bound_the_session_closes_with_queue_full()
    {
        var ended = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(
            new RealtimeOptions { MaxQueuedMessages = 3 },
            async (session, ct) =>
            {
                try
                {
                    for (int i = 0; i < 10; i++)
                    {
                        await session.SendTextAsync($"m{i}", ct);
                    }

                    ended.TrySetResult(null);
                }
                catch (RealtimeSessionClosedException ex)
                {
                    ended.TrySetResult(ex);
                }
            });
        (string id, _) = await server.NegotiateAsync();

        Exception? failure = await ended.Task.Within("the fourth send to cross the bound");

        var closed = Assert.IsType<RealtimeSessionClosedException>(failure);
        Assert.Equal(RealtimeCloseReasons.QueueFull, closed.Reason);
        Assert.Null(server.Endpoint.FindSession(id));
    }

    [Fact]
    public async Task The_clients_close_ends_the_session_and_the_handlers_messages()
    {
        var done = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(handler: async (session, ct) =>
        {
            await foreach (RealtimeMessage message in session.ReadMessagesAsync(CancellationToken.None))
            {
            }

            done.TrySetResult(session.CloseReason);
        });
        (string id, _) = await server.NegotiateAsync();

        using HttpResponseMessage response = await server.Http.PostAsync($"close?v=1&session={id}", null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(RealtimeCloseReasons.Closed, await done.Task.Within("the handler's messages to end"));
    }

    [Fact]
    public async Task When_the_handler_returns_the_session_is_closed_and_a_held_poll_gets_the_close()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(handler: (session, ct) => release.Task);
        (string id, _) = await server.NegotiateAsync();
        RealtimeSession session = server.Endpoint.FindSession(id)!;
        Task<(HttpStatusCode Status, string Body)> held = server.PollAsync(id, 0);
        await HttpTransportTests.WaitForAsync(() => session.Transport == RealtimeTransport.LongPolling, "the poll to be held");

        release.SetResult();

        (HttpStatusCode status, string body) = await held.Within("the held poll");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.EndsWith("""{"t":"c","r":"closed"}]""", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_the_server_ends_every_session_with_shutdown()
    {
        RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string id, _) = await server.NegotiateAsync();
        RealtimeSession session = server.Endpoint.FindSession(id)!;

        await server.DisposeAsync();

        await session.Completion.Within("the session to end with the server");
        Assert.Equal(RealtimeCloseReasons.Shutdown, session.CloseReason);
    }

    [Fact]
    public async Task Code_elsewhere_finds_a_session_by_id_lists_the_live_ones_and_pushes_to_them()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(handler: (session, ct) => Task.Delay(Timeout.Infinite, ct));
        (string first, _) = await server.NegotiateAsync();
        (string second, _) = await server.NegotiateAsync();
        var changes = new List<RealtimeTransport?>();
        server.Endpoint.FindSession(first)!.TransportChanged += (_, transport) =>
        {
            lock (changes)
            {
                changes.Add(transport);
            }
        };

        Assert.Equal(new[] { first, second }.Order(), server.Endpoint.Sessions.Select(s => s.Id).Order());
        foreach (RealtimeSession session in server.Endpoint.Sessions)
        {
            // A background service pushing to every live session, none of them connected yet.
            await session.SendTextAsync("news");
        }

        (HttpStatusCode status, string body) = await server.PollAsync(first, 0, wait: false);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("""{"t":"m","s":1,"d":"news"}""", body, StringComparison.Ordinal);
        lock (changes)
        {
            Assert.Equal([RealtimeTransport.Polling], changes);
        }
    }
}
