using System.Net;
using System.Text.Json;
using Duplex.Realtime.Protocol;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Server;

/// <summary>docs/PROTOCOL.md §2 and §4 over loopback: negotiate, then a session on a WebSocket, text and binary, acknowledged and resumed.</summary>
public sealed class NegotiateAndWebSocketTests
{
    [Fact]
    public async Task Negotiate_answers_the_session_transports_timers_and_limits()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();

        (string session, JsonElement answer) = await server.NegotiateAsync();

        Assert.True(SessionId.IsWellFormed(session));
        Assert.Equal(1, answer.GetProperty("version").GetInt32());
        Assert.Equal(["websocket", "sse", "long-polling", "polling"], answer.GetProperty("transports").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(15000, answer.GetProperty("heartbeatMs").GetInt32());
        Assert.Equal(120000, answer.GetProperty("resumeWindowMs").GetInt32());
        Assert.Equal(1000, answer.GetProperty("limits").GetProperty("maxQueuedMessages").GetInt32());
        Assert.Equal(1, server.Endpoint.SessionCount);
    }

    [Theory]
    [InlineData("negotiate")]
    [InlineData("negotiate?v=2")]
    public async Task A_version_the_server_does_not_speak_is_refused_with_the_versions_it_does(string url)
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();

        using HttpResponseMessage response = await server.Http.PostAsync(url, null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("unsupported-version", error.GetProperty("error").GetString());
        Assert.Equal([1], error.GetProperty("versions").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(0, server.Endpoint.SessionCount);
    }

    [Fact]
    public async Task WebSocket_carries_text_and_binary_both_ways_in_order_with_acknowledgements()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync();
        (string session, _) = await server.NegotiateAsync();
        await using WebSocketConnection ws = await server.ConnectWebSocketAsync(session, 0);

        Assert.Equal("""{"t":"o","a":0,"w":0}""", (await ws.ReceiveAsync(Bounded.Token()).Within("the open envelope")).Text);

        await ws.SendTextAsync("""{"t":"m","s":1,"d":"hello"}""", Bounded.Token());
        byte[] binary = new byte[BinaryEnvelope.MaxHeaderSize + 3];
        int header = BinaryEnvelope.WriteHeader(binary, 2);
        new byte[] { 1, 2, 3 }.CopyTo(binary, header);
        await ws.SendBinaryAsync(binary.AsMemory(0, header + 3), Bounded.Token());

        // Message 1 is acknowledged by the time its echo arrives: piggybacked on the echo, or alone
        // before it (the server acknowledges as soon as it has received, and says each number once).
        var acknowledged = new List<string>();
        string echo = (await NextDataAsync(ws, acknowledged)).Text;
        Assert.StartsWith("""{"t":"m","s":1,"d":"hello""", echo, StringComparison.Ordinal);
        Assert.True(echo.Contains("\"a\":", StringComparison.Ordinal) || acknowledged.Count > 0, $"message 1 was not acknowledged before or with its echo: {echo}");
        WebSocketMessage binaryEcho = await NextDataAsync(ws);
        Assert.Equal(MessageType.Binary, binaryEcho.Type);
        Assert.Equal(EnvelopeError.None, BinaryEnvelope.TryRead(binaryEcho.Data.ToArray(), out long sequence, out ReadOnlyMemory<byte> payload));
        Assert.Equal(2, sequence);
        Assert.Equal(new byte[] { 1, 2, 3 }, payload.ToArray());
    }

    [Fact]
    public async Task A_message_down_carries_no_acknowledgement_when_there_is_nothing_new_to_acknowledge()
    {
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(handler: async (session, ct) =>
        {
            await session.SendTextAsync("down", ct);
            await foreach (RealtimeMessage message in session.ReadMessagesAsync(ct))
            {
            }
        });
        (string session, _) = await server.NegotiateAsync();
        await using WebSocketConnection ws = await server.ConnectWebSocketAsync(session, 0);
        await ws.ReceiveAsync(Bounded.Token()).Within("the open envelope");

        // The page's own shape (docs/PROTOCOL.md §3): 2 bytes of WebSocket and 22 of envelope around "hi".
        Assert.Equal("""{"t":"m","s":1,"d":"down"}""", (await NextDataAsync(ws)).Text);
    }

    [Fact]
    public async Task A_dropped_websocket_resumes_with_nothing_lost_or_repeated()
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RealtimeSession? live = null;
        await using RealtimeTestServer server = await RealtimeTestServer.StartAsync(handler: async (session, ct) =>
        {
            live = session;
            await foreach (RealtimeMessage message in session.ReadMessagesAsync(ct))
            {
                if (message.Text == "go")
                {
                    for (int i = 1; i <= 5; i++)
                    {
                        await session.SendTextAsync($"n{i}", ct);
                    }

                    sent.TrySetResult();
                }
            }
        });
        (string id, _) = await server.NegotiateAsync();

        WebSocketConnection first = await server.ConnectWebSocketAsync(id, 0);
        await first.ReceiveAsync(Bounded.Token()).Within("the open envelope");
        await first.SendTextAsync("""{"t":"m","s":1,"d":"go"}""", Bounded.Token());
        await sent.Task.Within("the handler to send five messages");
        var seen = new List<string>();
        while (seen.Count < 2)
        {
            string text = (await NextDataAsync(first)).Text;
            using JsonDocument envelope = JsonDocument.Parse(text);
            if (envelope.RootElement.GetProperty("t").GetString() == "m")
            {
                seen.Add(envelope.RootElement.GetProperty("d").GetString()!);
            }
        }

        first.Abort();
        await WaitForAsync(() => live!.State == RealtimeSessionState.Disconnected, "the session to notice the drop");

        // Only n1 and n2 were received: the resume says so, and n3..n5 come, once each.
        await using WebSocketConnection second = await server.ConnectWebSocketAsync(id, 2);
        Assert.Equal("""{"t":"o","a":1,"w":3}""", (await second.ReceiveAsync(Bounded.Token()).Within("the open envelope of the resume")).Text);
        for (int i = 3; i <= 5; i++)
        {
            using JsonDocument envelope = JsonDocument.Parse((await NextDataAsync(second)).Text);
            Assert.Equal(i, envelope.RootElement.GetProperty("s").GetInt64());
            Assert.Equal($"n{i}", envelope.RootElement.GetProperty("d").GetString());
        }

        Assert.Equal(RealtimeTransport.WebSocket, live!.Transport);
    }

    /// <summary>The next message envelope, skipping heartbeats and acknowledgements alone (kept in <paramref name="acknowledgements"/> when given).</summary>
    private static async Task<WebSocketMessage> NextDataAsync(WebSocketConnection ws, List<string>? acknowledgements = null)
    {
        while (true)
        {
            WebSocketMessage message = await ws.ReceiveAsync(Bounded.Token()).Within("the next message");
            if (message.Type == MessageType.Text && message.Text.Contains("\"t\":\"h\"", StringComparison.Ordinal))
            {
                continue;
            }

            if (message.Type == MessageType.Text && message.Text.StartsWith("{\"t\":\"a\"", StringComparison.Ordinal))
            {
                acknowledgements?.Add(message.Text);
                continue;
            }

            return message;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Bounded.Default);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
        }
    }
}
