using System.Globalization;
using System.Text;

namespace Duplex.Protocol.Extensions;

/// <summary>
/// The permessage-deflate negotiation of RFC 7692 §5 and §7.1: the server picks the first offer
/// it can honour, the client checks the answer, and nobody accepts a parameter it cannot honour.
/// </summary>
public static class PerMessageDeflateNegotiation
{
    internal const string ServerNoContextTakeoverName = "server_no_context_takeover";
    internal const string ClientNoContextTakeoverName = "client_no_context_takeover";
    internal const string ServerMaxWindowBitsName = "server_max_window_bits";
    internal const string ClientMaxWindowBitsName = "client_max_window_bits";

    /// <summary>
    /// The server side (RFC 7692 §5, §7.1): considers every permessage-deflate offer in the
    /// client's order and accepts the first one it can honour. An offer is declined when it has
    /// an unknown or repeated parameter or an invalid value (a window size that is not a decimal
    /// 8 to 15 without leading zeros, or any value on a *_no_context_takeover parameter). Every
    /// window from 8 to 15 is honoured, <c>server_max_window_bits=8</c> included (see
    /// <see cref="MessageDeflater"/>). Quoted values count as their unquoted text (§7.1). A
    /// malformed header declines everything.
    /// </summary>
    /// <param name="extensionHeaderValues">Every Sec-WebSocket-Extensions field value of the request.</param>
    /// <param name="server">What the server wants.</param>
    /// <param name="responseHeaderValue">The element to answer with in Sec-WebSocket-Extensions, or null.</param>
    /// <returns>The agreement, or null when no offer was acceptable (or zlib is unavailable).</returns>
    public static PerMessageDeflateParameters? Accept(
        IReadOnlyList<string> extensionHeaderValues,
        PerMessageDeflateOptions server,
        out string? responseHeaderValue)
    {
        ArgumentNullException.ThrowIfNull(extensionHeaderValues);
        ArgumentNullException.ThrowIfNull(server);
        responseHeaderValue = null;
        if (!PerMessageDeflate.IsAvailable
            || !ExtensionHeaderParser.TryParse(extensionHeaderValues, out IReadOnlyList<ExtensionElement>? elements, out _))
        {
            return null;
        }

        foreach (ExtensionElement offer in elements)
        {
            if (offer.Name != PerMessageDeflate.ExtensionName
                || TryRead(offer, isResponse: false, out DeflateParameters requested) is not null)
            {
                continue;
            }

            bool serverNoContextTakeover = requested.ServerNoContextTakeover || server.ServerNoContextTakeover;
            bool clientNoContextTakeover = requested.ClientNoContextTakeover || server.ClientNoContextTakeover;
            // §7.1.2.1: the server compresses with at most the offered window, 8 included.
            int serverBits = Math.Min(requested.ServerMaxWindowBits ?? PerMessageDeflate.MaxWindowBits, server.ServerMaxWindowBits);

            // §7.1.2.2: the server may limit the client's window only when the offer has
            // client_max_window_bits, and then to no more than an offered value.
            int clientBits = requested.HasClientMaxWindowBits
                ? Math.Min(requested.ClientMaxWindowBits ?? PerMessageDeflate.MaxWindowBits, server.ClientMaxWindowBits)
                : PerMessageDeflate.MaxWindowBits;

            var response = new StringBuilder(PerMessageDeflate.ExtensionName);
            if (serverNoContextTakeover)
            {
                // §7.1.1.1: accepting an offer with it means including it; the server may add it on its own.
                response.Append("; ").Append(ServerNoContextTakeoverName);
            }

            if (clientNoContextTakeover)
            {
                response.Append("; ").Append(ClientNoContextTakeoverName);
            }

            if (requested.ServerMaxWindowBits is not null || serverBits < PerMessageDeflate.MaxWindowBits)
            {
                // §7.1.2.1: accepting an offered server_max_window_bits means echoing a value no larger.
                AppendBits(response, ServerMaxWindowBitsName, serverBits);
            }

            if (requested.HasClientMaxWindowBits && clientBits < PerMessageDeflate.MaxWindowBits)
            {
                AppendBits(response, ClientMaxWindowBitsName, clientBits);
            }

            responseHeaderValue = response.ToString();
            return new PerMessageDeflateParameters(serverNoContextTakeover, clientNoContextTakeover, serverBits, clientBits);
        }

        return null;
    }

    /// <summary>
    /// The client's offer (RFC 7692 §7.1), e.g. <c>permessage-deflate; client_max_window_bits</c>:
    /// client_max_window_bits is always offered (the client can compress with any window from 8 to 15),
    /// with a value when <see cref="PerMessageDeflateOptions.ClientMaxWindowBits"/> is below 15;
    /// server_max_window_bits when <see cref="PerMessageDeflateOptions.ServerMaxWindowBits"/> is
    /// below 15; and each *_no_context_takeover the options ask for.
    /// </summary>
    /// <param name="client">What the client wants.</param>
    /// <exception cref="PlatformNotSupportedException">zlib is unavailable (<see cref="PerMessageDeflate.IsAvailable"/>).</exception>
    public static string BuildOffer(PerMessageDeflateOptions client)
    {
        ArgumentNullException.ThrowIfNull(client);
        PerMessageDeflate.ThrowIfUnavailable();
        var offer = new StringBuilder(PerMessageDeflate.ExtensionName);
        if (client.ServerNoContextTakeover)
        {
            offer.Append("; ").Append(ServerNoContextTakeoverName);
        }

        if (client.ClientNoContextTakeover)
        {
            offer.Append("; ").Append(ClientNoContextTakeoverName);
        }

        if (client.ServerMaxWindowBits < PerMessageDeflate.MaxWindowBits)
        {
            AppendBits(offer, ServerMaxWindowBitsName, client.ServerMaxWindowBits);
        }

        if (client.ClientMaxWindowBits < PerMessageDeflate.MaxWindowBits)
        {
            AppendBits(offer, ClientMaxWindowBitsName, client.ClientMaxWindowBits);
        }
        else
        {
            offer.Append("; ").Append(ClientMaxWindowBitsName);
        }

        return offer.ToString();
    }

    /// <summary>
    /// The client side (RFC 7692 §5, §7.1): checks the server's Sec-WebSocket-Extensions answer to
    /// <see cref="BuildOffer"/>. The client must fail the connection when the answer is malformed,
    /// holds anything but exactly one permessage-deflate element, has an unknown or repeated
    /// parameter or an invalid value, has server_max_window_bits larger than the client asked for,
    /// or leaves out server_max_window_bits or server_no_context_takeover the client asked for.
    /// Every client_max_window_bits from 8 to 15 is honoured (see <see cref="MessageDeflater"/>).
    /// </summary>
    /// <param name="responseHeaderValue">The Sec-WebSocket-Extensions value of the 101 response.</param>
    /// <param name="client">The options the offer was built from.</param>
    /// <param name="error">Why the connection must fail, when it must.</param>
    /// <returns>
    /// The agreement as the client applies it: the server's answer, narrowed by what the client
    /// itself asked for (a smaller client window, client_no_context_takeover); null on failure.
    /// </returns>
    public static PerMessageDeflateParameters? ValidateResponse(
        string responseHeaderValue,
        PerMessageDeflateOptions client,
        out string? error)
    {
        ArgumentNullException.ThrowIfNull(responseHeaderValue);
        ArgumentNullException.ThrowIfNull(client);
        if (!ExtensionHeaderParser.TryParse(responseHeaderValue, out IReadOnlyList<ExtensionElement>? elements, out error))
        {
            return null;
        }

        foreach (ExtensionElement element in elements)
        {
            if (element.Name != PerMessageDeflate.ExtensionName)
            {
                error = $"The server accepted the extension '{element.Name}', which the client did not offer (RFC 6455 §9.1).";
                return null;
            }
        }

        if (elements.Count > 1)
        {
            error = "The server answered with more than one permessage-deflate element; it may accept only one offer (RFC 7692 §5).";
            return null;
        }

        error = TryRead(elements[0], isResponse: true, out DeflateParameters answer);
        if (error is not null)
        {
            return null;
        }

        if (answer.ServerMaxWindowBits is { } serverBits && serverBits > client.ServerMaxWindowBits)
        {
            error = $"The server answered server_max_window_bits={serverBits}, larger than the {client.ServerMaxWindowBits} the client offered (RFC 7692 §7.1.2.1).";
            return null;
        }

        if (answer.ServerMaxWindowBits is null && client.ServerMaxWindowBits < PerMessageDeflate.MaxWindowBits)
        {
            error = $"The server left out the server_max_window_bits={client.ServerMaxWindowBits} the client offered; accepting it means answering with it (RFC 7692 §7.1.2.1).";
            return null;
        }

        if (!answer.ServerNoContextTakeover && client.ServerNoContextTakeover)
        {
            error = "The server left out the server_no_context_takeover the client offered; accepting it means answering with it (RFC 7692 §7.1.1.1).";
            return null;
        }

        return new PerMessageDeflateParameters(
            answer.ServerNoContextTakeover,
            answer.ClientNoContextTakeover || client.ClientNoContextTakeover,
            answer.ServerMaxWindowBits ?? PerMessageDeflate.MaxWindowBits,
            Math.Min(answer.ClientMaxWindowBits ?? PerMessageDeflate.MaxWindowBits, client.ClientMaxWindowBits));
    }

    /// <summary>Reads the parameters of one permessage-deflate element; returns why they are invalid, or null.</summary>
    /// <summary>
    /// The agreement an opening handshake already made, read from the server's
    /// Sec-WebSocket-Extensions value (for a connection whose handshake another host did): the
    /// parameters as answered, a window left out meaning 15 (RFC 7692 §7.1.2). Null, with
    /// <paramref name="error"/>, when the value is malformed, names another extension, or has
    /// more than one element; null without error when it is empty.
    /// </summary>
    public static PerMessageDeflateParameters? ParseAgreement(string agreedHeaderValue, out string? error)
    {
        ArgumentNullException.ThrowIfNull(agreedHeaderValue);
        error = null;
        if (string.IsNullOrWhiteSpace(agreedHeaderValue))
        {
            return null;
        }

        if (!ExtensionHeaderParser.TryParse(agreedHeaderValue, out IReadOnlyList<ExtensionElement>? elements, out error))
        {
            return null;
        }

        if (elements.Count != 1 || elements[0].Name != PerMessageDeflate.ExtensionName)
        {
            error = "The agreed extensions must be exactly one permessage-deflate element (the only extension Duplex speaks).";
            return null;
        }

        error = TryRead(elements[0], isResponse: true, out DeflateParameters agreed);
        return error is not null
            ? null
            : new PerMessageDeflateParameters(
                agreed.ServerNoContextTakeover,
                agreed.ClientNoContextTakeover,
                agreed.ServerMaxWindowBits ?? PerMessageDeflate.MaxWindowBits,
                agreed.ClientMaxWindowBits ?? PerMessageDeflate.MaxWindowBits);
    }

    private static string? TryRead(ExtensionElement element, bool isResponse, out DeflateParameters result)
    {
        result = default;
        string side = isResponse ? "response" : "offer";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (ExtensionParameter parameter in element.Parameters)
        {
            if (!seen.Add(parameter.Name))
            {
                return $"The permessage-deflate {side} repeats the parameter '{parameter.Name}' (RFC 7692 §7.1).";
            }

            switch (parameter.Name)
            {
                case ServerNoContextTakeoverName:
                case ClientNoContextTakeoverName:
                    if (parameter.Value is not null)
                    {
                        return $"The permessage-deflate {side} gives '{parameter.Name}' a value; it takes none (RFC 7692 §7.1.1).";
                    }

                    if (parameter.Name == ServerNoContextTakeoverName)
                    {
                        result.ServerNoContextTakeover = true;
                    }
                    else
                    {
                        result.ClientNoContextTakeover = true;
                    }

                    break;

                case ServerMaxWindowBitsName:
                    if (!TryParseWindowBits(parameter.Value, out int serverBits))
                    {
                        return $"The permessage-deflate {side} has server_max_window_bits={parameter.Value ?? "(no value)"}; it must be a decimal 8 to 15 without leading zeros (RFC 7692 §7.1.2.1).";
                    }

                    result.ServerMaxWindowBits = serverBits;
                    break;

                case ClientMaxWindowBitsName:
                    // §7.1.2.2: in an offer the value is optional (the client supports the parameter); a response must give one.
                    if (parameter.Value is null && !isResponse)
                    {
                        result.HasClientMaxWindowBits = true;
                        break;
                    }

                    if (!TryParseWindowBits(parameter.Value, out int clientBits))
                    {
                        return $"The permessage-deflate {side} has client_max_window_bits={parameter.Value ?? "(no value)"}; it must be a decimal 8 to 15 without leading zeros (RFC 7692 §7.1.2.2).";
                    }

                    result.HasClientMaxWindowBits = true;
                    result.ClientMaxWindowBits = clientBits;
                    break;

                default:
                    return $"The permessage-deflate {side} has the unknown parameter '{parameter.Name}' (RFC 7692 §7.1).";
            }
        }

        return null;
    }

    // RFC 7692 §7.1.2: a decimal integer without leading zeros, 8 to 15.
    private static bool TryParseWindowBits(string? value, out int bits)
    {
        bits = 0;
        if (value is null || value.Length is 0 or > 2 || value[0] == '0')
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        bits = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
        return bits is >= PerMessageDeflate.MinWindowBits and <= PerMessageDeflate.MaxWindowBits;
    }

    private static void AppendBits(StringBuilder builder, string name, int bits) =>
        builder.Append("; ").Append(name).Append('=').Append(bits.ToString(CultureInfo.InvariantCulture));

    private struct DeflateParameters
    {
        public bool ServerNoContextTakeover;
        public bool ClientNoContextTakeover;
        public int? ServerMaxWindowBits;
        public bool HasClientMaxWindowBits;
        public int? ClientMaxWindowBits;
    }
}
