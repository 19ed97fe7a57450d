using System.Collections.Specialized;
using System.Globalization;
using System.Web;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Server;

/// <summary>The query of a realtime request, read once and checked (docs/PROTOCOL.md §1): <c>v</c>, <c>session</c>, <c>ack</c>, <c>wait</c>, <c>hb</c>.</summary>
internal sealed class RealtimeRequest
{
    private RealtimeRequest(NameValueCollection query) => Query = query;

    public NameValueCollection Query { get; }

    public string? Session { get; private set; }

    public long Ack { get; private set; }

    public bool WaitZero { get; private set; }

    /// <summary>On <c>sse</c>: heartbeats as <c>{"t":"h"}</c> events rather than comment lines (<c>hb=event</c>: a browser's EventSource hides comments).</summary>
    public bool HeartbeatEvents { get; private set; }

    /// <summary>Reads and checks the query; on a fault, the error to answer with.</summary>
    public static RealtimeError? TryRead(HttpExchange exchange, bool needsSession, out RealtimeRequest request)
    {
        NameValueCollection query = HttpUtility.ParseQueryString(exchange.Query);
        request = new RealtimeRequest(query);
        foreach (string? key in query.AllKeys)
        {
            if (key is null || query.GetValues(key) is { Length: > 1 })
            {
                return RealtimeError.Malformed($"the query parameter '{key}' is given more than once (or has no name)");
            }
        }

        // docs/PROTOCOL.md §1: every request says the version it speaks; this server speaks 1.
        if (query["v"] != "1")
        {
            return RealtimeError.UnsupportedVersion(query["v"]);
        }

        if (needsSession)
        {
            string? session = query["session"];
            if (!SessionId.IsWellFormed(session))
            {
                return RealtimeError.Malformed("the session parameter is missing or is not a session id");
            }

            request.Session = session;
        }

        if (query["ack"] is { } ack)
        {
            if (!long.TryParse(ack, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > Envelope.MaxNumber)
            {
                return RealtimeError.Malformed("ack is not a number from 0 to 2^53 - 1");
            }

            request.Ack = value;
        }

        if (query["wait"] is { } wait)
        {
            if (wait != "0")
            {
                return RealtimeError.Malformed("wait may only be 0 (short polling)");
            }

            request.WaitZero = true;
        }

        if (query["hb"] is { } hb)
        {
            if (hb is not ("event" or "comment"))
            {
                return RealtimeError.Malformed("hb is event or comment");
            }

            request.HeartbeatEvents = hb == "event";
        }

        return null;
    }
}
