using System.Diagnostics;
using System.Globalization;
using System.Net;
using Duplex.Cli.Faults;
using Duplex.Realtime;

namespace Duplex.Cli.Compare.Run;

/// <summary>
/// One approach through one fault: a <see cref="FaultProxy"/> of its own in front of the server,
/// one client through it, a ticker before the fault can strike, the fault's own stretch (an idle
/// gap longer than the NAT's memory, a fast ticker for the resets), then a ticker and chat after;
/// every message checked. Works when everything arrived once, in order, within the bounds.
/// </summary>
internal sealed class SurvivalRunner(FaultMode mode, CompareApproach approach, CompareSettings settings, IPEndPoint server, string path)
{
    public static readonly IReadOnlyList<FaultMode> Faults = [FaultMode.RefuseUpgrades, FaultMode.BufferResponses, FaultMode.ForgetIdleFlows, FaultMode.RandomResets];

    /// <summary>How long a transport may take to open through the fault before the next is tried (pinned: before the client gives up).</summary>
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(2);

    private readonly WorkloadProbe _probe = new();

    public static string FaultName(FaultMode mode) => mode switch
    {
        FaultMode.RefuseUpgrades => "refuse-upgrades",
        FaultMode.BufferResponses => "buffer-responses",
        FaultMode.ForgetIdleFlows => "forget-idle-flows",
        FaultMode.RandomResets => "random-resets",
        _ => "pass-through",
    };

    /// <summary>How long the NAT remembers an idle flow: shorter than the heartbeat, so that a flow silent between two heartbeats is forgotten.</summary>
    public TimeSpan NatIdleTimeout => settings.Heartbeat * 0.6;

    public async Task<SurvivalResult> RunAsync(CancellationToken cancellationToken)
    {
        await using FaultProxy proxy = FaultProxy.Start(new FaultProxyOptions
        {
            Upstream = server,
            Mode = mode,
            IdleTimeout = NatIdleTimeout,
            MeanBytesBetweenResets = 8 * 1024,
            Seed = 1,
        });
        var endpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{proxy.LocalEndPoint.Port}{path}"));
        RealtimeClientOptions options = approach.ClientOptions(settings.PollInterval, OpenTimeout);
        await using var client = new WorkloadClient(0, "srv-" + Guid.NewGuid().ToString("N")[..12], endpoint, options, _probe);
        string stage = "connecting";
        string? failure = null;
        try
        {
            await client.ConnectAsync(OpenTimeout * 4 + TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);

            stage = "the ticker before the fault";
            await TickerAsync(client, "before", 50, 25, settings.MessageBytes, cancellationToken).ConfigureAwait(false);

            switch (mode)
            {
                case FaultMode.ForgetIdleFlows:
                    stage = "the idle gap";
                    _probe.Phase = null;
                    await Task.Delay(settings.Heartbeat * 2.5, cancellationToken).ConfigureAwait(false);
                    break;
                case FaultMode.RandomResets:
                    stage = "the ticker under resets";
                    await TickerAsync(client, "resets", 50, 100, settings.MessageBytes, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    break;
            }

            stage = "the ticker and chat after";
            await TickerAsync(client, "after", 50, 25, settings.MessageBytes, cancellationToken).ConfigureAwait(false);
            await ChatAsync(client, 10, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RunFailure.IsReported(ex))
        {
            cancellationToken.ThrowIfCancellationRequested();
            failure = ex is TimeoutException ? $"stalled in {stage}: nothing more arrived within the bound" : $"failed in {stage}: {ex.Message}";
        }

        Integrity integrity = _probe.Checker.Result();
        IReadOnlyList<(long Timestamp, RealtimeClientEvent Event)> events = client.Events;
        long reconnects = events.Count(e => e.Event.Kind == RealtimeClientEventKind.Reconnecting);
        return new SurvivalResult
        {
            Fault = FaultName(mode),
            Approach = approach.Id,
            Works = failure is null && integrity.Clean && integrity.Delivered == integrity.Expected,
            NoticedSeconds = Noticed(proxy.FirstStrikeTimestamp, events),
            Integrity = integrity,
            Transport = client.Client.Transport is { } t ? RealtimeTransports.Name(t) : null,
            Reconnects = reconnects,
            Detail = Detail(proxy, events, failure),
        };
    }

    private async Task TickerAsync(WorkloadClient client, string phase, double rate, int count, int size, CancellationToken cancellationToken)
    {
        _probe.Phase = phase;
        _probe.Checker.Expect(client.Stream(phase, "ticker", null), count);
        TimeSpan bound = TimeSpan.FromSeconds((count / rate) + 8);
        await client.TickerAsync(rate, count, size, bound, cancellationToken).ConfigureAwait(false);
    }

    private async Task ChatAsync(WorkloadClient client, int count, CancellationToken cancellationToken)
    {
        _probe.Phase = "after";
        _probe.Checker.Expect(client.Stream("after", "chat", client.Index), count);
        client.ExpectChat(count);
        string padding = WorkloadClient.Padding(settings.MessageBytes);
        for (int i = 0; i < count; i++)
        {
            await client.SendChatAsync(i, padding, cancellationToken).ConfigureAwait(false);
        }

        await client.ChatDelivered(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Seconds from the fault's first strike to the client's first reconnect after it.</summary>
    private static double? Noticed(long struck, IReadOnlyList<(long Timestamp, RealtimeClientEvent Event)> events)
    {
        if (struck == 0)
        {
            return null;
        }

        foreach ((long timestamp, RealtimeClientEvent e) in events)
        {
            if (timestamp >= struck && e.Kind is RealtimeClientEventKind.Reconnecting or RealtimeClientEventKind.SessionLost or RealtimeClientEventKind.Closed)
            {
                return Stopwatch.GetElapsedTime(struck, timestamp).TotalSeconds;
            }
        }

        return null;
    }

    private static string Detail(FaultProxy proxy, IReadOnlyList<(long Timestamp, RealtimeClientEvent Event)> events, string? failure)
    {
        var parts = new List<string>();
        if (proxy.RefusedUpgrades > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{proxy.RefusedUpgrades} upgrade(s) refused with 403"));
        }

        if (proxy.HeldResponses > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{proxy.HeldResponses} response(s) held until complete"));
        }

        if (proxy.ForgottenFlows > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{proxy.ForgottenFlows} idle flow(s) forgotten"));
        }

        if (proxy.Resets > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{proxy.Resets} connection(s) reset"));
        }

        foreach ((_, RealtimeClientEvent e) in events)
        {
            if (e.Kind == RealtimeClientEventKind.Fallback && e.From is { } from && e.To is { } to)
            {
                parts.Add($"fell back {RealtimeTransports.Name(from)} → {RealtimeTransports.Name(to)}");
            }
        }

        int reconnects = events.Count(e => e.Event.Kind == RealtimeClientEventKind.Reconnecting);
        if (reconnects > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{reconnects} reconnect(s)"));
        }

        if (failure is not null)
        {
            parts.Add(failure);
        }

        return parts.Count == 0 ? "nothing struck" : string.Join("; ", parts);
    }
}
