using System.Globalization;
using System.Text;
using Duplex.Realtime.Channels;

namespace Duplex.Cli.Apps;

/// <summary>
/// The live ticker's price source inside <c>duplex serve</c>: a random walk per symbol, each
/// published on its own channel (<c>ticker/SYMBOL</c>) several times a second, with the time it
/// was published so that a page can show the delivery latency. Stops with its token.
/// </summary>
internal sealed class TickerSource
{
    /// <summary>The symbols and their starting prices.</summary>
    public static IReadOnlyList<(string Symbol, double Price)> Symbols { get; } =
    [
        ("EURUSD", 1.0850), ("GBPUSD", 1.2700), ("USDJPY", 151.20), ("BTCUSD", 64000), ("ETHUSD", 3100), ("XAUUSD", 2350),
    ];

    /// <summary>The channel of <paramref name="symbol"/>.</summary>
    public static string ChannelOf(string symbol) => "ticker/" + symbol;

    private readonly RealtimeChannels _channels;
    private readonly TimeSpan _interval;
    private readonly Random _random;
    private readonly double[] _prices;

    public TickerSource(RealtimeChannels channels, TimeSpan interval, int seed = 7)
    {
        _channels = channels;
        _interval = interval;
        _random = new Random(seed);
        _prices = Symbols.Select(s => s.Price).ToArray();
    }

    /// <summary>Publishes a tick for every symbol each interval until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                for (int i = 0; i < _prices.Length; i++)
                {
                    // A small random walk: at most ±0.05 % a tick.
                    _prices[i] *= 1 + ((_random.NextDouble() - 0.5) * 0.001);
                    await _channels.PublishAsync(ChannelOf(Symbols[i].Symbol), MessageType.Text, Tick(Symbols[i].Symbol, _prices[i]), cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One tick as JSON: <c>{"symbol":"EURUSD","price":1.08512,"t":1764633600000}</c> (t: Unix milliseconds when published).</summary>
    public static byte[] Tick(string symbol, double price) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"symbol\":\"{symbol}\",\"price\":{Math.Round(price, price < 10 ? 5 : 2)},\"t\":{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}}"));
}
