using System.Net;
using System.Text;
using System.Threading.Channels;

namespace Duplex.Tests.Interop;

/// <summary>What the Duplex server saw of one accepted WebSocket connection.</summary>
public sealed record AcceptedConnection(string Path, string? SubProtocol, string? Extensions, string? Origin, string? UserAgent);

/// <summary>
/// The Duplex server the interop peers talk to: 127.0.0.1, a port the OS picks, stopped on
/// dispose. <see cref="EchoPath"/> echoes every message with its type until the peer closes
/// and records the close it got; <see cref="ServerClosePath"/> closes from the server side
/// right away with <see cref="ServerCloseCode"/> and <see cref="ServerCloseReason"/>;
/// <see cref="SmallPath"/> echoes like <see cref="EchoPath"/> but allows messages of at most
/// <see cref="SmallMessageLimit"/> bytes; <see cref="DeflatePath"/> echoes with permessage-deflate
/// enabled for that endpoint alone (its own <see cref="WebSocketEndpointOptions.WebSocket"/>),
/// whatever the server-wide setting. With a compression option, the server-wide
/// <see cref="DuplexServerOptions.WebSocket"/> (and <see cref="SmallPath"/>) negotiate
/// permessage-deflate with it. With a
/// static directory, the files below it are served on "/" (for the browser's page).
/// With <c>DUPLEX_TEST_HOST=aspnetcore</c> in the environment the same endpoints are served by
/// ASP.NET Core on Kestrel through Duplex.AspNetCore (test.sh runs the interop tests both ways).
/// </summary>
public sealed class InteropDuplexServer : IAsyncDisposable
{
    /// <summary>Whether this run serves through ASP.NET Core (DUPLEX_TEST_HOST=aspnetcore) rather than the built-in server.</summary>
    public static bool Hosted { get; } = string.Equals(Environment.GetEnvironmentVariable("DUPLEX_TEST_HOST"), "aspnetcore", StringComparison.OrdinalIgnoreCase);

    public const string EchoPath = "/echo";
    public const string ServerClosePath = "/server-close";
    public const int ServerCloseCode = 4001;
    public const string ServerCloseReason = "server says bye \u2713";
    public const string SmallPath = "/small";
    public const string DeflatePath = "/deflate";
    public const int SmallMessageLimit = 1024;
    public const long MaxMessageSize = 64 * 1024 * 1024;

    private readonly Channel<ReceivedClose> _closes = Channel.CreateUnbounded<ReceivedClose>();
    private readonly Channel<AcceptedConnection> _accepted = Channel.CreateUnbounded<AcceptedConnection>();
    private readonly Channel<string> _handlerErrors = Channel.CreateUnbounded<string>();

    private IAsyncDisposable? _host;

    private InteropDuplexServer()
    {
    }

    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:port/</summary>
    public Uri HttpUri => new($"http://127.0.0.1:{Port}/");

    /// <summary>ws://127.0.0.1:port + path</summary>
    public Uri WebSocketUri(string path = EchoPath) => new($"ws://127.0.0.1:{Port}{path}");

    /// <param name="subProtocols">Subprotocols the endpoints select from.</param>
    /// <param name="staticDirectory">Files to serve on "/", or null.</param>
    /// <param name="compression">permessage-deflate for the whole server (null: off, except on <see cref="DeflatePath"/>).</param>
    public static async Task<InteropDuplexServer> StartAsync(
        IReadOnlyList<string>? subProtocols = null,
        string? staticDirectory = null,
        PerMessageDeflateOptions? compression = null)
    {
        var host = new InteropDuplexServer();
        var endpoint = new WebSocketEndpointOptions { SubProtocols = subProtocols ?? [] };
        var connection = new WebSocketConnectionOptions { MaxMessageSize = MaxMessageSize, Compression = compression };
        var small = new WebSocketEndpointOptions
        {
            SubProtocols = endpoint.SubProtocols,
            WebSocket = new WebSocketConnectionOptions { MaxMessageSize = SmallMessageLimit, Compression = compression },
        };
        var deflate = new WebSocketEndpointOptions
        {
            SubProtocols = endpoint.SubProtocols,
            WebSocket = new WebSocketConnectionOptions { MaxMessageSize = MaxMessageSize, Compression = new PerMessageDeflateOptions() },
        };
        if (Hosted)
        {
            Support.HostedEchoServer hosted = await Support.HostedEchoServer.StartAsync(connection, map: app =>
            {
                Duplex.AspNetCore.DuplexEndpointRouteBuilderExtensions.MapWebSocket(app, ServerClosePath, host.CloseAtOnceAsync, endpoint);
                Duplex.AspNetCore.DuplexEndpointRouteBuilderExtensions.MapWebSocket(app, SmallPath, host.EchoAsync, small);
                Duplex.AspNetCore.DuplexEndpointRouteBuilderExtensions.MapWebSocket(app, DeflatePath, host.EchoAsync, deflate);
            }, echo: (host.EchoAsync, endpoint), staticDirectory: staticDirectory).ConfigureAwait(false);
            host._host = hosted;
            host.Port = hosted.Port;
            return host;
        }

        var server = new DuplexServer(new DuplexServerOptions
        {
            Address = IPAddress.Loopback,
            Port = 0,
            WebSocket = connection,
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        });
        server.MapWebSocket(EchoPath, host.EchoAsync, endpoint);
        server.MapWebSocket(ServerClosePath, host.CloseAtOnceAsync, endpoint);
        server.MapWebSocket(SmallPath, host.EchoAsync, small);
        server.MapWebSocket(DeflatePath, host.EchoAsync, deflate);
        if (staticDirectory is not null)
        {
            server.MapStaticFiles(staticDirectory, "/");
        }

        try
        {
            await server.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        host._host = server;
        host.Port = server.LocalEndPoint.Port;
        return host;
    }

    /// <summary>Waits for the next WebSocket the server accepted.</summary>
    public Task<AcceptedConnection> WaitForAcceptAsync(TimeSpan timeout) =>
        ReadAsync(_accepted, timeout, "the Duplex server accepted no WebSocket");

    /// <summary>Waits for the next close frame an echo connection received from its peer.</summary>
    public Task<ReceivedClose> WaitForCloseAsync(TimeSpan timeout) =>
        ReadAsync(_closes, timeout, "the Duplex server's echo endpoint received no close");

    /// <summary>Errors the endpoint handlers met so far (a failing test shows them).</summary>
    public string HandlerErrors
    {
        get
        {
            var text = new StringBuilder();
            while (_handlerErrors.Reader.TryRead(out var error))
            {
                text.Append(error).Append('\n');
            }

            return text.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<T> ReadAsync<T>(Channel<T> channel, TimeSpan timeout, string what)
    {
        try
        {
            return await channel.Reader.ReadAsync().AsTask().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what} within {timeout.TotalSeconds:0.#} s. Handler errors: {HandlerErrors}");
        }
    }

    private void RecordAccept(WebSocketConnection ws, string path) =>
        _accepted.Writer.TryWrite(new AcceptedConnection(
            path,
            ws.SubProtocol,
            ws.Extensions,
            ws.Request?.Headers["Origin"],
            ws.Request?.Headers["User-Agent"]));

    private async Task EchoAsync(WebSocketConnection ws, CancellationToken cancellationToken)
    {
        RecordAccept(ws, ws.Request?.Path ?? EchoPath);
        try
        {
            while (true)
            {
                var message = await ws.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                if (message.IsClose)
                {
                    _closes.Writer.TryWrite(new ReceivedClose((int?)ws.CloseStatus, ws.CloseStatusDescription));
                    return;
                }

                await ws.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            _handlerErrors.Writer.TryWrite($"echo: {e}");
            throw;
        }
    }

    private async Task CloseAtOnceAsync(WebSocketConnection ws, CancellationToken cancellationToken)
    {
        RecordAccept(ws, ServerClosePath);
        try
        {
            await ws.CloseAsync((CloseStatus)ServerCloseCode, ServerCloseReason, cancellationToken).ConfigureAwait(false);
            _closes.Writer.TryWrite(new ReceivedClose((int?)ws.CloseStatus, ws.CloseStatusDescription));
        }
        catch (Exception e)
        {
            _handlerErrors.Writer.TryWrite($"server-close: {e}");
            throw;
        }
    }
}

/// <summary>Deterministic payloads, the same patterns the peer scripts use.</summary>
public static class InteropPayloads
{
    /// <summary><paramref name="size"/> bytes where byte i is (i * 31 + 7) mod 256.</summary>
    public static byte[] Binary(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)((i * 31) + 7);
        }

        return bytes;
    }

    /// <summary>A string whose UTF-8 form is exactly <paramref name="byteLength"/> bytes, mixing 1- to 4-byte characters.</summary>
    public static string Text(int byteLength)
    {
        const string unit = "Duplex \u00e9\u00df \u2713\u20ac \U0001F600 0123456789 ";
        var unitBytes = Encoding.UTF8.GetByteCount(unit);
        var text = new StringBuilder(byteLength);
        for (var i = 0; i < byteLength / unitBytes; i++)
        {
            text.Append(unit);
        }

        text.Append('x', byteLength - Encoding.UTF8.GetByteCount(text.ToString()));
        return text.ToString();
    }

    /// <summary>Fails with where two byte sequences first differ.</summary>
    public static void AssertSameBytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        if (expected.Length != actual.Length)
        {
            Assert.Fail($"{what}: {actual.Length} bytes, expected {expected.Length}");
        }

        var index = expected.CommonPrefixLength(actual);
        Assert.Fail($"{what}: first difference at byte {index}: 0x{actual[index]:x2} instead of 0x{expected[index]:x2}");
    }
}

/// <summary>Time limits of the interop tests: generous, since peers start processes on a 2-core machine.</summary>
public static class InteropTimeouts
{
    /// <summary>A server peer prints LISTENING.</summary>
    public static readonly TimeSpan PeerStart = TimeSpan.FromSeconds(30);

    /// <summary>A client peer runs its whole script.</summary>
    public static readonly TimeSpan PeerRun = TimeSpan.FromSeconds(90);

    /// <summary>Chromium starts, loads the page and runs its script.</summary>
    public static readonly TimeSpan Browser = TimeSpan.FromSeconds(150);

    /// <summary>One step of a test: a message, a close, an event line.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    /// <summary>A token that cancels after <see cref="Step"/> (or <paramref name="timeout"/>).</summary>
    public static CancellationToken Token(TimeSpan? timeout = null) => new CancellationTokenSource(timeout ?? Step).Token;
}
