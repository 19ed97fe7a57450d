namespace Duplex.Protocol.Handshake;

/// <summary>An upgrade request that passed <see cref="ServerHandshake.Validate"/>, with the values the server needs to answer it.</summary>
public sealed class ServerHandshakeRequest
{
    internal ServerHandshakeRequest(
        HttpRequestHead request,
        string key,
        string? origin,
        IReadOnlyList<string> offeredSubProtocols,
        IReadOnlyList<string> offeredExtensions)
    {
        Request = request;
        Key = key;
        Origin = origin;
        OfferedSubProtocols = offeredSubProtocols;
        OfferedExtensions = offeredExtensions;
    }

    /// <summary>The request head as parsed.</summary>
    public HttpRequestHead Request { get; }

    /// <summary>The Sec-WebSocket-Key value, to pass to <see cref="ServerHandshake.WriteAccept"/>.</summary>
    public string Key { get; }

    /// <summary>The Origin field, if the client sent one (browsers always do, §4.1 item 8); a server may refuse origins it does not trust (§10.2).</summary>
    public string? Origin { get; }

    /// <summary>The subprotocols the client offered, from every Sec-WebSocket-Protocol field, in the client's order of preference (§4.1 item 10).</summary>
    public IReadOnlyList<string> OfferedSubProtocols { get; }

    /// <summary>The Sec-WebSocket-Extensions field values as received, one per field line, for extension negotiation (§9.1).</summary>
    public IReadOnlyList<string> OfferedExtensions { get; }
}
