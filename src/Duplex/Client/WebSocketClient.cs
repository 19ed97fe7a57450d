using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Duplex.Client;
using Duplex.Diagnostics;
using Duplex.Http;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Handshake;
using Duplex.Protocol.Http;

namespace Duplex;

/// <summary>Opens WebSocket connections to ws:// and wss:// servers, directly or through an HTTP proxy, over HTTP/1.1 or HTTP/2.</summary>
public static class WebSocketClient
{
    /// <summary>Connects to <paramref name="uri"/> with default options.</summary>
    public static Task<WebSocketConnection> ConnectAsync(Uri uri, CancellationToken cancellationToken = default) =>
        ConnectAsync(uri, null, cancellationToken);

    /// <summary>
    /// Connects to <paramref name="uri"/> (ws:// or wss://): TCP (through a CONNECT tunnel when a
    /// proxy applies), TLS with SNI for wss, then the opening handshake of RFC 6455 §4.1, checked
    /// strictly. With <see cref="WebSocketClientOptions.HttpVersion"/> 2.0 it sends an extended
    /// CONNECT instead (RFC 8441) on an HTTP/2 connection, its own or the
    /// <see cref="WebSocketClientOptions.HttpInvoker"/>'s, and expects 200. Throws
    /// <see cref="WebSocketHandshakeException"/> when the server or proxy answers anything but a
    /// valid upgrade (its <see cref="WebSocketHandshakeException.StatusCode"/> says the status).
    /// </summary>
    public static async Task<WebSocketConnection> ConnectAsync(Uri uri, WebSocketClientOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        options ??= new WebSocketClientOptions();
        options.Validate();
        if (ClientHandshake.CheckUri(uri) is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(uri));
        }

        if (options.HttpVersion == System.Net.HttpVersion.Version20)
        {
            return await ExtendedConnectClient.ConnectAsync(uri, options, cancellationToken).ConfigureAwait(false);
        }

        bool secure = uri.Scheme == "wss";
        int port = uri.IsDefaultPort ? (secure ? 443 : 80) : uri.Port;
        string host = uri.IdnHost;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        CancellationToken ct = timeout.Token;

        Uri? proxy = ProxyResolver.Resolve(uri, options.Proxy, options.UseEnvironmentProxy);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            try
            {
                if (proxy is null)
                {
                    await socket.ConnectAsync(host, port, ct).ConfigureAwait(false);
                    stream = new Transport.SocketStream(socket, options.SocketEngine);
                }
                else
                {
                    int proxyPort = proxy.IsDefaultPort ? 80 : proxy.Port;
                    await socket.ConnectAsync(proxy.IdnHost, proxyPort, ct).ConfigureAwait(false);
                    stream = new Transport.SocketStream(socket, options.SocketEngine);
                    await TunnelAsync(stream, proxy, host, port, options.HttpLimits, ct).ConfigureAwait(false);
                }
            }
            catch (SocketException ex)
            {
                string target = proxy is null ? $"{host}:{port}" : $"the proxy {proxy.Authority}";
                throw new WebSocketHandshakeException($"Could not connect to {target}: {ex.Message}", 0, ex);
            }

            if (secure)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, options.RemoteCertificateValidation);
                stream = ssl;
                try
                {
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, ct).ConfigureAwait(false);
                }
                catch (System.Security.Authentication.AuthenticationException ex)
                {
                    throw new WebSocketHandshakeException($"TLS with {host} failed: {ex.Message}", 0, ex);
                }
            }

            var writer = new ArrayBufferWriter<byte>(512);
            PerMessageDeflateOptions? deflate = PerMessageDeflate.IsAvailable ? options.WebSocket.Compression : null;
            string? offer = deflate is null ? null : PerMessageDeflateNegotiation.BuildOffer(deflate);
            ClientHandshakeRequest request = ClientHandshake.WriteRequest(
                writer, host, port, secure, uri.PathAndQuery, options.SubProtocols, options.Headers, options.Origin, offer);
            await stream.WriteAsync(writer.WrittenMemory, ct).ConfigureAwait(false);

            HeadReadResult<HttpResponseHead> read = await HttpHeadReader.ReadAsync<HttpResponseHead>(stream, options.HttpLimits, HttpHeadParser.TryParseResponse, ct).ConfigureAwait(false);
            if (read.EndOfStream)
            {
                throw new WebSocketHandshakeException("The server closed the connection before answering the WebSocket handshake.");
            }

            if (read.Head is null)
            {
                throw new WebSocketHandshakeException($"The server's handshake response is malformed: {HttpParseErrors.Describe(read.Error)}");
            }

            ClientHandshakeResult result = ClientHandshake.ValidateResponse(read.Head, request);
            if (!result.Success)
            {
                throw new WebSocketHandshakeException(result.Error ?? "The WebSocket handshake failed.", read.Head.StatusCode);
            }

            PerMessageDeflateParameters? compression = null;
            if (result.Extensions is not null && deflate is not null)
            {
                // RFC 7692 §5.1: a response the client cannot honour fails the connection.
                compression = PerMessageDeflateNegotiation.ValidateResponse(result.Extensions, deflate, out string? error)
                    ?? throw new WebSocketHandshakeException($"The server's permessage-deflate answer is not acceptable: {error}", read.Head.StatusCode);
            }

            DuplexDiagnostics diagnostics = DuplexDiagnostics.Create(options.LoggerFactory, options.MeterFactory, "Duplex.Client");
            diagnostics.Instruments.WebSocketsOpened.Add(1);
            return new WebSocketConnection(stream, Role.Client, options.WebSocket, diagnostics, read.Leftover, result.SubProtocol, result.Extensions, socket.RemoteEndPoint, socket, compression);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeAsync(stream, socket).ConfigureAwait(false);
            throw new WebSocketHandshakeException($"Connecting to {uri} timed out after {options.ConnectTimeout.TotalSeconds:0.#} s.", 0, ex);
        }
        catch (IOException ex) when (ex is not WebSocketHandshakeException)
        {
            await DisposeAsync(stream, socket).ConfigureAwait(false);
            throw new WebSocketHandshakeException($"The connection to {uri} broke during the handshake: {ex.Message}", 0, ex);
        }
        catch
        {
            await DisposeAsync(stream, socket).ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask DisposeAsync(Stream? stream, Socket socket)
    {
        if (stream is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        socket.Dispose();
    }

    /// <summary>Opens a tunnel to host:port through an HTTP proxy with CONNECT (RFC 9110 §9.3.6).</summary>
    internal static async Task TunnelAsync(Stream stream, Uri proxy, string host, int port, HttpLimits limits, CancellationToken ct)
    {
        string? authorization = null;
        if (!string.IsNullOrEmpty(proxy.UserInfo))
        {
            string credentials = Uri.UnescapeDataString(proxy.UserInfo);
            authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));
        }

        var writer = new ArrayBufferWriter<byte>(256);
        ProxyConnect.WriteRequest(writer, host, port, authorization);
        await stream.WriteAsync(writer.WrittenMemory, ct).ConfigureAwait(false);
        HeadReadResult<HttpResponseHead> read = await HttpHeadReader.ReadAsync<HttpResponseHead>(stream, limits, HttpHeadParser.TryParseResponse, ct).ConfigureAwait(false);
        if (read.Head is null)
        {
            throw new WebSocketHandshakeException($"The proxy {proxy.Authority} did not answer CONNECT with a valid response.");
        }

        if (!ProxyConnect.IsSuccess(read.Head))
        {
            throw new WebSocketHandshakeException($"The proxy {proxy.Authority} refused the tunnel to {host}:{port}: {read.Head.StatusCode} {read.Head.ReasonPhrase}", read.Head.StatusCode);
        }

        if (!read.Leftover.IsEmpty)
        {
            throw new WebSocketHandshakeException($"The proxy {proxy.Authority} sent data before the tunnel was used.");
        }
    }
}
