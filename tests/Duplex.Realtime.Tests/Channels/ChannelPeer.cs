using System.Text.Json;
using Duplex.Realtime.Tests.Server;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Channels;

/// <summary>
/// A raw protocol client for channel tests: one session over WebSocket, numbering its <c>ch</c>
/// envelopes by hand and (unless told not to) acknowledging what it receives, as
/// docs/PROTOCOL.md §4 and §10 say a client does.
/// </summary>
internal sealed class ChannelPeer : IAsyncDisposable
{
    private readonly WebSocketConnection _ws;
    private long _sent;
    private long _received;
    private long _requests;

    private ChannelPeer(string session, WebSocketConnection ws)
    {
        Session = session;
        _ws = ws;
    }

    public string Session { get; }

    /// <summary>Whether the peer acknowledges each numbered envelope as it reads it.</summary>
    public bool AutoAck { get; set; } = true;

    /// <summary>The highest server number received in order.</summary>
    public long Received => _received;

    public static async Task<ChannelPeer> ConnectAsync(RealtimeTestServer server)
    {
        (string session, _) = await server.NegotiateAsync();
        WebSocketConnection ws = await server.ConnectWebSocketAsync(session, 0);
        await ws.ReceiveAsync(Bounded.Token()).Within("the open envelope");
        return new ChannelPeer(session, ws);
    }

    /// <summary>Sends a <c>ch</c> request with the next session number and request id; returns the request id.</summary>
    public async Task<long> RequestAsync(string fieldsWithoutR)
    {
        long r = ++_requests;
        string fields = fieldsWithoutR[..fieldsWithoutR.LastIndexOf('}')] + $",\"r\":{r}}}";
        await SendRawAsync(fields);
        return r;
    }

    /// <summary>Sends a <c>ch</c> envelope whose fields are given as they are (a test of bad requests).</summary>
    public async Task SendRawAsync(string fields)
    {
        long s = ++_sent;
        string envelope = "{\"t\":\"ch\",\"s\":" + s + "," + fields.TrimStart('{');
        await _ws.SendTextAsync(envelope, Bounded.Token());
    }

    /// <summary>Sends an application message.</summary>
    public Task SendMessageAsync(string text) =>
        _ws.SendTextAsync(JsonSerializer.Serialize(new { t = "m", s = ++_sent, d = text }), Bounded.Token()).AsTask();

    /// <summary>Acknowledges everything received so far.</summary>
    public Task AcknowledgeAsync() => _ws.SendTextAsync($"{{\"t\":\"a\",\"a\":{_received}}}", Bounded.Token()).AsTask();

    /// <summary>The next numbered envelope (<c>m</c> or <c>ch</c>), or the session's close; heartbeats and acknowledgements are skipped.</summary>
    public async Task<JsonElement> NextAsync()
    {
        // One bound for the whole wait: heartbeats and acknowledgements are skipped, and must not
        // each restart it (a stream of them would keep a test waiting for ever).
        using var deadline = new CancellationTokenSource(Bounded.Default);
        while (true)
        {
            WebSocketMessage message = await _ws.ReceiveAsync(deadline.Token).Within("the next numbered envelope");
            if (message.Type == MessageType.Close)
            {
                throw new InvalidOperationException("the WebSocket closed");
            }

            JsonElement envelope = JsonDocument.Parse(message.Text).RootElement.Clone();
            string t = envelope.GetProperty("t").GetString()!;
            if (t is "m" or "ch")
            {
                long s = envelope.GetProperty("s").GetInt64();
                Assert.Equal(_received + 1, s);
                _received = s;
                if (AutoAck)
                {
                    await AcknowledgeAsync();
                }

                return envelope;
            }

            if (t == "c")
            {
                return envelope;
            }
        }
    }

    /// <summary>The next channel envelope whose op is <paramref name="op"/>, skipping other channel envelopes (presence, say) only when <paramref name="skipOthers"/>.</summary>
    public async Task<JsonElement> NextOpAsync(string op, bool skipOthers = false)
    {
        while (true)
        {
            JsonElement envelope = await NextAsync();
            string t = envelope.GetProperty("t").GetString()!;
            string? actual = t == "ch" ? envelope.GetProperty("op").GetString() : t;
            if (actual == op)
            {
                return envelope;
            }

            Assert.True(skipOthers, $"expected op {op}, got {envelope}");
        }
    }

    public void Abort() => _ws.Abort();

    public async ValueTask DisposeAsync() => await _ws.DisposeAsync();
}
