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
/// With <c>DUPLEX_TEST_HOST=aspnetcore</c> in the environment the very same endpoint is served by
/// ASP.NET Core on Kestrel through Duplex.AspNetCore (<see cref="HostedRealtimeServer"/>), so
/// every test written against it also checks the host (test.sh runs them both ways).
/// </summary>
internal sealed class RealtimeTestServer : IAsyncDisposable
{
    private readonly IAsyncDisposable _host;

    private RealtimeTestServer(IAsyncDisposable host, int port, RealtimeEndpoint endpoint)
    {
        _host = host;
        Port = port;
        Endpoint = endpoint;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/realtime/"), Timeout = Bounded.Default };
    }

    /// <summary>Whether this run serves through ASP.NET Core (DUPLEX_TEST_HOST=aspnetcore) rather than the built-in server.</summary>
    public static bool Hosted { get; } = string.Equals(Environment.GetEnvironmentVariable("DUPLEX_TEST_HOST"), "aspnetcore", StringComparison.OrdinalIgnoreCase);

    public RealtimeEndpoint Endpoint { get; }

    public HttpClient Http { get; }

    public int Port { get; }

    public static Task EchoAsync(RealtimeSession session, CancellationToken cancellationToken) => EchoCoreAsync(session, cancellationToken);

    public static async Task<RealtimeTestServer> StartAsync(RealtimeOptions? options = null, RealtimeHandler? handler = null)
    {
        if (Hosted)
        {
            HostedRealtimeServer hosted = await HostedRealtimeServer.StartAsync(handler ?? EchoAsync, options);
            return new RealtimeTestServer(hosted, hosted.Port, hosted.Endpoint);
        }

        var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, ShutdownTimeout = TimeSpan.FromSeconds(5) });
        RealtimeEndpoint endpoint = server.MapRealtime("/realtime", handler ?? EchoAsync, options);
        await server.StartAsync();
        return new RealtimeTestServer(server, server.LocalEndPoint.Port, endpoint);
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
        await _host.DisposeAsync();
    }

    private static async Task EchoCoreAsync(RealtimeSession session, CancellationToken cancellationToken)
    {
        await foreach (RealtimeMessage message in session.ReadMessagesAsync(cancellationToken))
        {
            await session.SendAsync(message.Type, message.Data, cancellationToken);
        }
    }
}
