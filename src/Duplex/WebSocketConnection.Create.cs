using System.Net.Sockets;
using Duplex.Diagnostics;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Extensions;

namespace Duplex;

/// <summary>Connections over a stream or socket whose opening handshake was done elsewhere.</summary>
public sealed partial class WebSocketConnection
{
    /// <summary>
    /// Runs the WebSocket protocol over <paramref name="stream"/>, whose opening handshake is
    /// done: for a host that upgraded the request itself (an ASP.NET Core server hands over a
    /// stream after its 101, or after its 200 for RFC 8441), or a test over an in-memory pipe.
    /// The connection owns the stream from here and disposes it when it closes.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range, or <see cref="WebSocketStreamOptions.Extensions"/> holds something other than one valid permessage-deflate agreement.</exception>
    public static WebSocketConnection CreateFromStream(Stream stream, WebSocketStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        return Create(stream, null, options);
    }

    /// <summary>
    /// Runs the WebSocket protocol over a connected <paramref name="socket"/> whose opening
    /// handshake is done, with the plain-TCP fast paths (non-blocking reads and writes first,
    /// waits in Duplex's readiness engine, gathered writes). The connection owns the socket.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="CreateFromStream"/>.</exception>
    public static WebSocketConnection CreateFromSocket(Socket socket, WebSocketStreamOptions options, SocketEngine engine = SocketEngine.Auto)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(options);
        return Create(new Transport.SocketStream(socket, engine), socket, options);
    }

    private static WebSocketConnection Create(Stream stream, Socket? socket, WebSocketStreamOptions options)
    {
        WebSocketConnectionOptions connection = options.Connection ?? throw new ArgumentException("WebSocketStreamOptions.Connection must be set.", nameof(options));
        connection.Validate();
        PerMessageDeflateParameters? compression = null;
        if (options.Extensions is { } extensions)
        {
            compression = PerMessageDeflateNegotiation.ParseAgreement(extensions, out string? error);
            if (error is not null)
            {
                throw new ArgumentException($"WebSocketStreamOptions.Extensions: {error}", nameof(options));
            }
        }

        Role role = options.IsServer ? Role.Server : Role.Client;
        DuplexDiagnostics diagnostics = DuplexDiagnostics.Create(options.LoggerFactory, options.MeterFactory, options.IsServer ? "Duplex.Server" : "Duplex.Client");
        diagnostics.Instruments.WebSocketsOpened.Add(1);
        return new WebSocketConnection(stream, role, connection, diagnostics, options.BufferedInput, options.SubProtocol, options.Extensions, options.RemoteEndPoint, socket, compression)
        {
            Request = options.Request,
            User = options.User,
            CloseOutput = options.CloseOutput,
        };
    }
}
