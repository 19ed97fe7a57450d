using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Duplex.Tests.Support;

namespace Duplex.Realtime.Tests.Server;

/// <summary>
/// A Duplex server on 127.0.0.1 (port picked by the OS) with a realtime endpoint at /realtime
/// whose handler echoes every message to its sender (same type), stopped on dispose; and the
/// raw protocol requests of docs/PROTOCOL.md, made with HttpClient and the WebSocket client.
/// </summary>
internal sealed class RealtimeTestServer : IAsyncDisposable
{
    private RealtimeTestServer(DuplexServer server, RealtimeEndpoint endpoint)
    {
        Server = server;
        Endpoint = endpoint;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.LocalEndPoint.Port}/realtime/"), Timeout = Bounded.Default };
    }

    public DuplexServer Server { get; }

    public RealtimeEndpoint Endpoint { get; }

    public HttpClient Http { get; }

    public int Port => Server.LocalEndPoint.Port;

    public static Task EchoAsync(RealtimeSession session, CancellationToken cancellationToken) => EchoCoreAsync(session, cancellationToken);

    public static async Task<RealtimeTestServer> StartAsync(RealtimeOptions? options = null, RealtimeHandler? handler = null)
    {
        var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, ShutdownTimeout = TimeSpan.FromSeconds(5) });
        RealtimeEndpoint endpoint = server.MapRealtime("/realtime", handler ?? EchoAsync, options);
        await server.StartAsync();
        return new RealtimeTestServer(server, endpoint);
    }

    /// <summary>POST negotiate?v=1; returns the session id and the parsed answer.</summary>
    public async Task<(string Session, JsonElement Answer)> NegotiateAsync()
    {
        using HttpResponseMessage response = await Http.PostAsync("negotiate?v=1", null).WaitAsync(Bounded.Default);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (answer.GetProperty("session").GetString()!, answer);
    }

    /// <summary>POST send with a JSON array body; returns the status and the body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(string session, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        using HttpResponseMessage response = await Http.PostAsync($"send?v=1&session={session}", content).WaitAsync(Bounded.Default);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>GET poll; returns the status and the body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> PollAsync(string session, long ack, bool wait = true, CancellationToken cancellationToken = default)
    {
        string url = $"poll?v=1&session={session}&ack={ack}" + (wait ? string.Empty : "&wait=0");
        using HttpResponseMessage response = await Http.GetAsync(url, cancellationToken).WaitAsync(Bounded.Default);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public Task<WebSocketConnection> ConnectWebSocketAsync(string session, long ack, WebSocketClientOptions? options = null) =>
        WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{Port}/realtime/ws?v=1&session={session}&ack={ack}"), options, Bounded.Token());

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    private static async Task EchoCoreAsync(RealtimeSession session, CancellationToken cancellationToken)
    {
        await foreach (RealtimeMessage message in session.ReadMessagesAsync(cancellationToken))
        {
            await session.SendAsync(message.Type, message.Data, cancellationToken);
        }
    }
}
