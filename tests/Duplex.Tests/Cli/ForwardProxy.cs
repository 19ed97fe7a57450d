using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Duplex.Tests.Cli;

/// <summary>
/// A minimal HTTP forward proxy for tests, on 127.0.0.1 with an OS-picked port: a connection's
/// first request names its target (absolute-form <c>GET http://host:port/…</c>, or
/// <c>CONNECT host:port</c>, answered 200); the proxy connects there and relays bytes both ways.
/// The request is passed on as it is (servers take the absolute form, RFC 9112 §3.2.2). It records
/// each first request line.
/// </summary>
internal sealed class ForwardProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly Lock _gate = new();
    private readonly List<string> _requests = [];

    public ForwardProxy()
    {
        _listener.Start();
        _tasks.Add(AcceptAsync());
    }

    public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] tasks;
        lock (_gate)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_gate)
            {
                _tasks.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                NetworkStream down = client.GetStream();
                var head = new List<byte>();
                byte[] one = new byte[1];
                while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
                {
                    if (await down.ReadAsync(one, _stop.Token) == 0 || head.Count > 16 * 1024)
                    {
                        return;
                    }

                    head.Add(one[0]);
                }

                string text = Encoding.ASCII.GetString([.. head]);
                string line = text[..text.IndexOf('\r', StringComparison.Ordinal)];
                lock (_gate)
                {
                    _requests.Add(line);
                }

                string[] parts = line.Split(' ');
                bool tunnel = parts[0] == "CONNECT";
                Uri target = tunnel ? new Uri("http://" + parts[1]) : new Uri(parts[1]);
                await upstream.ConnectAsync(target.Host, target.Port, _stop.Token);
                NetworkStream up = upstream.GetStream();
                if (tunnel)
                {
                    await down.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), _stop.Token);
                }
                else
                {
                    await up.WriteAsync(head.ToArray(), _stop.Token);
                }

                Task a = up.CopyToAsync(down, _stop.Token);
                Task b = down.CopyToAsync(up, _stop.Token);
                await Task.WhenAny(a, b);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or UriFormatException)
            {
                // The relay ends with either side.
            }
        }
    }
}
