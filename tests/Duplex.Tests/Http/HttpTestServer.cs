using System.Net;
using Duplex.Tests.Support;

namespace Duplex.Tests.Http;

/// <summary>A Duplex server on 127.0.0.1 with an OS-picked port, mapped by the test; stopped on dispose.</summary>
internal sealed class HttpTestServer : IAsyncDisposable
{
    private HttpTestServer(DuplexServer server)
    {
        Server = server;
    }

    public DuplexServer Server { get; }

    public int Port => Server.LocalEndPoint.Port;

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    public string Authority => $"127.0.0.1:{Port}";

    public static async Task<HttpTestServer> StartAsync(
        Action<DuplexServer> map,
        TimeSpan? keepAliveTimeout = null,
        TimeSpan? bodyTimeout = null,
        long? maxBody = null,
        long? maxDrain = null,
        int? responseBuffer = null,
        CrossOriginOptions? cors = null,
        TimeSpan? shutdownTimeout = null,
        TimeSpan? handshakeTimeout = null)
    {
        var defaults = new DuplexServerOptions();
        var server = new DuplexServer(new DuplexServerOptions
        {
            Address = IPAddress.Loopback,
            Port = 0,
            KeepAliveTimeout = keepAliveTimeout ?? defaults.KeepAliveTimeout,
            RequestBodyTimeout = bodyTimeout ?? defaults.RequestBodyTimeout,
            MaxRequestBodySize = maxBody ?? defaults.MaxRequestBodySize,
            MaxDrainedRequestBodySize = maxDrain ?? defaults.MaxDrainedRequestBodySize,
            ResponseBufferSize = responseBuffer ?? defaults.ResponseBufferSize,
            Cors = cors,
            ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(5),
            HandshakeTimeout = handshakeTimeout ?? defaults.HandshakeTimeout,
        });
        map(server);
        await server.StartAsync();
        return new HttpTestServer(server);
    }

    /// <summary>A handler that answers <paramref name="text"/> as text/plain.</summary>
    public static HttpHandler Text(string text) => (exchange, ct) => exchange.RespondTextAsync(200, text, ct).AsTask();

    /// <summary>A handler that reads the whole body and sends it back.</summary>
    public static HttpHandler Echo { get; } = async (exchange, ct) =>
    {
        byte[] body = await exchange.ReadBodyToEndAsync(16 << 20, ct);
        await exchange.RespondAsync(200, "application/octet-stream", body, ct);
    };

    public async Task<RawHttpClient> ConnectAsync() => await RawHttpClient.ConnectAsync(Port);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Waits, bounded, until <paramref name="condition"/> holds, checking on every turn of a short poll.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        using var cts = new CancellationTokenSource(Bounded.Default);
        while (!condition())
        {
            try
            {
                await Task.Delay(10, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
        }
    }
}
