using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Duplex.Realtime;
using Microsoft.Extensions.Logging;

namespace Duplex.Cli;

/// <summary><c>duplex serve</c>: the demo page, a WebSocket echo at /echo and a session echo at /realtime.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var host = new Option<string>("--host") { Description = "The address to listen on (an IP address or localhost).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "The port to listen on; 0 picks a free one.", DefaultValueFactory = _ => 8080 };
        port.Validators.Add(CliArguments.ValidatePort);
        var web = new Option<string?>("--web") { Description = "The folder of static files served at / (default: the web folder next to the executable)." };

        var command = new Command("serve", "Serve the demo page at /, a WebSocket echo at /echo and a session echo (every transport, duplex.js) at /realtime until Ctrl+C.") { host, port, web };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(web), context, ct));
        return command;
    }

    private static async Task<int> RunAsync(string host, int port, string? web, CliContext context, CancellationToken cancellationToken)
    {
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

        using ILoggerFactory loggerFactory = context.CreateLoggerFactory(LogLevel.Information);
        ILogger logger = loggerFactory.CreateLogger("Duplex.Cli");
        // Browsers offer permessage-deflate on every WebSocket: the demo accepts it.
        var webSocket = new WebSocketConnectionOptions { Compression = new PerMessageDeflateOptions() };
        await using var server = new DuplexServer(new DuplexServerOptions { Address = address, Port = port, WebSocket = webSocket }, loggerFactory);
        server.MapWebSocket("/echo", Endpoints.EchoAsync);
        server.MapRealtime("/realtime", Endpoints.SessionEchoAsync);
        server.MapStaticFiles(webRoot, "/");
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            await context.Error.WriteLineAsync($"duplex serve: cannot listen on {host}:{port}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        IPEndPoint bound = server.LocalEndPoint;
        CliLog.ServeListening(logger, CliArguments.Authority(host, address, bound.Port));
        context.ServerStarted?.Invoke(bound);
        await WaitForCancellationAsync(cancellationToken).ConfigureAwait(false);

        CliLog.ShuttingDown(logger);
        await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
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
}
