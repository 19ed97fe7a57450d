using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Duplex.Protocol.Frames;
using Duplex.Protocol.Handshake;
using Duplex.Protocol.Http;

namespace Duplex.Cli.Bench;

/// <summary>Where a benchmark connects: a WebSocket URL (ws://) or, for <c>echo</c>, a raw TCP echo (tcp://).</summary>
internal sealed record BenchTarget(bool RawTcp, IPEndPoint EndPoint, string Host, string PathAndQuery)
{
    public bool IsLoopback => IPAddress.IsLoopback(EndPoint.Address);

    public override string ToString() => RawTcp ? $"tcp://{EndPoint}" : $"ws://{Host}:{EndPoint.Port}{PathAndQuery}";

    /// <summary>The same server, another path (fan-out's /publish and /broadcast under a base URL).</summary>
    public BenchTarget WithPath(string suffix) => this with { PathAndQuery = PathAndQuery.TrimEnd('/') + suffix };

    public static async Task<(BenchTarget? Target, string? Problem)> ResolveAsync(string url, bool allowTcp, CancellationToken cancellationToken)
    {
        Uri? uri;
        bool tcp = url.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase);
        if (tcp)
        {
            if (!allowTcp)
            {
                return (null, $"'{url}': tcp:// targets are for 'bench echo' only.");
            }

            if (!Uri.TryCreate(url, UriKind.Absolute, out uri) || uri.Port <= 0)
            {
                return (null, $"'{url}' is not a valid tcp://host:port address.");
            }
        }
        else
        {
            if (!CliArguments.TryParseWebSocketUri(url, out uri, out string? problem))
            {
                return (null, problem);
            }

            if (uri.Scheme == "wss")
            {
                return (null, $"'{url}': wss:// is not supported by the load generator (TLS would measure the generator's TLS, not the server); use ws://.");
            }
        }

        IPAddress? address;
        if (!CliArguments.TryParseHost(uri.Host, out address))
        {
            try
            {
                IPAddress[] addresses = await Dns.GetHostAddressesAsync(uri.Host, cancellationToken).ConfigureAwait(false);
                address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            }
            catch (SocketException ex)
            {
                return (null, $"cannot resolve '{uri.Host}': {ex.Message}");
            }

            if (address is null)
            {
                return (null, $"cannot resolve '{uri.Host}'.");
            }
        }

        int port = uri.IsDefaultPort ? 80 : uri.Port;
        return (new BenchTarget(tcp, new IPEndPoint(address, port), uri.Host, uri.PathAndQuery), null);
    }
}

/// <summary>A connected socket, after the opening handshake for WebSocket targets.</summary>
internal readonly record struct BenchConnection(Socket Socket, byte[] Leftover, uint MaskKey);

/// <summary>Connecting raw sockets, the opening handshake, and masked client frames.</summary>
internal static class BenchSocket
{
    // Linux: IPPROTO_IP / IP_BIND_ADDRESS_NO_PORT. A socket bound to a source address then picks its
    // port at connect(), per (source, destination) pair, instead of reserving one at bind().
    private const int SolIp = 0;
    private const int IpBindAddressNoPort = 24;

    /// <summary>A fresh random masking key (RFC 6455 §5.3). The generator uses one per connection, see <see cref="BuildFrame"/>.</summary>
    public static uint NewMaskKey() => (uint)Random.Shared.NextInt64(1, uint.MaxValue);

    /// <summary>Opens a TCP connection (bound to <paramref name="source"/> when given) and, for a WebSocket target, completes the opening handshake.</summary>
    /// <exception cref="IOException">The handshake failed.</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    public static async Task<BenchConnection> ConnectAsync(BenchTarget target, IPAddress? source, CancellationToken cancellationToken)
    {
        var socket = new Socket(target.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (source is not null)
            {
                if (OperatingSystem.IsLinux())
                {
                    try
                    {
                        socket.SetRawSocketOption(SolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
                    }
                    catch (SocketException)
                    {
                        // Older kernels: the port is reserved at bind, fine below ~28k per source.
                    }
                }

                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(target.EndPoint, cancellationToken).ConfigureAwait(false);
            byte[] leftover = target.RawTcp ? [] : await HandshakeAsync(socket, target, cancellationToken).ConfigureAwait(false);
            return new BenchConnection(socket, leftover, NewMaskKey());
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<byte[]> HandshakeAsync(Socket socket, BenchTarget target, CancellationToken cancellationToken)
    {
        var request = new ArrayBufferWriter<byte>(256);
        ClientHandshakeRequest sent = ClientHandshake.WriteRequest(request, target.Host, target.EndPoint.Port, secure: false, target.PathAndQuery);
        await SendAllAsync(socket, request.WrittenMemory, cancellationToken).ConfigureAwait(false);

        byte[] buffer = ArrayPool<byte>.Shared.Rent(HttpLimits.Default.MaxHeadSize + 1024);
        try
        {
            int filled = 0;
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException("The server closed the connection during the opening handshake.");
                }

                filled += read;
                OperationStatus status = HttpHeadParser.TryParseResponse(buffer.AsSpan(0, filled), HttpLimits.Default, out HttpResponseHead? head, out int consumed, out HttpParseError error);
                if (status == OperationStatus.InvalidData)
                {
                    throw new IOException($"The server's handshake response is not valid HTTP ({error}).");
                }

                if (status == OperationStatus.Done)
                {
                    ClientHandshakeResult result = ClientHandshake.ValidateResponse(head!, sent);
                    if (!result.Success)
                    {
                        throw new IOException(result.Error);
                    }

                    return buffer.AsSpan(consumed, filled - consumed).ToArray();
                }

                if (filled == buffer.Length)
                {
                    throw new IOException("The server's handshake response is too long.");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Writes a masked client frame. The load generator masks every frame of a connection with the
    /// same key and masks a reused payload once: RFC 6455 §5.3 asks for a fresh unpredictable key
    /// per frame to defeat cache poisoning by script in a browser, which does not apply to a load
    /// generator; the server still unmasks every frame, so its work is the same.
    /// </summary>
    public static int BuildFrame(Span<byte> destination, Opcode opcode, ReadOnlySpan<byte> payload, uint maskKey) =>
        FrameWriter.Write(destination, fin: true, opcode, rsv: 0, payload, maskKey);

    public static int FrameSize(int payloadLength) => FrameWriter.SizeOf(payloadLength, masked: true);

    /// <summary>
    /// Frames <paramref name="payload"/> (masked, on the stack) and sends it whole under
    /// <paramref name="sendLock"/>; returns the failure when the socket is closed or broken, else null.
    /// </summary>
    public static Exception? TrySendFrame(Socket socket, Lock sendLock, Opcode opcode, ReadOnlySpan<byte> payload, uint maskKey)
    {
        Span<byte> frame = stackalloc byte[FrameSize(payload.Length)];
        BuildFrame(frame, opcode, payload, maskKey);
        try
        {
            lock (sendLock)
            {
                SendAll(socket, frame);
            }

            return null;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return ex;
        }
    }

    /// <summary>Sends a close frame (1000) and shuts the sending side; the peer's answer is read by the caller's loop.</summary>
    public static void BeginClose(Socket socket, uint maskKey, Lock sendLock)
    {
        try
        {
            lock (sendLock)
            {
                SendAll(socket, CloseFrame(maskKey));
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>A masked Close frame with status 1000.</summary>
    public static byte[] CloseFrame(uint maskKey)
    {
        Span<byte> status = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(status, 1000);
        byte[] frame = new byte[FrameSize(2)];
        BuildFrame(frame, Opcode.Close, status, maskKey);
        return frame;
    }

    /// <summary>Sends all of <paramref name="data"/>.</summary>
    public static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    /// <summary>Sends all of <paramref name="data"/> from a dedicated thread, blocking.</summary>
    public static void SendAll(Socket socket, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int sent = socket.Send(data, SocketFlags.None);
            data = data[sent..];
        }
    }

    /// <summary>Whether an exception is what a socket throws when it is closed under a pending operation.</summary>
    public static bool IsClosedSocket(Exception ex) =>
        ex is ObjectDisposedException or OperationCanceledException
        || (ex is SocketException se && se.SocketErrorCode is SocketError.OperationAborted or SocketError.ConnectionReset or SocketError.Shutdown or SocketError.Interrupted or SocketError.ConnectionAborted);
}
