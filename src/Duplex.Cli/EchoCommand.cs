using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Duplex.Cli;

/// <summary><c>duplex echo</c>: a bare WebSocket echo server with a publish → broadcast fan-out, for tests and benchmarks.</summary>
internal static class EchoCommand
{
    public static Command Create(CliContext context)
    {
        var host = new Option<string>("--host") { Description = "The address to listen on (an IP address or localhost).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "The port to listen on; 0 picks a free one.", DefaultValueFactory = _ => 9001 };
        port.Validators.Add(CliArguments.ValidatePort);
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log connections and errors (Information and above) instead of warnings only." };
        var deflate = new Option<bool>("--deflate") { Description = "Accept permessage-deflate (RFC 7692) when a client offers it." };

        var command = new Command(
            "echo",
            "A bare WebSocket server: /echo echoes every message; every message sent to /publish goes to every connection on /broadcast.")
        {
            host, port, verbose, deflate,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(verbose), parse.GetValue(deflate), context, ct));
        return command;
    }

    private static async Task<int> RunAsync(string host, int port, bool verbose, bool deflate, CliContext context, CancellationToken cancellationToken)
    {
        if (!CliArguments.TryParseHost(host, out IPAddress? address))
        {
            await context.Error.WriteLineAsync($"duplex echo: '{host}' is not an IP address (or localhost).").ConfigureAwait(false);
            return CliArguments.UsageError;
        }

        using ILoggerFactory loggerFactory = context.CreateLoggerFactory(verbose ? LogLevel.Debug : LogLevel.Warning);
        var webSocket = new WebSocketConnectionOptions
        {
            // Room for the largest messages of the Autobahn|Testsuite (16 MiB) and of benchmarks.
            MaxMessageSize = 64 * 1024 * 1024,
            Compression = deflate ? new PerMessageDeflateOptions() : null,
        };
        await using var server = new DuplexServer(new DuplexServerOptions { Address = address, Port = port, WebSocket = webSocket }, loggerFactory);
        var hub = new BroadcastHub();
        // No handler here reads the upgrade request: do not keep it per connection.
        var endpoint = new WebSocketEndpointOptions { RetainRequest = false };
        server.MapWebSocket("/echo", Endpoints.EchoAsync, endpoint);
        server.MapWebSocket("/publish", hub.PublishAsync, endpoint);
        server.MapWebSocket("/broadcast", hub.SubscribeAsync, endpoint);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            await context.Error.WriteLineAsync($"duplex echo: cannot listen on {host}:{port}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        IPEndPoint bound = server.LocalEndPoint;
        string authority = CliArguments.Authority(host, address, bound.Port);

        // Printed whatever the log level: scripts and benchmarks read the port from it.
        await context.Out.WriteLineAsync($"Duplex echo listening on ws://{authority}/echo (also /publish → /broadcast)").ConfigureAwait(false);
        await context.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        context.ServerStarted?.Invoke(bound);

        await ServeCommand.WaitForCancellationAsync(cancellationToken).ConfigureAwait(false);
        await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return 0;
    }
}
