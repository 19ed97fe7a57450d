using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Duplex.Diagnostics;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Handshake;

namespace Duplex.Client;

/// <summary>
/// Opens a WebSocket as one stream of an HTTP/2 connection (RFC 8441): an extended CONNECT with
/// <c>:protocol = websocket</c> sent by .NET's HTTP client, checked strictly, then the WebSocket
/// protocol over the response's stream.
/// </summary>
internal static class ExtendedConnectClient
{
    public static async Task<WebSocketConnection> ConnectAsync(Uri uri, WebSocketClientOptions options, CancellationToken cancellationToken)
    {
        bool secure = uri.Scheme == "wss";
        var target = new UriBuilder(uri) { Scheme = secure ? Uri.UriSchemeHttps : Uri.UriSchemeHttp }.Uri;
        PerMessageDeflateOptions? deflate = PerMessageDeflate.IsAvailable ? options.WebSocket.Compression : null;
        string? offer = deflate is null ? null : PerMessageDeflateNegotiation.BuildOffer(deflate);
        var fields = new List<KeyValuePair<string, string>>(6);
        ClientHandshakeRequest sent = ClientHandshake.WriteExtendedConnectHeaders(fields, options.SubProtocols, options.Headers, options.Origin, offer);
        using var request = new HttpRequestMessage(HttpMethod.Connect, target)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Protocol = ClientHandshake.ExtendedConnectProtocol;
        foreach ((string name, string value) in fields)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var remote = new RemoteEndPointHolder();
        HttpMessageInvoker? owned = options.HttpInvoker is null ? new HttpMessageInvoker(CreateHandler(uri, options, remote), disposeHandler: true) : null;
        HttpMessageInvoker invoker = options.HttpInvoker ?? owned!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        HttpResponseMessage? response = null;
        try
        {
            response = await SendAsync(invoker, request, uri, timeout.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            ClientHandshakeResult result = ClientHandshake.ValidateExtendedConnectResponse(status, ReadHeaders(response), sent);
            if (!result.Success)
            {
                throw new WebSocketHandshakeException(result.Error ?? "The WebSocket handshake failed.", status);
            }

            PerMessageDeflateParameters? compression = null;
            if (result.Extensions is not null && deflate is not null)
            {
                // RFC 7692 §5.1: a response the client cannot honour fails the connection.
                compression = PerMessageDeflateNegotiation.ValidateResponse(result.Extensions, deflate, out string? error)
                    ?? throw new WebSocketHandshakeException($"The server's permessage-deflate answer is not acceptable: {error}", status);
            }

            Stream body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            var stream = new ExtendedConnectStream(body, response, owned);
            DuplexDiagnostics diagnostics = DuplexDiagnostics.Create(options.LoggerFactory, options.MeterFactory, "Duplex.Client");
            diagnostics.Instruments.WebSocketsOpened.Add(1);
            return new WebSocketConnection(stream, Role.Client, options.WebSocket, diagnostics, default, result.SubProtocol, result.Extensions, remote.EndPoint, socket: null, compression);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Release(response, owned);
            throw new WebSocketHandshakeException($"Connecting to {uri} over HTTP/2 timed out after {options.ConnectTimeout.TotalSeconds:0.#} s.", 0, ex);
        }
        catch
        {
            Release(response, owned);
            throw;
        }
    }

    private static void Release(HttpResponseMessage? response, HttpMessageInvoker? owned)
    {
        response?.Dispose();
        owned?.Dispose();
    }

    /// <summary>Sends the CONNECT and returns at the response's headers (an <see cref="HttpClient"/> would otherwise wait for a body that never ends).</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpMessageInvoker invoker, HttpRequestMessage request, Uri uri, CancellationToken ct)
    {
        try
        {
            return invoker is HttpClient client
                ? await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false)
                : await invoker.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebSocketHandshakeException proxy)
        {
            // The proxy's refusal, from the connect callback, with its status.
            throw new WebSocketHandshakeException(proxy.Message, proxy.StatusCode, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new WebSocketHandshakeException(Describe(ex, uri), 0, ex);
        }
        catch (HttpIOException ex)
        {
            // A peer that is not an HTTP/2 server, or a connection that broke.
            throw new WebSocketHandshakeException($"The WebSocket's extended CONNECT to {uri} failed: {ex.Message}", 0, ex);
        }
    }

    private static string Describe(HttpRequestException ex, Uri uri)
    {
        if (ex.HttpRequestError == HttpRequestError.ExtendedConnectNotSupported)
        {
            return $"The server at {uri.Authority} speaks HTTP/2 but does not allow extended CONNECT (RFC 8441), so no WebSocket over HTTP/2.";
        }

        if (ex.HttpRequestError == HttpRequestError.VersionNegotiationError)
        {
            return $"The server at {uri.Authority} does not speak HTTP/2: {ex.Message}";
        }

        for (Exception? inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationException)
            {
                return $"TLS with {uri.IdnHost} failed: {inner.Message}";
            }
        }

        return ex.HttpRequestError == HttpRequestError.ConnectionError
            ? $"Could not connect to {uri.Authority}: {ex.InnerException?.Message ?? ex.Message}"
            : $"The WebSocket's extended CONNECT to {uri} failed: {ex.Message}";
    }

    /// <summary>The response's header fields as the protocol layer reads them (names may repeat), unparsed.</summary>
    private static HttpHeaders ReadHeaders(HttpResponseMessage response)
    {
        var headers = new HttpHeaders();
        foreach ((string name, System.Net.Http.Headers.HeaderStringValues values) in response.Headers.NonValidated)
        {
            foreach (string value in values)
            {
                headers.Add(name, value);
            }
        }

        return headers;
    }

    /// <summary>
    /// The handler of a WebSocket that has an HTTP/2 connection of its own: TCP through the
    /// proxy the options name (a CONNECT tunnel, as over HTTP/1.1), TLS with ALPN h2 validated by
    /// <see cref="WebSocketClientOptions.RemoteCertificateValidation"/>, the response head bounded
    /// by <see cref="HttpLimits.MaxHeadSize"/>, no redirects.
    /// </summary>
    private static SocketsHttpHandler CreateHandler(Uri uri, WebSocketClientOptions options, RemoteEndPointHolder remote)
    {
        Uri? proxy = ProxyResolver.Resolve(uri, options.Proxy, options.UseEnvironmentProxy);
        return new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = options.ConnectTimeout,
            // The HTTP client counts in KiB what HttpLimits counts in bytes (rounded up).
            MaxResponseHeadersLength = (options.HttpLimits.MaxHeadSize + 1023) / 1024,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = options.RemoteCertificateValidation },
            ConnectCallback = (context, ct) => ConnectTcpAsync(context.DnsEndPoint, proxy, options, remote, ct),
        };
    }

    private static async ValueTask<Stream> ConnectTcpAsync(DnsEndPoint target, Uri? proxy, WebSocketClientOptions options, RemoteEndPointHolder remote, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (proxy is null)
            {
                await socket.ConnectAsync(target, ct).ConfigureAwait(false);
                remote.EndPoint = socket.RemoteEndPoint;
                return new NetworkStream(socket, ownsSocket: true);
            }

            await socket.ConnectAsync(proxy.IdnHost, proxy.IsDefaultPort ? 80 : proxy.Port, ct).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            try
            {
                await WebSocketClient.TunnelAsync(stream, proxy, target.Host, target.Port, options.HttpLimits, ct).ConfigureAwait(false);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            remote.EndPoint = socket.RemoteEndPoint;
            return stream;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Where the handler's connect callback leaves the peer's address, for the connection's logs.</summary>
    private sealed class RemoteEndPointHolder
    {
        public EndPoint? EndPoint { get; set; }
    }
}
