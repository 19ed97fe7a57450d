using System.Globalization;
using System.Text;

namespace Duplex.Tests.Conformance;

/// <summary>One element of a Sec-WebSocket-Extensions value: a name and its parameters (value null when it has none).</summary>
internal sealed record CompressionExtensionElement(string Name, IReadOnlyList<KeyValuePair<string, string?>> Parameters)
{
    /// <summary>
    /// Splits a Sec-WebSocket-Extensions value (several header lines joined with ", ") into
    /// elements (RFC 6455 §9.1); a quoted value counts as its text. The test's own reader, so
    /// that Duplex's answers are not judged by Duplex's parser.
    /// </summary>
    public static IReadOnlyList<CompressionExtensionElement> ParseAll(string header)
    {
        var elements = new List<CompressionExtensionElement>();
        foreach (string part in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] pieces = part.Split(';', StringSplitOptions.TrimEntries);
            var parameters = new List<KeyValuePair<string, string?>>();
            foreach (string piece in pieces.Skip(1))
            {
                if (piece.Length == 0)
                {
                    throw new FormatException($"An empty parameter in the extension element '{part}'.");
                }

                int equals = piece.IndexOf('=', StringComparison.Ordinal);
                string name = equals < 0 ? piece : piece[..equals].Trim();
                string? value = equals < 0 ? null : piece[(equals + 1)..].Trim();
                if (value is { Length: >= 2 } && value[0] == '"' && value[^1] == '"')
                {
                    value = value[1..^1];
                }

                parameters.Add(new(name, value));
            }

            if (pieces[0].Length == 0)
            {
                throw new FormatException($"An extension element without a name: '{part}'.");
            }

            elements.Add(new CompressionExtensionElement(pieces[0], parameters));
        }

        return elements;
    }

    public override string ToString() =>
        Name + string.Concat(Parameters.Select(p => p.Value is null ? $"; {p.Key}" : $"; {p.Key}={p.Value}"));
}

/// <summary>
/// The permessage-deflate parameters of an accepted answer, as said on the wire (a window is
/// null when the answer leaves it out, meaning 15).
/// </summary>
internal sealed record CompressionAgreement(bool ServerNoContextTakeover, bool ClientNoContextTakeover, int? ServerMaxWindowBits, int? ClientMaxWindowBits)
{
    public int ServerWindowBits => ServerMaxWindowBits ?? 15;

    public int ClientWindowBits => ClientMaxWindowBits ?? 15;

    /// <summary>
    /// Reads a server's Sec-WebSocket-Extensions answer strictly (RFC 7692 §7, as the suite's
    /// client reads it): exactly one permessage-deflate element, only the four parameters of
    /// §7.1, none twice, no value on *_no_context_takeover, window sizes a decimal 8 to 15.
    /// </summary>
    public static CompressionAgreement Parse(string answer)
    {
        IReadOnlyList<CompressionExtensionElement> elements = CompressionExtensionElement.ParseAll(answer);
        if (elements.Count != 1 || elements[0].Name != "permessage-deflate")
        {
            throw new FormatException($"The answer must be exactly one permessage-deflate element; it is '{answer}'.");
        }

        bool serverNoContext = false, clientNoContext = false;
        int? serverBits = null, clientBits = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, string? value) in elements[0].Parameters)
        {
            if (!seen.Add(name))
            {
                throw new FormatException($"The answer repeats '{name}': '{answer}'.");
            }

            switch (name)
            {
                case "server_no_context_takeover" or "client_no_context_takeover":
                    if (value is not null)
                    {
                        throw new FormatException($"The answer gives '{name}' a value: '{answer}'.");
                    }

                    if (name[0] == 's')
                    {
                        serverNoContext = true;
                    }
                    else
                    {
                        clientNoContext = true;
                    }

                    break;
                case "server_max_window_bits" or "client_max_window_bits":
                    int bits = WindowBits(name, value, answer);
                    if (name[0] == 's')
                    {
                        serverBits = bits;
                    }
                    else
                    {
                        clientBits = bits;
                    }

                    break;
                default:
                    throw new FormatException($"The answer has the unknown parameter '{name}': '{answer}'.");
            }
        }

        return new CompressionAgreement(serverNoContext, clientNoContext, serverBits, clientBits);
    }

    private static int WindowBits(string name, string? value, string answer)
    {
        if (value is null || value.Length is 0 or > 2 || value[0] == '0' || !value.All(char.IsAsciiDigit)
            || int.Parse(value, CultureInfo.InvariantCulture) is < 8 or > 15)
        {
            throw new FormatException($"The answer has {name}={value ?? "(no value)"}; it must be a decimal 8 to 15: '{answer}'.");
        }

        return int.Parse(value, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Why this answer does not accept <paramref name="offer"/> (RFC 7692 §7.1.1.1, §7.1.2.1,
    /// §7.1.2.2), or null when it does: an offered server_no_context_takeover must be answered,
    /// an offered server_max_window_bits answered with the same or a smaller value, and
    /// client_max_window_bits may only be answered when offered.
    /// </summary>
    public string? WhyNotAnswerTo(AutobahnOffer offer)
    {
        if (offer.RequestNoContextTakeover && !ServerNoContextTakeover)
        {
            return "the offer asks for server_no_context_takeover and the answer leaves it out";
        }

        if (offer.RequestMaxWindowBits != 0 && (ServerMaxWindowBits is not { } bits || bits > offer.RequestMaxWindowBits))
        {
            return string.Create(CultureInfo.InvariantCulture, $"the offer asks for server_max_window_bits={offer.RequestMaxWindowBits} and the answer has {(ServerMaxWindowBits is { } b ? $"server_max_window_bits={b}" : "none")}");
        }

        if (ClientMaxWindowBits is not null && !offer.AcceptMaxWindowBits)
        {
            return "the answer sets client_max_window_bits, which the offer does not allow";
        }

        return null;
    }
}

/// <summary>
/// A permessage-deflate offer with the four knobs the suite's cases turn (what the client
/// accepts from the server: no context takeover, a smaller window; what it asks of the server:
/// no context takeover, a window of RequestMaxWindowBits, 0 for no request).
/// </summary>
internal sealed record AutobahnOffer(bool AcceptNoContextTakeover, bool AcceptMaxWindowBits, bool RequestNoContextTakeover, int RequestMaxWindowBits)
{
    /// <summary>The suite's default offer: accepts both server requests, asks for nothing.</summary>
    public static AutobahnOffer Default { get; } = new(true, true, false, 0);

    /// <summary>An offer of the group 13 tables: (requestNoContextTakeover, requestMaxWindowBits), accepting both server requests.</summary>
    public static AutobahnOffer Requesting(bool noContextTakeover, int maxWindowBits) => new(true, true, noContextTakeover, maxWindowBits);

    /// <summary>The offer as the suite's client writes it.</summary>
    public string ToHeaderValue()
    {
        var value = new StringBuilder("permessage-deflate");
        if (AcceptNoContextTakeover)
        {
            value.Append("; client_no_context_takeover");
        }

        if (AcceptMaxWindowBits)
        {
            value.Append("; client_max_window_bits");
        }

        if (RequestNoContextTakeover)
        {
            value.Append("; server_no_context_takeover");
        }

        if (RequestMaxWindowBits != 0)
        {
            value.Append(CultureInfo.InvariantCulture, $"; server_max_window_bits={RequestMaxWindowBits}");
        }

        return value.ToString();
    }

    /// <summary>
    /// Reads a client's offer as the suite's server does. Note that the suite's server takes
    /// client_no_context_takeover as accepted whether or not the offer names it (its parser
    /// starts from true), so its accept functions that ask for it apply to any offer; it
    /// reads client_max_window_bits as "a smaller window is accepted" with or without a value.
    /// An invalid parameter throws, which fails the handshake there.
    /// </summary>
    public static AutobahnOffer Parse(CompressionExtensionElement element)
    {
        bool acceptMaxWindowBits = false, requestNoContextTakeover = false;
        int requestMaxWindowBits = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, string? value) in element.Parameters)
        {
            if (!seen.Add(name))
            {
                throw new FormatException($"The offer repeats '{name}': '{element}'.");
            }

            switch (name)
            {
                case "client_max_window_bits":
                    if (value is not null && !IsWindow(value))
                    {
                        throw new FormatException($"The offer has client_max_window_bits={value}: '{element}'.");
                    }

                    acceptMaxWindowBits = true;
                    break;
                case "client_no_context_takeover":
                    if (value is not null)
                    {
                        throw new FormatException($"The offer gives client_no_context_takeover a value: '{element}'.");
                    }

                    break;
                case "server_max_window_bits":
                    if (value is null || !IsWindow(value))
                    {
                        throw new FormatException($"The offer has server_max_window_bits={value ?? "(no value)"}: '{element}'.");
                    }

                    requestMaxWindowBits = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "server_no_context_takeover":
                    if (value is not null)
                    {
                        throw new FormatException($"The offer gives server_no_context_takeover a value: '{element}'.");
                    }

                    requestNoContextTakeover = true;
                    break;
                default:
                    throw new FormatException($"The offer has the unknown parameter '{name}': '{element}'.");
            }
        }

        return new AutobahnOffer(AcceptNoContextTakeover: true, acceptMaxWindowBits, requestNoContextTakeover, requestMaxWindowBits);

        static bool IsWindow(string value) => value is "8" or "9" or "10" or "11" or "12" or "13" or "14" or "15";
    }

    public override string ToString() => ToHeaderValue();
}

/// <summary>
/// How the suite's server accepts one offer: the server half echoes what the offer asked for,
/// and the server may ask the client for no context takeover and a window (0: no request).
/// </summary>
internal sealed record AutobahnAccept(AutobahnOffer Offer, bool RequestNoContextTakeover = false, int RequestMaxWindowBits = 0)
{
    /// <summary>The answer as the suite's server writes it.</summary>
    public string ToHeaderValue()
    {
        var value = new StringBuilder("permessage-deflate");
        if (Offer.RequestNoContextTakeover)
        {
            value.Append("; server_no_context_takeover");
        }

        if (Offer.RequestMaxWindowBits != 0)
        {
            value.Append(CultureInfo.InvariantCulture, $"; server_max_window_bits={Offer.RequestMaxWindowBits}");
        }

        if (RequestNoContextTakeover)
        {
            value.Append("; client_no_context_takeover");
        }

        if (RequestMaxWindowBits != 0)
        {
            value.Append(CultureInfo.InvariantCulture, $"; client_max_window_bits={RequestMaxWindowBits}");
        }

        return value.ToString();
    }
}

/// <summary>
/// One permessage-deflate case setting of groups 12 and 13: what the suite's client offers
/// (cases against the Duplex server) and how the suite's server accepts (cases against the
/// Duplex client): the seven pairs of the 13.x table, and 12.x's default offer with a plain accept.
/// </summary>
internal sealed class CompressionSetting
{
    private CompressionSetting(string description, AutobahnOffer[] offers, Func<IReadOnlyList<AutobahnOffer>, AutobahnAccept?> accept)
    {
        Description = description;
        Offers = offers;
        Accept = accept;
    }

    public string Description { get; }

    /// <summary>The offers of the suite's client, in order.</summary>
    public AutobahnOffer[] Offers { get; }

    /// <summary>The suite server's accept function: null when it declines every offer.</summary>
    public Func<IReadOnlyList<AutobahnOffer>, AutobahnAccept?> Accept { get; }

    /// <summary>Group 12: the default offer; the server accepts the first offer as it stands.</summary>
    public static CompressionSetting Default { get; } = new("default offer / plain accept", [AutobahnOffer.Default], AcceptPlain);

    /// <summary>Group 13.1 to 13.7.</summary>
    public static IReadOnlyList<CompressionSetting> Group13 { get; } =
    [
        new("offers [(False, 0)] / accepts [(False, 0)]", [AutobahnOffer.Requesting(false, 0)], AcceptPlain),
        new("offers [(True, 0)] / accepts [(True, 0)]", [AutobahnOffer.Requesting(true, 0)], AcceptNoContextTakeover),
        new("offers [(False, 8)] / accepts [(False, 8)]", [AutobahnOffer.Requesting(false, 8)], o => AcceptWindow(o, 8)),
        new("offers [(False, 15)] / accepts [(False, 15)]", [AutobahnOffer.Requesting(false, 15)], o => AcceptWindow(o, 15)),
        new("offers [(True, 8)] / accepts [(True, 8)]", [AutobahnOffer.Requesting(true, 8)], o => AcceptBoth(o, 8)),
        new("offers [(True, 15)] / accepts [(True, 15)]", [AutobahnOffer.Requesting(true, 15)], o => AcceptBoth(o, 15)),
        new(
            "offers [(True, 8), (True, 0), (False, 0)] / accepts [(True, 8), (True, 0), (False, 0)]",
            [AutobahnOffer.Requesting(true, 8), AutobahnOffer.Requesting(true, 0), AutobahnOffer.Requesting(false, 0)],
            o => AcceptBoth(o, 8) ?? AcceptNoContextTakeover(o) ?? AcceptPlain(o)),
    ];

    /// <summary>The offers as one Sec-WebSocket-Extensions value.</summary>
    public string OfferHeaderValue => string.Join(", ", Offers.Select(o => o.ToHeaderValue()));

    public override string ToString() => Description;

    // The accept functions of the 13.x table (accept1 .. accept6; accept7 tries 5, 2, 1 in turn).
    private static AutobahnAccept? AcceptPlain(IReadOnlyList<AutobahnOffer> offers) =>
        offers.Count > 0 ? new AutobahnAccept(offers[0]) : null;

    private static AutobahnAccept? AcceptNoContextTakeover(IReadOnlyList<AutobahnOffer> offers) =>
        offers.FirstOrDefault(o => o.AcceptNoContextTakeover) is { } offer ? new AutobahnAccept(offer, RequestNoContextTakeover: true) : null;

    private static AutobahnAccept? AcceptWindow(IReadOnlyList<AutobahnOffer> offers, int bits) =>
        offers.FirstOrDefault(o => o.AcceptMaxWindowBits) is { } offer ? new AutobahnAccept(offer, RequestMaxWindowBits: bits) : null;

    private static AutobahnAccept? AcceptBoth(IReadOnlyList<AutobahnOffer> offers, int bits) =>
        offers.FirstOrDefault(o => o.AcceptNoContextTakeover && o.AcceptMaxWindowBits) is { } offer
            ? new AutobahnAccept(offer, RequestNoContextTakeover: true, RequestMaxWindowBits: bits)
            : null;
}
