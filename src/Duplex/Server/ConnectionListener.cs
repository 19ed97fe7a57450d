using System.Net;
using System.Net.Sockets;

namespace Duplex.Server;

/// <summary>The listening socket and its accept loop: each accepted socket becomes an <see cref="HttpConnection"/>.</summary>
internal sealed class ConnectionListener
{
    /// <summary>How long to pause after a failed accept (EMFILE and the like) before trying again.</summary>
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(10);

    private readonly ServerContext _server;
    private Socket? _listener;
    private Task? _acceptLoop;
    private int _stopped;

    public ConnectionListener(ServerContext server)
    {
        _server = server;
    }

    public IPEndPoint? LocalEndPoint => (IPEndPoint?)_listener?.LocalEndPoint;

    public bool IsStarted => _listener is not null;

    /// <summary>Binds and listens, then starts accepting.</summary>
    public void Start()
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("The server has already started.");
        }

        DuplexServerOptions options = _server.Options;
        var listener = new Socket(options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (options.Address.AddressFamily == AddressFamily.InterNetworkV6 && options.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(new IPEndPoint(options.Address, options.Port));
            listener.Listen(options.Backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        Log.Listening(_server.Diagnostics, listener.LocalEndPoint!);
        _acceptLoop = AcceptLoopAsync(listener);
    }

    /// <summary>Closes the listening socket and waits for the accept loop to end.</summary>
    public async Task StopAsync()
    {
        Interlocked.Exchange(ref _stopped, 1);
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (Volatile.Read(ref _stopped) != 0)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Transient (for example EMFILE): log it and keep accepting.
                Log.AcceptFailed(_server.Diagnostics, ex);
                await Task.Delay(AcceptRetryDelay).ConfigureAwait(false);
                continue;
            }

            socket.NoDelay = true;
            _server.Diagnostics.Instruments.ConnectionsAccepted.Add(1);
            _ = new HttpConnection(_server, socket).RunAsync();
        }
    }
}
