using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Duplex.Cli.Apps;
using Duplex.Cli.Compare;
using Duplex.Cli.Compare.Server;
using Duplex.Cli.Hosting;
using Duplex.Cli.Tls;
using Duplex.Realtime;
using Microsoft.Extensions.Logging;

namespace Duplex.Cli;

/// <summary>
/// <c>duplex serve</c>: the demo page, a WebSocket echo at /echo, a session echo at /realtime with
/// its channels (the chat page's rooms, and the ticker page's prices from a <see cref="TickerSource"/>),
/// on the built-in server or, with <c>--aspnetcore</c>, on Kestrel (<see cref="IServeHost"/>).
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var host = new Option<string>("--host") { Description = "The address to listen on (an IP address or localhost).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "The port to listen on; 0 picks a free one.", DefaultValueFactory = _ => 8080 };
        port.Validators.Add(CliArguments.ValidatePort);
        var web = new Option<string?>("--web") { Description = "The folder of static files served at / (default: the web folder next to the executable)." };
        var tickerInterval = new Option<int>("--ticker-interval") { Description = "Milliseconds between two price ticks of each ticker symbol (channels ticker/SYMBOL).", DefaultValueFactory = _ => 250 };
        tickerInterval.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() <= 0)
            {
                r.AddError("--ticker-interval must be a positive number of milliseconds.");
            }
        });

        var compareHeartbeat = new Option<int>("--compare-heartbeat") { Description = "Milliseconds: the heartbeat interval of the compare workload's endpoint /compare (how soon a dead flow is noticed; long polls are held at most this long).", DefaultValueFactory = _ => 2000 };
        compareHeartbeat.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() <= 0)
            {
                r.AddError("--compare-heartbeat must be a positive number of milliseconds.");
            }
        });

        var compareMemory = new Option<bool>("--compare-memory")
        {
            Description = "Let the compare workload answer memory requests with the managed heap after a full garbage collection (how duplex compare measures memory per client on the servers it starts; off by default, since each request collects).",
        };

        var aspNetCore = new Option<bool>("--aspnetcore")
        {
            Description = "Serve through ASP.NET Core on Kestrel (Duplex.AspNetCore) instead of the built-in server: HTTP/1.1 and HTTP/2 on one port (h2c by prior knowledge on http://, ALPN h2 with --tls), WebSockets over both (RFC 8441).",
        };
        var logRequests = new Option<bool>("--log-requests") { Description = "With --aspnetcore: print 'PROTOCOL METHOD PATH' on stdout for every request as it arrives (HTTP/2 CONNECT /echo for a WebSocket over HTTP/2)." };
        var tls = new TlsOptions();

        var command = new Command("serve", "Serve the demo pages at / (echo, chat, ticker, compare), a WebSocket echo at /echo, a session endpoint with channels (every transport, duplex.js) at /realtime and the workload of duplex compare at /compare until Ctrl+C.") { host, port, web, tickerInterval, compareHeartbeat, compareMemory, aspNetCore, logRequests };
        tls.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(logRequests) && !result.GetValue(aspNetCore))
            {
                result.AddError("--log-requests needs --aspnetcore.");
            }
        });
        command.SetAction((parse, ct) => RunAsync(
            new ServeSettings(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(web), TimeSpan.FromMilliseconds(parse.GetValue(tickerInterval)), TimeSpan.FromMilliseconds(parse.GetValue(compareHeartbeat)), parse.GetValue(compareMemory), parse.GetValue(aspNetCore), parse.GetValue(logRequests)),
            tls.Read(parse, context.GetEnvironmentVariable),
            context,
            ct));
        return command;
    }

    private static async Task<int> RunAsync(ServeSettings settings, TlsSettings tls, CliContext context, CancellationToken cancellationToken)
    {
        (string host, int port, string? web, TimeSpan tickerInterval, TimeSpan compareHeartbeat, bool compareMemory, bool aspNetCore, bool logRequests) = settings;
        if (!CliArguments.TryParseHost(host, out IPAddress? address))
        {
            await context.Error.WriteLineAsync($"duplex serve: '{host}' is not an IP address (or localhost).").ConfigureAwait(false);
            return CliArguments.UsageError;
        }

        string webRoot = Path.GetFullPath(web ?? Path.Combine(AppContext.BaseDirectory, "web"));
        if (!Directory.Exists(webRoot))
        {
            await context.Error.WriteLineAsync($"duplex serve: the web folder {webRoot} does not exist (give one with --web DIR).").ConfigureAwait(false);
            return CliArguments.UsageError;
        }

        X509Certificate2? certificate;
        try
        {
            certificate = tls.LoadCertificate(context.Out, TimeProvider.System);
        }
        catch (CertificateLoadException ex)
        {
            await context.Error.WriteLineAsync($"duplex serve: {ex.Message}").ConfigureAwait(false);
            return CliArguments.UsageError;
        }

        using X509Certificate2? serverCertificate = certificate;
        using ILoggerFactory loggerFactory = context.CreateLoggerFactory(LogLevel.Information);
        ILogger logger = loggerFactory.CreateLogger("Duplex.Cli");
        // Browsers offer permessage-deflate on every WebSocket: the demo accepts it.
        var hostOptions = new ServeHostOptions(address, port, serverCertificate, new WebSocketConnectionOptions { Compression = new PerMessageDeflateOptions() });
        await using IServeHost server = aspNetCore
            ? new AspNetCoreServeHost(hostOptions, loggerFactory, logRequests ? context.Out : null)
            : new BuiltInServeHost(hostOptions, loggerFactory);
        CompareRoutes compare = CompareServe.Create(compareHeartbeat, new CompareReportStore(context.GetEnvironmentVariable), loggerFactory.CreateLogger("Duplex.Cli.Compare"), compareMemory);
        RealtimeEndpoint realtime = Endpoints.MapServe(server, webRoot, compare);
        IPEndPoint bound;
        try
        {
            bound = await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ServeListenException ex)
        {
            await context.Error.WriteLineAsync($"duplex serve: cannot listen on {host}:{port}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        CliLog.ServeListening(logger, tls.HttpScheme, CliArguments.Authority(host, address, bound.Port), tls.WebSocketScheme);
        using var stopTicker = new CancellationTokenSource();
        Task ticker = new TickerSource(realtime.Channels, tickerInterval).RunAsync(stopTicker.Token);
        context.ServerStarted?.Invoke(bound);
        await WaitForCancellationAsync(cancellationToken).ConfigureAwait(false);

        CliLog.ShuttingDown(logger);
        await stopTicker.CancelAsync().ConfigureAwait(false);
        await ticker.ConfigureAwait(false);
        await server.StopAsync().ConfigureAwait(false);
        CliLog.Stopped(logger);
        return 0;
    }

    /// <summary>Completes (without throwing) when <paramref name="cancellationToken"/> is cancelled.</summary>
    internal static Task WaitForCancellationAsync(CancellationToken cancellationToken)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), stopped);
        return stopped.Task;
    }

    /// <summary>What the options of <c>duplex serve</c> other than TLS say.</summary>
    private sealed record ServeSettings(string Host, int Port, string? Web, TimeSpan TickerInterval, TimeSpan CompareHeartbeat, bool CompareMemory, bool AspNetCore, bool LogRequests);
}
