using System.Globalization;
using System.Text.Json.Nodes;

namespace Duplex.Cli.Bench.Sessions;

/// <summary>
/// The control requests every bench server answers (the Duplex one and bench/SignalRAnchor),
/// on its own port, not through the relay, so they are never counted:
/// <list type="bullet">
/// <item><c>GET /bench/clients</c>: <c>{"clients":N}</c>, the clients connected now;</item>
/// <item><c>POST /bench/push?rate=R&amp;seconds=D&amp;size=S</c>: pushes every client R stamped
/// messages a second for D seconds (<see cref="PushLoop"/>), answers <c>{"sent":K}</c> when done;</item>
/// <item><c>POST /bench/reset</c>: starts the measured window of what clients send (<see cref="ArrivalLog"/>);</item>
/// <item><c>GET /bench/arrivals[?ages=1]</c>: the window's counts (and every age in µs).</item>
/// </list>
/// </summary>
/// <remarks>Shared with bench/SignalRAnchor (linked source): both servers answer with this code.</remarks>
internal static class BenchControl
{
    /// <summary>The query of a push: its rate, duration and payload size; null when malformed.</summary>
    public static (double Rate, TimeSpan Duration, int Size)? ParsePush(string query)
    {
        double rate = 0;
        double seconds = 0;
        int size = SessionStamp.MinSize;
        foreach (string pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? pair : pair[..eq];
            string value = eq < 0 ? string.Empty : pair[(eq + 1)..];
            bool ok = name switch
            {
                "rate" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out rate),
                "seconds" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds),
                "size" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out size),
                _ => true,
            };
            if (!ok)
            {
                return null;
            }
        }

        return rate > 0 && seconds > 0 && size >= SessionStamp.MinSize ? (rate, TimeSpan.FromSeconds(seconds), size) : null;
    }

    /// <summary>Whether a query asks for the ages too.</summary>
    public static bool WantsAges(string query) => query.Contains("ages=1", StringComparison.Ordinal);

    public static string Clients(int count) => new JsonObject { ["clients"] = count }.ToJsonString();

    public static string Sent(long sent) => new JsonObject { ["sent"] = sent }.ToJsonString();
}
