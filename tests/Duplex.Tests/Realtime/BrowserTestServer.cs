using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Duplex.Realtime;

namespace Duplex.Tests.Realtime;

/// <summary>
/// A Duplex server on 127.0.0.1 (port picked by the OS) for the browser client's tests: a page at
/// / that loads /realtime/duplex.js, and a realtime endpoint at /realtime whose handler echoes
/// every message to its sender (same type) and keeps, in order, every message it received; it
/// ends the session when asked to (<see cref="EndRequest"/>).
/// </summary>
internal sealed class BrowserTestServer : IAsyncDisposable
{
    /// <summary>The text that makes the handler end its session (<see cref="RealtimeCloseReasons.Closed"/>) instead of echoing.</summary>
    public const string EndRequest = "please end the session";

    private const string Page = "<!doctype html>\n<meta charset=\"utf-8\">\n<title>duplex.js test</title>\n<script src=\"/realtime/duplex.js\"></script>\n";

    private readonly ConcurrentQueue<RealtimeMessage> _received = new();
    private readonly ConcurrentQueue<RealtimeTransport?> _transportChanges = new();

    private BrowserTestServer(DuplexServer server) => Server = server;

    public DuplexServer Server { get; }

    public RealtimeEndpoint Endpoint { get; private set; } = null!;

    /// <summary>Every transport change of every session, in order (null: the transport dropped).</summary>
    public IReadOnlyList<RealtimeTransport?> TransportChanges => _transportChanges.ToArray();

    public int Port => Server.LocalEndPoint.Port;

    public Uri PageUri => new($"http://127.0.0.1:{Port}/");

    /// <summary>Every message the sessions received, in the order they arrived.</summary>
    public IReadOnlyList<RealtimeMessage> Received => _received.ToArray();

    public static async Task<BrowserTestServer> StartAsync(RealtimeOptions? options = null)
    {
        var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, ShutdownTimeout = TimeSpan.FromSeconds(5) });
        var test = new BrowserTestServer(server);
        test.Endpoint = server.MapRealtime("/realtime", test.EchoAsync, options);
        server.MapGet("/", (exchange, ct) => exchange.RespondAsync(200, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(Page), ct));
        await server.StartAsync();
        return test;
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private async Task EchoAsync(RealtimeSession session, CancellationToken cancellationToken)
    {
        // Subscribed before the handler's first await: before any transport can attach.
        session.TransportChanged += (_, transport) => _transportChanges.Enqueue(transport);
        await foreach (RealtimeMessage message in session.ReadMessagesAsync(cancellationToken))
        {
            if (message.Type == MessageType.Text && message.Text == EndRequest)
            {
                await session.CloseAsync(RealtimeCloseReasons.Closed);
                return;
            }

            _received.Enqueue(message);
            await session.SendAsync(message.Type, message.Data, cancellationToken);
        }
    }
}
