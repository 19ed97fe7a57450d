using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Duplex.Protocol.Frames;

namespace Duplex.Tests.Support;

/// <summary>A frame read off the wire by <see cref="RawWebSocket"/>.</summary>
internal sealed record RawFrame(bool Fin, Opcode Opcode, byte Rsv, bool Masked, byte[] Payload)
{
    public ushort CloseCode => BinaryPrimitives.ReadUInt16BigEndian(Payload);

    public string CloseReason => Encoding.UTF8.GetString(Payload.AsSpan(2));
}

/// <summary>
/// A deliberately low-level client for tests: it writes whatever bytes a test gives it (valid or
/// not) and reads frames back without any checks, so tests can see exactly what the server sends.
/// </summary>
internal sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _offset;
    private int _count;

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public string ResponseHead { get; private set; } = string.Empty;

    public static async Task<RawWebSocket> ConnectTcpAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port).WaitAsync(Bounded.Default);
        return new RawWebSocket(tcp);
    }

    /// <summary>Connects and completes a valid handshake for <paramref name="path"/>.</summary>
    public static async Task<RawWebSocket> ConnectAsync(int port, string path = "/echo")
    {
        RawWebSocket ws = await ConnectTcpAsync(port);
        string head = await ws.SendRequestAsync(
            $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        return ws;
    }

    /// <summary>Sends raw request bytes and returns the response head (through the blank line).</summary>
    public async Task<string> SendRequestAsync(string request)
    {
        await SendAsync(Encoding.ASCII.GetBytes(request));
        return await ReadHeadAsync();
    }

    public async Task<string> ReadHeadAsync()
    {
        var head = new StringBuilder();
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            byte b = await ReadByteAsync() ?? throw new IOException($"The connection closed inside the response head: {head}");
            head.Append((char)b);
        }

        ResponseHead = head.ToString();
        return ResponseHead;
    }

    /// <summary>Reads whatever follows the head until the server closes (a response body).</summary>
    public async Task<string> ReadToEndAsync()
    {
        var rest = new List<byte>();
        while (await ReadByteAsync() is byte b)
        {
            rest.Add(b);
        }

        return Encoding.UTF8.GetString(rest.ToArray());
    }

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes).AsTask().WaitAsync(Bounded.Default);

    /// <summary>
    /// Sends, or gives up waiting after <paramref name="within"/> (false) because the server
    /// stopped reading and every buffer between is full; the write then goes on in the background.
    /// </summary>
    public async Task<bool> TrySendAsync(byte[] bytes, TimeSpan within)
    {
        Task write = _stream.WriteAsync(bytes).AsTask();
        return await Task.WhenAny(write, Task.Delay(within)) == write;
    }

    /// <summary>Sends a frame masked with a random key, as a client must.</summary>
    public Task SendFrameAsync(Opcode opcode, byte[] payload, bool fin = true, byte rsv = 0, bool mask = true) =>
        SendAsync(Frame(opcode, payload, fin, rsv, mask));

    public Task SendTextAsync(string text) => SendFrameAsync(Opcode.Text, Encoding.UTF8.GetBytes(text));

    public static byte[] Frame(Opcode opcode, byte[] payload, bool fin = true, byte rsv = 0, bool mask = true)
    {
        uint key = mask ? BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4)) : 0;
        var buffer = new byte[FrameHeader.MaxSize + payload.Length];
        int header = FrameHeaderWriter.Write(buffer, fin, opcode, rsv, payload.Length, mask ? key : null);
        payload.CopyTo(buffer, header);
        if (mask)
        {
            Masking.Apply(buffer.AsSpan(header, payload.Length), key, 0);
        }

        return buffer.AsSpan(0, header + payload.Length).ToArray();
    }

    public static byte[] ClosePayload(ushort code, string reason = "")
    {
        byte[] reasonBytes = Encoding.UTF8.GetBytes(reason);
        var payload = new byte[2 + reasonBytes.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        reasonBytes.CopyTo(payload, 2);
        return payload;
    }

    /// <summary>Reads the next frame; null when the server closed TCP first.</summary>
    public async Task<RawFrame?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Bounded.Default);
        byte[]? head = await ReadExactAsync(2, cts.Token);
        if (head is null)
        {
            return null;
        }

        bool masked = (head[1] & 0x80) != 0;
        long length = head[1] & 0x7F;
        if (length == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactAsync(2, cts.Token) ?? throw new IOException("truncated"));
        }
        else if (length == 127)
        {
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactAsync(8, cts.Token) ?? throw new IOException("truncated"));
        }

        byte[]? key = masked ? await ReadExactAsync(4, cts.Token) : null;
        byte[] payload = await ReadExactAsync((int)length, cts.Token) ?? throw new IOException("truncated payload");
        if (key is not null)
        {
            Masking.Apply(payload, BinaryPrimitives.ReadUInt32LittleEndian(key), 0);
        }

        return new RawFrame((head[0] & 0x80) != 0, (Opcode)(head[0] & 0x0F), (byte)((head[0] >> 4) & 7), masked, payload);
    }

    /// <summary>Reads frames until a close frame (skipping others); fails if TCP closes first.</summary>
    public async Task<RawFrame> ReadCloseAsync()
    {
        while (true)
        {
            RawFrame frame = await ReadFrameAsync() ?? throw new IOException("The server closed TCP without a close frame.");
            if (frame.Opcode == Opcode.Close)
            {
                return frame;
            }
        }
    }

    /// <summary>True once the server has closed TCP (reads return 0 or reset), within the bound.</summary>
    public async Task<bool> WaitForServerCloseAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Bounded.Default);
        try
        {
            while (await ReadByteAsync(cts.Token) is not null)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<byte[]?> ReadExactAsync(int count, CancellationToken ct)
    {
        var result = new byte[count];
        for (int i = 0; i < count; i++)
        {
            if (await ReadByteAsync(ct) is not byte b)
            {
                if (i == 0)
                {
                    return null;
                }

                throw new IOException("The connection closed inside a frame.");
            }

            result[i] = b;
        }

        return result;
    }

    private async Task<byte?> ReadByteAsync(CancellationToken ct = default)
    {
        if (_count == 0)
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(Bounded.Default);
            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer, bound.Token);
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _offset = 0;
            _count = read;
        }

        _count--;
        return _buffer[_offset++];
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
