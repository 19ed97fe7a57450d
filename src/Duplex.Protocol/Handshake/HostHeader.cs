using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Duplex.Protocol.Handshake;

/// <summary>Formats the authority (<c>host[:port]</c>) for a Host field or a CONNECT target (RFC 9110 §7.2, RFC 3986 §3.2.2).</summary>
internal static class HostHeader
{
    /// <summary>Means: always write the port.</summary>
    internal const int NoDefaultPort = -1;

    /// <summary>
    /// <c>host</c>, with an IPv6 literal in brackets (RFC 3986 §3.2.2), followed by
    /// <c>:port</c> unless <paramref name="port"/> is <paramref name="defaultPort"/> (RFC 9110 §4.2.1, §7.2).
    /// </summary>
    /// <exception cref="ArgumentException">The host is empty or holds characters a host cannot.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The port is outside 1..65535.</exception>
    internal static string Format(string host, int port, int defaultPort, string hostParamName, string portParamName)
    {
        ArgumentNullException.ThrowIfNull(host, hostParamName);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1, portParamName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535, portParamName);

        string formatted;
        if (host.StartsWith('[') && host.EndsWith(']') && IsIPv6(host[1..^1]))
        {
            formatted = host;
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            formatted = IsIPv6(host)
                ? "[" + host + "]"
                : throw new ArgumentException($"The host '{host}' contains ':' but is not an IPv6 address; pass the port separately.", hostParamName);
        }
        else if (IsRegNameOrIPv4(host))
        {
            formatted = host;
        }
        else
        {
            throw new ArgumentException($"The host '{host}' is empty or contains characters not allowed in a host name (RFC 3986 §3.2.2).", hostParamName);
        }

        return port == defaultPort ? formatted : formatted + ":" + port.ToString(CultureInfo.InvariantCulture);
    }

    private static bool IsIPv6(string text) =>
        IPAddress.TryParse(text, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetworkV6;

    // RFC 3986 §3.2.2: reg-name = *( unreserved / pct-encoded / sub-delims ), and IPv4 fits it too.
    private static bool IsRegNameOrIPv4(string host)
    {
        if (host.Length == 0)
        {
            return false;
        }

        foreach (char c in host)
        {
            if (!char.IsAsciiLetterOrDigit(c) && "-._~%!$&'()*+,;=".IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }
}
