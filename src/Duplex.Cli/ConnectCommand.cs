using System.CommandLine;
using System.Text;

namespace Duplex.Cli;

/// <summary>
/// <c>duplex connect URL</c>: an interactive client like wscat. Lines from stdin go out as text
/// messages; received messages are printed to stdout; status goes to stderr.
/// </summary>
internal static class ConnectCommand
{
    private const int HexPreviewBytes = 32;

    public static Command Create(CliContext context)
    {
        var url = new Argument<string>("url") { Description = "The server's ws:// or wss:// URL." };
        var headers = new Option<string[]>("--header", "-H") { Description = "An extra request header, \"Name: value\" (repeatable)." };
        var subProtocols = new Option<string[]>("--subprotocol", "-s") { Description = "A subprotocol to offer (repeatable, in order of preference)." };
        var proxy = new Option<string?>("--proxy") { Description = "An HTTP proxy to tunnel through with CONNECT, http://[user:password@]host:port (default: HTTPS_PROXY / HTTP_PROXY)." };
        var insecure = new Option<bool>("--insecure", "-k") { Description = "Skip TLS certificate validation (wss:// to a server with a self-signed certificate)." };
        var origin = new Option<string?>("--origin", "-o") { Description = "The Origin header to send." };
        var deflate = new Option<bool>("--deflate") { Description = "Offer permessage-deflate (RFC 7692)." };

        var command = new Command("connect", "Connect to a WebSocket server: send stdin lines as text messages, print what arrives.")
        {
            url, headers, subProtocols, proxy, insecure, origin, deflate,
        };
        command.SetAction((parse, ct) => RunAsync(
            new Settings(
                parse.GetValue(url)!,
                parse.GetValue(headers) ?? [],
                parse.GetValue(subProtocols) ?? [],
                parse.GetValue(proxy),
                parse.GetValue(insecure),
                parse.GetValue(origin),
                parse.GetValue(deflate)),
            context,
            ct));
        return command;
    }

    private sealed record Settings(string Url, string[] Headers, string[] SubProtocols, string? Proxy, bool Insecure, string? Origin, bool Deflate);

    private static async Task<int> RunAsync(Settings settings, CliContext context, CancellationToken cancellationToken)
    {
        TextWriter stderr = TextWriter.Synchronized(context.Error);
        TextWriter stdout = TextWriter.Synchronized(context.Out);
        if (!TryCreateOptions(settings, out Uri? uri, out WebSocketClientOptions? options, out string? problem))
        {
            await stderr.WriteLineAsync($"duplex connect: {problem}").ConfigureAwait(false);
            return CliArguments.UsageError;
        }

        WebSocketConnection connection;
        try
        {
            connection = await WebSocketClient.ConnectAsync(uri, options, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketHandshakeException ex)
        {
            string what = ex.InnerException is System.Net.Sockets.SocketException or OperationCanceledException ? "connection failed" : "handshake failed";
            await stderr.WriteLineAsync($"duplex connect: {what}: {OneLine(ex.Message)}").ConfigureAwait(false);
            return 1;
        }
        catch (IOException ex)
        {
            await stderr.WriteLineAsync($"duplex connect: connection failed: {OneLine(ex.Message)}").ConfigureAwait(false);
            return 1;
        }
        catch (ArgumentException ex)
        {
            await stderr.WriteLineAsync($"duplex connect: {OneLine(ex.Message)}").ConfigureAwait(false);
            return CliArguments.UsageError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 130;
        }

        await using (connection.ConfigureAwait(false))
        {
            await stderr.WriteLineAsync(connection.SubProtocol is null ? "Connected (no subprotocol)" : $"Connected (subprotocol: {connection.SubProtocol})").ConfigureAwait(false);
            if (connection.Extensions is not null)
            {
                await stderr.WriteLineAsync($"Extensions: {connection.Extensions}").ConfigureAwait(false);
            }
            await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);

            var session = new Session(connection, context.In, stdout, stderr);
            return await session.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool TryCreateOptions(
        Settings settings,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WebSocketClientOptions? options,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        options = null;
        if (!CliArguments.TryParseWebSocketUri(settings.Url, out uri, out problem))
        {
            return false;
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (string header in settings.Headers)
        {
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || header[..colon].Trim().Length == 0)
            {
                problem = $"--header '{header}' is not of the form \"Name: value\".";
                return false;
            }

            headers.Add(new(header[..colon].Trim(), header[(colon + 1)..].Trim()));
        }

        Uri? proxy = null;
        if (settings.Proxy is not null &&
            (!Uri.TryCreate(settings.Proxy.Contains("://", StringComparison.Ordinal) ? settings.Proxy : "http://" + settings.Proxy, UriKind.Absolute, out proxy) ||
             proxy.Scheme != Uri.UriSchemeHttp))
        {
            problem = $"--proxy '{settings.Proxy}' is not an http://host:port URL.";
            return false;
        }

        options = new WebSocketClientOptions
        {
            Headers = headers,
            SubProtocols = settings.SubProtocols,
            Origin = settings.Origin,
            Proxy = proxy,
            RemoteCertificateValidation = settings.Insecure ? (_, _, _, _) => true : null,
            WebSocket = new WebSocketConnectionOptions { Compression = settings.Deflate ? new PerMessageDeflateOptions() : null },
        };
        return true;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    /// <summary>Formats a binary message: "&lt;binary N bytes&gt;" and the first bytes in hex.</summary>
    internal static string FormatBinary(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder();
        text.Append("<binary ").Append(data.Length).Append(data.Length == 1 ? " byte>" : " bytes>");
        int shown = Math.Min(data.Length, HexPreviewBytes);
        if (shown > 0)
        {
            text.Append(' ').Append(Convert.ToHexString(data[..shown]).ToLowerInvariant());
            if (shown < data.Length)
            {
                text.Append('…');
            }
        }

        return text.ToString();
    }

    /// <summary>One connected session: a stdin pump and a receive loop.</summary>
    private sealed class Session(WebSocketConnection connection, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        private int _closingByUs;

        public async Task<int> RunAsync(CancellationToken cancellationToken)
        {
            // Reading the console blocks a thread whatever the API says, so the pump runs on its
            // own; when the server closes first it is simply left behind (the process exits).
            Task pump = Task.Run(() => PumpStdinAsync(cancellationToken), CancellationToken.None);
            bool cancelled = false;
            try
            {
                await ReceiveLoopAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
            }

            if (cancelled)
            {
                // Ctrl+C: close normally, bounded by the connection's close timeout.
                Volatile.Write(ref _closingByUs, 1);
                await CloseQuietlyAsync().ConfigureAwait(false);
                return 130;
            }

            if (Volatile.Read(ref _closingByUs) != 0)
            {
                // stdin ended and we closed: the pump is finishing that closing handshake.
                await pump.ConfigureAwait(false);
                return 0;
            }

            int code = (int)(connection.CloseStatus ?? CloseStatus.AbnormalClosure);
            string reason = string.IsNullOrEmpty(connection.CloseStatusDescription) ? string.Empty : " " + connection.CloseStatusDescription;
            if (connection.CloseStatus is CloseStatus.AbnormalClosure)
            {
                await stderr.WriteLineAsync($"Connection lost: {code} (closed without a close frame){reason}").ConfigureAwait(false);
                return 1;
            }

            await stderr.WriteLineAsync($"Closed by server: {code}{reason}").ConfigureAwait(false);
            return 0;
        }

        private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                WebSocketMessage message = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                switch (message.Type)
                {
                    case MessageType.Close:
                        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        return;
                    case MessageType.Text:
                        await stdout.WriteLineAsync(message.Text).ConfigureAwait(false);
                        break;
                    default:
                        await stdout.WriteLineAsync(FormatBinary(message.Data.Span)).ConfigureAwait(false);
                        break;
                }

                await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        private async Task PumpStdinAsync(CancellationToken cancellationToken)
        {
            try
            {
                while (await stdin.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    await connection.SendTextAsync(line, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The connection is closing or gone (WebSocketClosedException): the receive loop reports it.
                return;
            }

            if (connection.State != WebSocketConnectionState.Open)
            {
                return;
            }

            // stdin ended: send our close frame and let the receive loop, still running, print
            // what is in flight and take the server's close. (CloseAsync would read the
            // connection itself while the loop is between two receives.)
            Volatile.Write(ref _closingByUs, 1);
            try
            {
                await connection.CloseOutputAsync(CloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                await connection.Completion.WaitAsync(WebSocketConnectionOptions.Default.CloseTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                connection.Abort();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                connection.Abort();
            }
        }

        private async Task CloseQuietlyAsync()
        {
            try
            {
                await connection.CloseAsync(CloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
            }
        }
    }
}
