using System.Text.Json;
using Duplex.Realtime;
using Duplex.Tests.Cli;

namespace Duplex.Tests.Compare;

/// <summary>A client of the compare workload for the tests: a <see cref="RealtimeClient"/> on /compare that sends JSON and reads the replies, every wait bounded.</summary>
internal sealed class CompareTestClient : IAsyncDisposable
{
    private readonly RealtimeClient _client;

    private CompareTestClient(RealtimeClient client) => _client = client;

    public RealtimeClient Client => _client;

    public static async Task<CompareTestClient> ConnectAsync(Uri endpoint, RealtimeTransport transport, TimeSpan? pollInterval = null)
    {
        var client = new RealtimeClient(endpoint, new RealtimeClientOptions { Transports = [transport], PollInterval = pollInterval });
        await client.ConnectAsync(TestServers.Bounded());
        return new CompareTestClient(client);
    }

    public ValueTask SendAsync(string json) => _client.SendTextAsync(json, TestServers.Bounded());

    /// <summary>The next message, parsed (the caller disposes it).</summary>
    public async Task<JsonDocument> ReceiveAsync()
    {
        RealtimeMessage message = await _client.ReceiveAsync(TestServers.Bounded());
        Assert.False(message.IsClose, "the session ended");
        Assert.Equal(MessageType.Text, message.Type);
        return JsonDocument.Parse(message.Data);
    }

    /// <summary>The next message's root, cloned (no document to dispose).</summary>
    public async Task<JsonElement> NextAsync()
    {
        using JsonDocument document = await ReceiveAsync();
        return document.RootElement.Clone();
    }

    /// <summary>The next message, which must be of kind <paramref name="kind"/>.</summary>
    public async Task<JsonElement> NextAsync(string kind)
    {
        JsonElement next = await NextAsync();
        Assert.Equal(kind, next.GetProperty("k").GetString());
        return next;
    }

    /// <summary>Messages up to and including the first of kind <paramref name="kind"/>.</summary>
    public async Task<List<JsonElement>> UntilAsync(string kind)
    {
        var messages = new List<JsonElement>();
        while (true)
        {
            JsonElement next = await NextAsync();
            messages.Add(next);
            if (next.GetProperty("k").GetString() == kind)
            {
                return messages;
            }
        }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
