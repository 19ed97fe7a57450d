using System.CommandLine;
using Duplex.Realtime;
using Duplex.Realtime.Channels;

namespace Duplex.Cli;

/// <summary>
/// <c>duplex pub URL CHANNEL [TEXT …]</c>: publishes each TEXT (or each line of stdin when none is
/// given) to a channel of a Duplex realtime endpoint (docs/PROTOCOL.md §10) as a text publication,
/// in order, and prints the number each one got, one per line, as the server acknowledges them
/// (with <c>--json</c>: <c>{"channel":…,"epoch":…,"seq":N}</c>). Exit 0 once all are acknowledged,
/// 1 when one is refused (the others still go) or the session ends first.
/// </summary>
internal static class PubCommand
{
    /// <summary>The most publications waiting for their acknowledgement at once.</summary>
    private const int Window = 64;

    public static Command Create(CliContext context)
    {
        var url = new Argument<string>("url") { Description = "The realtime endpoint, http(s)://host:port/realtime." };
        var channel = new Argument<string>("channel") { Description = "The channel's name." };
        var texts = new Argument<string[]>("text") { Description = "The texts to publish; none: each line of stdin.", Arity = ArgumentArity.ZeroOrMore };
        var transport = new Option<string>("--transport", "-t")
        {
            Description = "The transport: auto (the server's order, falling back), websocket, sse, long-polling or polling.",
            DefaultValueFactory = _ => "auto",
        };
        transport.AcceptOnlyFromAmong("auto", "websocket", "sse", "long-polling", "polling");
        var json = new Option<bool>("--json") { Description = "Print each acknowledgement as a JSON object per line." };
        var command = new Command("pub", "Publish texts (or stdin's lines) to a channel of a Duplex realtime endpoint; print the number each got.")
        {
            url, channel, texts, transport, json,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(url)!, parse.GetValue(channel)!, parse.GetValue(texts) ?? [], parse.GetValue(transport) ?? "auto", parse.GetValue(json), context, ct));
        return command;
    }

    private static async Task<int> RunAsync(string url, string channel, string[] texts, string transport, bool json, CliContext context, CancellationToken cancellationToken)
    {
        TextWriter stderr = context.Error;
        TextWriter stdout = context.Out;
        var settings = new SessionCommand.Settings(url, transport, null, json, false, null);
        if (!SessionCommand.TryParse(settings, out Uri? endpoint, out RealtimeClientOptions? options, out string? problem) ||
            !ChannelName.IsValid(channel) && (problem = $"'{channel}' is not a channel name (1 to {ChannelName.MaxLength} of A-Z a-z 0-9 _ - . : @ /, not starting with : or /).") is not null)
        {
            await stderr.WriteLineAsync($"duplex pub: {problem}").ConfigureAwait(false);
            return CliArguments.UsageError;
        }

        RealtimeClient client = new(endpoint, options);
        await using (client.ConfigureAwait(false))
        {
            int failures = 0;
            try
            {
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                var pending = new Queue<Task<ChannelPublishResult>>();
                await foreach (string text in TextsAsync(texts, context.In, cancellationToken).ConfigureAwait(false))
                {
                    pending.Enqueue(client.PublishTextAsync(channel, text, cancellationToken).AsTask());
                    while (pending.Count >= Window)
                    {
                        failures += await PrintAsync(pending.Dequeue(), channel, json, stdout, stderr).ConfigureAwait(false);
                    }
                }

                while (pending.Count > 0)
                {
                    failures += await PrintAsync(pending.Dequeue(), channel, json, stdout, stderr).ConfigureAwait(false);
                }

                await client.CloseAsync(CancellationToken.None).ConfigureAwait(false);
                return failures == 0 ? 0 : 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }
            catch (Exception ex) when (ex is IOException or RealtimeSessionClosedException or ArgumentException)
            {
                await stderr.WriteLineAsync($"duplex pub: {SessionCommand.OneLine(ex.Message)}").ConfigureAwait(false);
                return 1;
            }
        }
    }

    private static async IAsyncEnumerable<string> TextsAsync(string[] texts, TextReader stdin, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (texts.Length > 0)
        {
            foreach (string text in texts)
            {
                yield return text;
            }

            yield break;
        }

        while (await stdin.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            yield return line;
        }
    }

    /// <summary>Prints one publication's number; 1 when it was refused.</summary>
    private static async Task<int> PrintAsync(Task<ChannelPublishResult> publishing, string channel, bool json, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            ChannelPublishResult result = await publishing.ConfigureAwait(false);
            string line = json
                ? $"{{\"channel\":{System.Text.Json.JsonSerializer.Serialize(channel)},\"epoch\":{System.Text.Json.JsonSerializer.Serialize(result.Epoch)},\"seq\":{result.Sequence}}}"
                : result.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await stdout.WriteLineAsync(line).ConfigureAwait(false);
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return 0;
        }
        catch (RealtimeChannelRefusedException ex)
        {
            await stderr.WriteLineAsync($"duplex pub: {SessionCommand.OneLine(ex.Message)}").ConfigureAwait(false);
            return 1;
        }
    }
}
