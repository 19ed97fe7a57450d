using System.Diagnostics.Metrics;
using System.Net;
using Duplex.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Duplex.Tests.Http;

/// <summary>HTTPS with keep-alive, and every refusal logged and counted on duplex.requests.rejected.</summary>
public sealed class HttpTlsAndDiagnosticsTests
{
    [Fact]
    public async Task HTTPS_requests_reuse_one_connection_and_the_exchange_says_https()
    {
        var seen = new List<(bool Https, int Port)>();
        await using var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, ServerCertificate = TestCertificate.Localhost });
        server.MapGet("/", (exchange, ct) =>
        {
            lock (seen)
            {
                seen.Add((exchange.IsHttps, ((IPEndPoint)exchange.RemoteEndPoint!).Port));
            }

            return exchange.RespondTextAsync(200, "secure", ct).AsTask();
        });
        await server.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        }) { Timeout = Bounded.Default };

        var uri = new Uri($"https://127.0.0.1:{server.LocalEndPoint.Port}/");
        Assert.Equal("secure", await client.GetStringAsync(uri));
        Assert.Equal("secure", await client.GetStringAsync(uri));

        Assert.Equal(2, seen.Count);
        Assert.All(seen, s => Assert.True(s.Https));
        Assert.Equal(seen[0].Port, seen[1].Port);
    }

    [Fact]
    public async Task Refusals_are_logged_and_counted_with_their_status_on_the_hosts_meter()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var statuses = new System.Collections.Concurrent.ConcurrentQueue<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "duplex.requests.rejected" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "status")
                {
                    statuses.Enqueue((int)tag.Value!);
                }
            }
        });
        listener.Start();
        var lines = new LogLines();
        using var logging = LoggerFactory.Create(builder => builder.AddProvider(lines).SetMinimumLevel(LogLevel.Information));
        await using var server = new DuplexServer(new DuplexServerOptions { Address = IPAddress.Loopback, Port = 0, MeterFactory = factory }, logging);
        server.MapGet("/", HttpTestServer.Text("ok"));
        await server.StartAsync();
        string host = $"Host: 127.0.0.1:{server.LocalEndPoint.Port}\r\n";

        foreach (string request in new[]
        {
            $"POST / HTTP/1.1\r\n{host}Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            $"GET /missing HTTP/1.1\r\n{host}\r\n",
            $"DELETE / HTTP/1.1\r\n{host}\r\n",
        })
        {
            await using RawHttpClient client = await RawHttpClient.ConnectAsync(server.LocalEndPoint.Port);
            await client.RequestAsync(request);
        }

        await HttpTestServer.EventuallyAsync(() => statuses.Count == 3, "three refusals to be counted");
        Assert.Equal([400, 404, 405], statuses.Order());
        Assert.Contains(lines.All, l => l.Contains("400", StringComparison.Ordinal) && l.Contains("Content-Length and Transfer-Encoding", StringComparison.Ordinal));
        Assert.Contains(lines.All, l => l.Contains("405", StringComparison.Ordinal) && l.Contains("DELETE", StringComparison.Ordinal));
    }

    private sealed class LogLines : ILoggerProvider, ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> All => [.. _lines];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}
