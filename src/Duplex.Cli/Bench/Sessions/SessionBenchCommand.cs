using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Duplex.Realtime;
using Microsoft.Extensions.Logging;

namespace Duplex.Cli.Bench.Sessions;

/// <summary><c>duplex bench sessions</c> and the server it measures Duplex with, <c>duplex bench session-server</c>.</summary>
internal static class SessionBenchCommand
{
    public static Command CreateSessions(CliContext context)
    {
        var server = new Option<string>("--server") { Description = "Which library: duplex (RealtimeClient against a Duplex realtime endpoint) or signalr (SignalR's client against bench/SignalRAnchor).", DefaultValueFactory = _ => "duplex" };
        server.AcceptOnlyFromAmong("duplex", "signalr");
        var url = new Option<string?>("--url") { Description = "http://host:port of the bench server (duplex bench session-server, or bench/SignalRAnchor). Default for duplex: one started in this process." };
        var transport = new Option<string>("--transport", "-t") { Description = "websocket, sse, long-polling or polling (SignalR has no polling).", DefaultValueFactory = _ => "websocket" };
        transport.AcceptOnlyFromAmong("websocket", "sse", "long-polling", "polling");
        var clients = new Option<int>("--clients", "-c") { Description = "Clients (sessions), each on its own transport connection(s).", DefaultValueFactory = _ => 1 };
        var rate = new Option<double>("--rate", "-r") { Description = "Messages per second per client, in each direction's window.", DefaultValueFactory = _ => 20 };
        var size = new Option<int>("--size", "-s") { Description = "Payload bytes of every message (text; at least 16: a sequence number and a timestamp).", DefaultValueFactory = _ => SessionStamp.MinSize };
        var duration = new Option<double>("--duration", "-d") { Description = "Seconds measured in each direction.", DefaultValueFactory = _ => 5 };
        var warmup = new Option<double>("--warmup", "-w") { Description = "Seconds of the same load before each direction's window.", DefaultValueFactory = _ => 1 };
        var pollInterval = new Option<double?>("--poll-interval") { Description = "Short polling's interval in seconds (default: the server's suggestion, 2 s)." };
        var parallel = new Option<int>("--parallel") { Description = "Clients connecting at the same time.", DefaultValueFactory = _ => 10 };
        BenchCommand.Positive(clients);
        BenchCommand.Positive(rate);
        BenchCommand.Positive(duration);
        BenchCommand.NotNegative(warmup);
        BenchCommand.Positive(parallel);
        size.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < SessionStamp.MinSize)
            {
                r.AddError($"--size must be at least {SessionStamp.MinSize} (a sequence number and a timestamp).");
            }
        });
        pollInterval.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is double v && !(v > 0))
            {
                r.AddError("--poll-interval must be greater than 0.");
            }
        });
        var common = new BenchCommand.CommonOptions();
        var command = new Command("sessions", "N session clients on one transport, through a counting relay: latency each way (p50-p99.9), bytes on the wire and HTTP requests per delivered message, loss; for Duplex or SignalR.")
        {
            server, url, transport, clients, rate, size, duration, warmup, pollInterval, parallel,
        };
        common.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            BenchCommon options = common.Read(parse);
            BenchServerKind kind = parse.GetValue(server) == "signalr" ? BenchServerKind.SignalR : BenchServerKind.Duplex;
            RealtimeTransports.TryParse(parse.GetValue(transport), out RealtimeTransport pinned);
            string? problem = CpuMeter.CheckServerPid(options.ServerPid);
            Uri? target = null;
            if (parse.GetValue(url) is string text && (!Uri.TryCreate(text, UriKind.Absolute, out target) || target.Scheme != "http"))
            {
                problem ??= $"--url '{text}' is not an http:// URL.";
            }

            if (kind == BenchServerKind.SignalR && target is null)
            {
                problem ??= "--server signalr needs --url of a running bench/SignalRAnchor.";
            }

            if (kind == BenchServerKind.SignalR && SessionBench.SignalRTransport(pinned) is null)
            {
                problem ??= $"SignalR has no {parse.GetValue(transport)} transport.";
            }

            if (problem is not null)
            {
                await context.Error.WriteLineAsync($"duplex bench sessions: {problem}").ConfigureAwait(false);
                return CliArguments.UsageError;
            }

            double? interval = parse.GetValue(pollInterval);
            var settings = new SessionSettings(
                kind, pinned, parse.GetValue(clients), parse.GetValue(rate), parse.GetValue(size),
                TimeSpan.FromSeconds(parse.GetValue(duration)), TimeSpan.FromSeconds(parse.GetValue(warmup)),
                target, interval is double s ? TimeSpan.FromSeconds(s) : null, parse.GetValue(parallel));
            return await SessionBench.RunAsync(settings, options, context, ct).ConfigureAwait(false);
        });
        return command;
    }

    public static Command CreateSessionServer(CliContext context)
    {
        var host = new Option<string>("--host") { Description = "The address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "The port to listen on; 0 picks a free one.", DefaultValueFactory = _ => 0 };
        port.Validators.Add(CliArguments.ValidatePort);
        var command = new Command("session-server", "The server duplex bench sessions measures Duplex with: sessions at /rt over every transport, and its /bench control requests; until Ctrl+C.") { host, port };
        command.SetAction(async (parse, ct) =>
        {
            string name = parse.GetValue(host)!;
            if (!CliArguments.TryParseHost(name, out IPAddress? address))
            {
                await context.Error.WriteLineAsync($"duplex bench session-server: '{name}' is not an IP address (or localhost).").ConfigureAwait(false);
                return CliArguments.UsageError;
            }

            using ILoggerFactory loggerFactory = context.CreateLoggerFactory(LogLevel.Warning);
            DuplexBenchServer server;
            try
            {
                server = await DuplexBenchServer.StartAsync(address, parse.GetValue(port), loggerFactory, null, ct).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                await context.Error.WriteLineAsync($"duplex bench session-server: cannot listen on {name}:{parse.GetValue(port)}: {ex.Message}").ConfigureAwait(false);
                return 1;
            }

            await using (server.ConfigureAwait(false))
            {
                await context.Out.WriteLineAsync($"session bench server on http://{CliArguments.Authority(name, address, server.EndPoint.Port)} (sessions at {DuplexBenchServer.BasePath})").ConfigureAwait(false);
                await context.Out.FlushAsync(ct).ConfigureAwait(false);
                context.ServerStarted?.Invoke(server.EndPoint);
                await ServeCommand.WaitForCancellationAsync(ct).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}
