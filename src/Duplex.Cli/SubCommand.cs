using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Duplex.Realtime;
using Duplex.Realtime.Channels;

namespace Duplex.Cli;

/// <summary>
/// <c>duplex sub URL CHANNEL</c>: subscribes to a channel of a Duplex realtime endpoint
/// (docs/PROTOCOL.md §10) and prints each publication on stdout (text as it is, binary as
/// <c>&lt;binary N bytes&gt;</c>); each (re)subscribe result, gap, join, leave and transport change
/// goes to stderr. With <c>--json</c> everything is one JSON object per line on stdout:
/// <c>{"type":"publication","channel":…,"seq":N,"epoch":…,"data":…}</c> (binary: <c>data</c> in base64
/// and <c>"binary":true</c>), <c>{"type":"subscribed","result":"new|resumed|gap|reset","missing":[A,B],…}</c>,
/// <c>{"type":"gap",…}</c>, <c>{"type":"join"|"leave",…}</c>, and the state lines of <c>duplex session</c>.
/// <c>--from N</c> resumes after publication N of the channel's current epoch (learned by a first
/// subscribe, then dropped); <c>--from EPOCH:N</c> after publication N of that epoch (another epoch
/// gives <c>reset</c>). <c>--count N</c> exits 0 after N publications; otherwise it runs until
/// interrupted (130) or the subscription or session ends (1).
/// </summary>
internal static class SubCommand
{
    public static Command Create(CliContext context)
    {
        var url = new Argument<string>("url") { Description = "The realtime endpoint, http(s)://host:port/realtime." };
        var channel = new Argument<string>("channel") { Description = "The channel's name." };
        var transport = new Option<string>("--transport", "-t")
        {
            Description = "The transport: auto (the server's order, falling back), websocket, sse, long-polling or polling.",
            DefaultValueFactory = _ => "auto",
        };
        transport.AcceptOnlyFromAmong("auto", "websocket", "sse", "long-polling", "polling");
        var from = new Option<string?>("--from") { Description = "Resume after publication N (of the channel's current epoch), or EPOCH:N (of that epoch)." };
        var json = new Option<bool>("--json") { Description = "Print publications, results and state changes as one JSON object per line on stdout." };
        var count = new Option<int?>("--count", "-n") { Description = "Exit 0 after this many publications." };
        var command = new Command("sub", "Subscribe to a channel of a Duplex realtime endpoint and print its publications.")
        {
            url, channel, transport, from, json, count,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(url)!, parse.GetValue(channel)!, parse.GetValue(transport) ?? "auto", parse.GetValue(from), parse.GetValue(json), parse.GetValue(count), context, ct));
        return command;
    }

    private static async Task<int> RunAsync(string url, string channel, string transport, string? fromText, bool json, int? count, CliContext context, CancellationToken cancellationToken)
    {
        TextWriter stderr = TextWriter.Synchronized(context.Error);
        TextWriter stdout = TextWriter.Synchronized(context.Out);
        var settings = new SessionCommand.Settings(url, transport, null, json, false, null);
        if (!SessionCommand.TryParse(settings, out Uri? endpoint, out RealtimeClientOptions? options, out string? problem) ||
            !TryParseFrom(fromText, out string? epoch, out long? after, out problem) ||
            !ChannelName.IsValid(channel) && (problem = $"'{channel}' is not a channel name (1 to {ChannelName.MaxLength} of A-Z a-z 0-9 _ - . : @ /, not starting with : or /).") is not null ||
            count is <= 0 && (problem = "--count must be at least 1.") is not null)
        {
            await stderr.WriteLineAsync($"duplex sub: {problem}").ConfigureAwait(false);
            return CliArguments.UsageError;
        }

        var printer = new SessionCommand.Printer(stdout, stderr, json);
        RealtimeClient client = new(endpoint, options);
        await using (client.ConfigureAwait(false))
        {
            client.StateChanged += (_, change) => printer.State(change);
            try
            {
                await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                ChannelCursor? cursor = null;
                if (after is { } n)
                {
                    if (epoch is null)
                    {
                        // --from N: the channel's epoch now, learned by a subscription dropped at once.
                        RealtimeSubscription probe = await client.SubscribeAsync(channel, null, cancellationToken).ConfigureAwait(false);
                        epoch = probe.Epoch;
                        await probe.UnsubscribeAsync(cancellationToken).ConfigureAwait(false);
                    }

                    cursor = new ChannelCursor(epoch!, n);
                }

                RealtimeSubscription subscription = await client.SubscribeAsync(channel, new RealtimeSubscribeOptions { From = cursor }, cancellationToken).ConfigureAwait(false);
                int received = 0;
                await foreach (ChannelEvent change in subscription.ReadEventsAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (change.Kind == ChannelEventKind.Unsubscribed)
                    {
                        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                        await stderr.WriteLineAsync($"duplex sub: the subscription ended: {change.Reason}").ConfigureAwait(false);
                        return 1;
                    }

                    bool toStdout = json || change.Kind == ChannelEventKind.Publication;
                    await (toStdout ? stdout : stderr).WriteLineAsync(json ? Json(change) : Human(change)).ConfigureAwait(false);
                    await (toStdout ? stdout : stderr).FlushAsync(CancellationToken.None).ConfigureAwait(false);
                    if (change.Kind == ChannelEventKind.Publication && ++received == count)
                    {
                        await client.CloseAsync(CancellationToken.None).ConfigureAwait(false);
                        return 0;
                    }
                }

                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await client.CloseAsync(CancellationToken.None).ConfigureAwait(false);
                return 130;
            }
            catch (Exception ex) when (ex is IOException or RealtimeChannelRefusedException or RealtimeSessionClosedException)
            {
                await stderr.WriteLineAsync($"duplex sub: {SessionCommand.OneLine(ex.Message)}").ConfigureAwait(false);
                return 1;
            }
        }
    }

    private static bool TryParseFrom(string? text, out string? epoch, out long? after, out string? problem)
    {
        epoch = null;
        after = null;
        problem = null;
        if (text is null)
        {
            return true;
        }

        int colon = text.LastIndexOf(':');
        string number = colon < 0 ? text : text[(colon + 1)..];
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || (colon == 0))
        {
            problem = $"--from '{text}' is not N or EPOCH:N (N a publication number, 0 or more).";
            return false;
        }

        epoch = colon < 0 ? null : text[..colon];
        after = n;
        return true;
    }

    private static string Human(ChannelEvent change) => change.Kind switch
    {
        ChannelEventKind.Publication => change.Type == MessageType.Text ? change.Text : ConnectCommand.FormatBinary(change.Data.Span),
        ChannelEventKind.Subscribed => $"Subscribed to {change.Channel}: {Result(change.Result)} (epoch {change.Epoch}, latest {change.Sequence}{(change.Missing is { } m ? $", publications {m.First} to {m.Last} missing" : string.Empty)})",
        ChannelEventKind.Gap => $"Gap in {change.Channel}: publications {change.Missing!.Value.First} to {change.Missing.Value.Last} will not come",
        ChannelEventKind.Join => $"Joined {change.Channel}: {change.Member!.Value.Id} {change.Member.Value.Info}".TrimEnd(),
        _ => $"Left {change.Channel}: {change.Member!.Value.Id}",
    };

    private static string Result(SubscribeResult? result) => result switch
    {
        SubscribeResult.Resumed => "resumed",
        SubscribeResult.Gap => "gap",
        SubscribeResult.Reset => "reset",
        _ => "new",
    };

    private static string Json(ChannelEvent change)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", change.Kind switch
            {
                ChannelEventKind.Publication => "publication",
                ChannelEventKind.Subscribed => "subscribed",
                ChannelEventKind.Gap => "gap",
                ChannelEventKind.Join => "join",
                _ => "leave",
            });
            writer.WriteString("channel", change.Channel);
            if (change.Epoch is { } epoch)
            {
                writer.WriteString("epoch", epoch);
            }

            switch (change.Kind)
            {
                case ChannelEventKind.Publication:
                    writer.WriteNumber("seq", change.Sequence);
                    if (change.Type == MessageType.Text)
                    {
                        writer.WriteString("data", change.Text);
                    }
                    else
                    {
                        writer.WriteBase64String("data", change.Data.Span);
                        writer.WriteBoolean("binary", true);
                    }

                    if (change.From is { } publisher)
                    {
                        writer.WriteString("from", publisher);
                    }

                    break;
                case ChannelEventKind.Subscribed:
                    writer.WriteString("result", Result(change.Result));
                    writer.WriteNumber("latest", change.Sequence);
                    break;
                case ChannelEventKind.Join or ChannelEventKind.Leave:
                    writer.WriteString("id", change.Member!.Value.Id);
                    if (change.Member.Value.Info is { } info)
                    {
                        writer.WritePropertyName("info");
                        writer.WriteRawValue(info);
                    }

                    break;
            }

            if (change.Missing is { } missing)
            {
                writer.WriteStartArray("missing");
                writer.WriteNumberValue(missing.First);
                writer.WriteNumberValue(missing.Last);
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
