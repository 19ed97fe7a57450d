using System.Buffers;
using System.Net.Sockets;
using System.Text;

namespace Duplex.Cli.Faults;

/// <summary>One client connection of a <see cref="FaultProxy"/> and its connection to the server, with the fault its mode gives it.</summary>
internal sealed class ProxiedFlow
{
    private const int ChunkSize = 16 * 1024;
    private static readonly byte[] Forbidden = Encoding.ASCII.GetBytes("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 34\r\nConnection: close\r\n\r\nThis proxy does not pass upgrades.");

    private readonly FaultProxy _proxy;
    private readonly Socket _client;
    private readonly Socket _upstream;
    private long _untilReset;
    private int _forgotten;
    private int _closed;
    private long _lastActivityMs = Environment.TickCount64;

    public ProxiedFlow(FaultProxy proxy, Socket client, FaultMode mode)
    {
        _proxy = proxy;
        _client = client;
        Mode = mode;
        _upstream = new Socket(proxy.Options.Upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _untilReset = mode == FaultMode.RandomResets ? proxy.NextResetDistance() : long.MaxValue;
    }

    public FaultMode Mode { get; }

    public long LastActivityMs => Interlocked.Read(ref _lastActivityMs);

    private bool IsForgotten => Volatile.Read(ref _forgotten) != 0;

    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await _upstream.ConnectAsync(_proxy.Options.Upstream, stopping).ConfigureAwait(false);
            if (Mode is FaultMode.RefuseUpgrades or FaultMode.ResetUpgrades && !await PassFirstRequestAsync(stopping).ConfigureAwait(false))
            {
                return;
            }

            Task up = PumpAsync(_client, _upstream, null, stopping);
            Task down = PumpAsync(_upstream, _client, Mode == FaultMode.BufferResponses ? new ResponseHolder(_proxy.Options.MaxBufferedResponse) : null, stopping);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either end went away, or the proxy stops.
        }
        finally
        {
            Close();
        }
    }

    /// <summary>RST to both ends: a close with a zero linger.</summary>
    public void Reset()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _proxy.CountReset();
        foreach (Socket socket in new[] { _client, _upstream })
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            socket.Dispose();
        }
    }

    /// <summary>From now on nothing is forwarded, and neither end hears of it.</summary>
    public void Forget()
    {
        if (Interlocked.Exchange(ref _forgotten, 1) == 0)
        {
            _proxy.CountForgotten();
        }
    }

    /// <summary>Closes both ends.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _client.Dispose();
        _upstream.Dispose();
    }

    /// <summary>
    /// An HTTP-only proxy's judgement of the connection's first request: an upgrade is answered
    /// 403 and the connection closed, or reset with no answer (<see cref="FaultMode.ResetUpgrades"/>)
    /// (false); anything else is forwarded (true).
    /// </summary>
    private async Task<bool> PassFirstRequestAsync(CancellationToken stopping)
    {
        byte[] head = new byte[HttpLimits.Default.MaxHeadSize];
        int count = 0;
        while (true)
        {
            int read = await _client.ReceiveAsync(head.AsMemory(count), stopping).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            count += read;
            OperationStatus status = Duplex.Protocol.Http.HttpHeadParser.TryParseRequest(head.AsSpan(0, count), HttpLimits.Default, out HttpRequestHead? request, out _, out _);
            if (status == OperationStatus.NeedMoreData && count < head.Length)
            {
                continue;
            }

            if (request is not null && request.Headers.Contains("Upgrade"))
            {
                _proxy.CountRefusedUpgrade();
                if (Mode == FaultMode.ResetUpgrades)
                {
                    Reset();
                    return false;
                }

                await _client.SendAsync(Forbidden, stopping).ConfigureAwait(false);
                _client.Shutdown(SocketShutdown.Send);
                return false;
            }

            await _upstream.SendAsync(head.AsMemory(0, count), stopping).ConfigureAwait(false);
            return true;
        }
    }

    private async Task PumpAsync(Socket from, Socket to, ResponseHolder? holder, CancellationToken stopping)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var release = new ArrayBufferWriter<byte>(ChunkSize);
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, stopping).ConfigureAwait(false);
                if (read == 0)
                {
                    if (holder is not null && !IsForgotten)
                    {
                        holder.End(release);
                        await SendAsync(to, release, stopping).ConfigureAwait(false);
                    }

                    if (!IsForgotten)
                    {
                        to.Shutdown(SocketShutdown.Send);
                    }

                    return;
                }

                Interlocked.Exchange(ref _lastActivityMs, Environment.TickCount64);
                if (IsForgotten)
                {
                    // A forgotten flow swallows what comes, as a NAT without a mapping drops it.
                    continue;
                }

                if (Interlocked.Add(ref _untilReset, -read) <= 0)
                {
                    Reset();
                    return;
                }

                if (holder is null)
                {
                    release.Write(buffer.AsSpan(0, read));
                }
                else
                {
                    int before = holder.Released;
                    if (!holder.Accept(buffer.AsSpan(0, read), release))
                    {
                        Close();
                        return;
                    }

                    for (int i = before; i < holder.Released; i++)
                    {
                        _proxy.CountHeldResponse();
                    }
                }

                await SendAsync(to, release, stopping).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The other pump, a reset or the proxy's stop closed the sockets.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async ValueTask SendAsync(Socket to, ArrayBufferWriter<byte> release, CancellationToken stopping)
    {
        if (release.WrittenCount > 0)
        {
            await to.SendAsync(release.WrittenMemory, stopping).ConfigureAwait(false);
            release.ResetWrittenCount();
        }
    }
}
