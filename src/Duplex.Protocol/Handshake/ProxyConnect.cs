using System.Buffers;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Handshake;

/// <summary>The HTTP CONNECT request that opens a tunnel through a proxy (RFC 9110 §9.3.6), used before the TLS and WebSocket handshakes.</summary>
public static class ProxyConnect
{
    /// <summary>
    /// Writes <c>CONNECT host:port HTTP/1.1</c>, <c>Host: host:port</c> and, when given,
    /// <c>Proxy-Authorization</c>. The target is in authority-form, which always carries the port
    /// (RFC 9112 §3.2.3); an IPv6 literal is bracketed.
    /// </summary>
    /// <param name="output">Where the request is written.</param>
    /// <param name="host">The host to tunnel to.</param>
    /// <param name="port">The port to tunnel to.</param>
    /// <param name="proxyAuthorization">The Proxy-Authorization value (e.g. <c>Basic …</c>, RFC 9110 §11.7.2), or null.</param>
    /// <exception cref="ArgumentException">The host or the credentials hold characters that cannot appear there.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is outside 1..65535.</exception>
    public static void WriteRequest(IBufferWriter<byte> output, string host, int port, string? proxyAuthorization = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        string authority = HostHeader.Format(host, port, HostHeader.NoDefaultPort, nameof(host), nameof(port));
        var headers = new List<KeyValuePair<string, string>>(2) { new(HttpFieldNames.Host, authority) };
        if (proxyAuthorization is not null)
        {
            HttpSyntax.ValidateField(HttpFieldNames.ProxyAuthorization, proxyAuthorization, nameof(proxyAuthorization));
            headers.Add(new(HttpFieldNames.ProxyAuthorization, proxyAuthorization));
        }

        HttpHeadWriter.Write(output, "CONNECT", authority, HttpSyntax.Http11, headers, contentLength: null, body: default);
    }

    /// <summary>Whether the proxy opened the tunnel: any 2xx status (RFC 9110 §9.3.6).</summary>
    public static bool IsSuccess(HttpResponseHead response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.StatusCode is >= 200 and <= 299;
    }
}
