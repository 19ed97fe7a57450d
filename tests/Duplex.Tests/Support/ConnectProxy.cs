using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Duplex.Tests.Support;

/// <summary>
/// A minimal HTTP CONNECT proxy for tests, on 127.0.0.1 with an OS-picked port: it records each
/// CONNECT target, answers 200 (or a configured refusal) and relays bytes both ways.
/// </summary>
internal sealed class ConnectProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];

    public ConnectProxy(int refuseWith = 0, string? requiredAuthorization = null)
    {
        RefuseWith = refuseWith;
        RequiredAuthorization = requiredAuthorization;
        _listener.Start();
        _tasks.Add(AcceptAsync());
    }

    public int RefuseWith { get; }

    public string? RequiredAuthorization { get; }

    public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public List<string> Requests { get; } = [];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_tasks)
            {
                _tasks.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        {
            NetworkStream downstream = client.GetStream();
            var head = new StringBuilder();
            var one = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
            {
                if (await downstream.ReadAsync(one, _stop.Token) == 0)
                {
                    return;
                }

                head.Append((char)one[0]);
            }

            string request = head.ToString();
            lock (Requests)
            {
                Requests.Add(request);
            }

            string[] first = request[..request.IndexOf('\r', StringComparison.Ordinal)].Split(' ');
            bool authorized = RequiredAuthorization is null || request.Contains($"Proxy-Authorization: {RequiredAuthorization}\r\n", StringComparison.Ordinal);
            if (first[0] != "CONNECT" || RefuseWith != 0 || !authorized)
            {
                int status = !authorized ? 407 : RefuseWith != 0 ? RefuseWith : 405;
                await downstream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Refused\r\nContent-Length: 0\r\n\r\n"), _stop.Token);
                return;
            }

            string[] target = first[1].Split(':');
            using var upstream = new TcpClient();
            await upstream.ConnectAsync(target[0], int.Parse(target[1], System.Globalization.CultureInfo.InvariantCulture), _stop.Token);
            await downstream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), _stop.Token);
            NetworkStream up = upstream.GetStream();
            Task a = CopyAsync(downstream, up);
            Task b = CopyAsync(up, downstream);
            await Task.WhenAny(a, b);
        }
    }

    private async Task CopyAsync(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to, _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks).WaitAsync(Bounded.Default);
        _stop.Dispose();
    }
}
