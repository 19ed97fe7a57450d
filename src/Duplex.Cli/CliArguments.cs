using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Duplex.Cli;

/// <summary>Parsing and formatting shared by the commands.</summary>
internal static class CliArguments
{
    /// <summary>Exit status for bad usage (unknown option, malformed value).</summary>
    public const int UsageError = 2;

    /// <summary>An IP address, or "localhost" for 127.0.0.1.</summary>
    public static bool TryParseHost(string host, [NotNullWhen(true)] out IPAddress? address)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out address);
    }

    /// <summary>host:port as it goes in a URL (IPv6 in brackets).</summary>
    public static string Authority(string host, IPAddress address, int port)
    {
        string name = IPAddress.TryParse(host.Trim('[', ']'), out _)
            ? (address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString())
            : host;
        return string.Create(CultureInfo.InvariantCulture, $"{name}:{port}");
    }

    /// <summary>
    /// A ws:// or wss:// URL; http(s):// is taken for ws(s):// and a URL without a scheme for ws://,
    /// as wscat and websocat do.
    /// </summary>
    public static bool TryParseWebSocketUri(string text, [NotNullWhen(true)] out Uri? uri, [NotNullWhen(false)] out string? problem)
    {
        uri = null;
        string candidate = text.Trim();
        if (!candidate.Contains("://", StringComparison.Ordinal))
        {
            candidate = "ws://" + candidate;
        }

        if (!Uri.TryCreate(candidate, UriKind.Absolute, out Uri? parsed) || string.IsNullOrEmpty(parsed.Host))
        {
            problem = $"'{text}' is not a valid URL.";
            return false;
        }

        string? scheme = parsed.Scheme switch
        {
            "ws" or "http" => "ws",
            "wss" or "https" => "wss",
            _ => null,
        };
        if (scheme is null)
        {
            problem = $"'{text}' is not a WebSocket URL: use ws:// or wss://.";
            return false;
        }

        if (!string.IsNullOrEmpty(parsed.Fragment))
        {
            problem = $"'{text}' has a fragment (#...), which a WebSocket URL must not have (RFC 6455 §3).";
            return false;
        }

        if (scheme != parsed.Scheme)
        {
            var builder = new UriBuilder(parsed) { Scheme = scheme };
            if (parsed.IsDefaultPort)
            {
                builder.Port = -1;
            }

            parsed = builder.Uri;
        }

        uri = parsed;
        problem = null;
        return true;
    }

    /// <summary>The port option's check: 0 (any free port) to 65535.</summary>
    public static void ValidatePort(System.CommandLine.Parsing.OptionResult result)
    {
        int port = result.GetValueOrDefault<int>();
        if (port is < 0 or > IPEndPoint.MaxPort)
        {
            result.AddError($"The port must be between 0 (any free port) and {IPEndPoint.MaxPort}, not {port}.");
        }
    }
}
