using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Conformance;

/// <summary>What a short, bounded look at the connection found.</summary>
internal enum ProbeResult
{
    /// <summary>Nothing arrived and the connection is still open.</summary>
    Silent,

    /// <summary>Bytes arrived (they stay buffered for the next read).</summary>
    Data,

    /// <summary>The other end closed TCP (FIN or reset).</summary>
    Closed,
}

/// <summary>
/// The fuzzing end of a conformance case, over a raw TCP socket once the opening handshake is
/// done: it writes any frame a case asks for (reserved bits and opcodes, bad lengths, in chops of
/// any size) and reads the frames of the endpoint under test, checking that each one is itself
/// valid for that endpoint's role (RFC 6455 §5.1-§5.5) and joining fragments into messages.
/// As a client it masks what it sends and expects unmasked frames; as a server the reverse.
/// </summary>
internal sealed partial class RawPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly bool _actsAsClient;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;
    private bool _closed;

    // A data message being joined from its fragments.
    private WireEventKind? _messageKind;
    private MemoryStream? _message;

    public RawPeer(Socket socket, bool actsAsClient)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _actsAsClient = actsAsClient;
    }

    /// <summary>Set once a write failed because the other end had closed; later writes are dropped, as a fuzzer would.</summary>
    public bool WriteBroken { get; private set; }

    /// <summary>Encodes one frame as this peer sends it: masked with a fresh random key when acting as a client.</summary>
    public byte[] Frame(int opcode, byte[] payload, bool fin = true, int rsv = 0) => Encode(opcode, payload, fin, rsv, _actsAsClient);

    /// <summary>Encodes one frame with an explicit mask choice (to send what the role forbids).</summary>
    public static byte[] Encode(int opcode, ReadOnlySpan<byte> payload, bool fin, int rsv, bool mask)
    {
        uint? key = mask ? BinaryPrimitives.ReadUInt32LittleEndian(RandomNumberGenerator.GetBytes(4)) : null;
        var frame = new byte[FrameHeader.MaxSize + payload.Length];
        int header = FrameHeaderWriter.Write(frame, fin, (Opcode)opcode, (byte)rsv, payload.Length, key);
        if (key.HasValue)
        {
            Masking.Apply(payload, frame.AsSpan(header), key.Value, 0);
        }
        else
        {
            payload.CopyTo(frame.AsSpan(header));
        }

        return frame.AsSpan(0, header + payload.Length).ToArray();
    }

    /// <summary>The frames of one message cut into fragments of <paramref name="fragmentSize"/> payload bytes.</summary>
    public byte[] Fragments(int opcode, byte[] payload, int fragmentSize)
    {
        using var all = new MemoryStream();
        int offset = 0;
        do
        {
            int take = Math.Min(fragmentSize, payload.Length - offset);
            bool last = offset + take == payload.Length;
            all.Write(Frame(offset == 0 ? opcode : 0, payload.AsSpan(offset, take).ToArray(), last));
            offset += take;
        }
        while (offset < payload.Length);

        return all.ToArray();
    }

    /// <summary>Writes bytes in one write, or in writes of <paramref name="chop"/> bytes each.</summary>
    public async Task SendAsync(byte[] bytes, int? chop = null)
    {
        if (WriteBroken)
        {
            return;
        }

        try
        {
            if (chop is not int size)
            {
                await _stream.WriteAsync(bytes).AsTask().WaitAsync(Bounded.Default);
                return;
            }

            for (int offset = 0; offset < bytes.Length; offset += size)
            {
                await _stream.WriteAsync(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset))).AsTask().WaitAsync(Bounded.Default);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The endpoint under test closed; what is left of the script is not delivered, and the
            // reads that follow judge whether closing was right.
            WriteBroken = true;
        }
    }

    /// <summary>Sends several frames in a single write ("in one chop").</summary>
    public Task SendAsync(params byte[][] frames) => SendAsync(frames.SelectMany(f => f).ToArray());

    /// <summary>Sends each frame with its own write ("frame-wise chops").</summary>
    public async Task SendEachAsync(params byte[][] frames)
    {
        foreach (byte[] frame in frames)
        {
            await SendAsync(frame);
        }
    }

    public Task SendFrameAsync(int opcode, byte[] payload, bool fin = true, int rsv = 0, int? chop = null) =>
        SendAsync(Frame(opcode, payload, fin, rsv), chop);

    public Task SendCloseAsync(int code, string reason = "") => SendAsync(Frame(8, ClosePayload(code, Encoding.UTF8.GetBytes(reason))));

    public static byte[] ClosePayload(int code, byte[] reason)
    {
        var payload = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        reason.CopyTo(payload, 2);
        return payload;
    }

    /// <summary>Reads the HTTP head that starts the connection (server role).</summary>
    public async Task<string> ReadHttpHeadAsync()
    {
        using var cts = new CancellationTokenSource(Bounded.Default);
        while (true)
        {
            int end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                string head = Encoding.ASCII.GetString(_buffer, _start, end + 4);
                _start += end + 4;
                return head;
            }

            if (!await FillAsync(cts.Token))
            {
                throw new IOException("The connection closed inside the HTTP head.");
            }
        }
    }

    /// <summary>
    /// Reads the next observation: a whole message, a ping, a pong or a close; null when TCP
    /// closed first. Throws <see cref="TimeoutException"/> when nothing completes in time.
    /// </summary>
    public async Task<WireEvent?> ReadEventAsync(TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                (bool fin, int rsv, int opcode, bool masked, byte[] payload)? frame = await ReadFrameAsync(cts.Token);
                if (frame is not { } f)
                {
                    return null;
                }

                WireEvent? ev = Accept(f.fin, f.rsv, f.opcode, f.masked, f.payload);
                if (ev is not null)
                {
                    return ev;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.###} s waiting for {what}.");
        }
    }

    /// <summary>Waits up to <paramref name="window"/> for anything to arrive, without consuming it.</summary>
    public async Task<ProbeResult> ProbeAsync(TimeSpan window)
    {
        if (_end > _start)
        {
            return ProbeResult.Data;
        }

        if (_closed)
        {
            return ProbeResult.Closed;
        }

        using var cts = new CancellationTokenSource(window);
        try
        {
            return await FillAsync(cts.Token) ? ProbeResult.Data : ProbeResult.Closed;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return ProbeResult.Silent;
        }
    }

    /// <summary>Closes TCP from this side (FIN), as a server does after the closing handshake.</summary>
    public void CloseTcp()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _stream.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _message?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Checks one frame from the endpoint under test and turns it into an event (null while a message is still open).</summary>
    private WireEvent? Accept(bool fin, int rsv, int opcode, bool masked, byte[] payload)
    {
        string who = _actsAsClient ? "the server" : "the client";
        if (rsv != 0)
        {
            Assert.Fail($"{who} sent a frame with RSV bits {rsv} although no extension was negotiated.");
        }

        if (masked == _actsAsClient)
        {
            Assert.Fail(_actsAsClient ? "The server sent a masked frame (RFC 6455 §5.1 forbids it)." : "The client sent an unmasked frame (RFC 6455 §5.1 requires masking).");
        }

        switch (opcode)
        {
            case 0:
                if (_message is null)
                {
                    Assert.Fail($"{who} sent a continuation frame with no message to continue.");
                }

                _message.Write(payload);
                return fin ? EndMessage() : null;
            case 1:
            case 2:
                if (_message is not null)
                {
                    Assert.Fail($"{who} started a new message inside a fragmented one.");
                }

                _messageKind = opcode == 1 ? WireEventKind.Text : WireEventKind.Binary;
                _message = new MemoryStream();
                _message.Write(payload);
                return fin ? EndMessage() : null;
            case 8:
            case 9:
            case 10:
                if (!fin || payload.Length > 125)
                {
                    Assert.Fail($"{who} sent an invalid control frame (opcode {opcode}, fin {fin}, {payload.Length} bytes).");
                }

                if (opcode == 8)
                {
                    CheckClosePayload(who, payload);
                    return new WireEvent(WireEventKind.Close, payload);
                }

                return new WireEvent(opcode == 9 ? WireEventKind.Ping : WireEventKind.Pong, payload);
            default:
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{who} sent a frame with the reserved opcode {opcode}."));
                return null;
        }
    }

    private WireEvent EndMessage()
    {
        byte[] data = _message!.ToArray();
        _message.Dispose();
        _message = null;
        WireEventKind kind = _messageKind!.Value;
        if (kind == WireEventKind.Text && !System.Text.Unicode.Utf8.IsValid(data))
        {
            Assert.Fail("The endpoint under test sent a text message that is not valid UTF-8.");
        }

        return new WireEvent(kind, data);
    }

    private static void CheckClosePayload(string who, byte[] payload)
    {
        if (payload.Length == 1)
        {
            Assert.Fail($"{who} sent a close frame with a 1-byte payload.");
        }

        if (payload.Length >= 2)
        {
            int code = BinaryPrimitives.ReadUInt16BigEndian(payload);
            bool sendable = code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);
            if (!sendable)
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{who} sent the close code {code}, which may not be sent."));
            }

            if (!System.Text.Unicode.Utf8.IsValid(payload.AsSpan(2)))
            {
                Assert.Fail($"{who} sent a close reason that is not valid UTF-8.");
            }
        }
    }

    private async Task<(bool Fin, int Rsv, int Opcode, bool Masked, byte[] Payload)?> ReadFrameAsync(CancellationToken ct)
    {
        if (!await EnsureAsync(2, ct))
        {
            if (_end > _start)
            {
                throw new IOException("TCP closed inside a frame header.");
            }

            return null;
        }

        byte b0 = _buffer[_start];
        byte b1 = _buffer[_start + 1];
        int length7 = b1 & 0x7F;
        bool masked = (b1 & 0x80) != 0;
        int headerSize = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (!await EnsureAsync(headerSize, ct))
        {
            throw new IOException("TCP closed inside a frame header.");
        }

        long length = length7 switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2)),
            127 => (long)BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(_start + 2)),
            _ => length7,
        };
        if (length > 256L * 1024 * 1024)
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"The endpoint under test announced a frame of {length} bytes."));
        }

        uint key = masked ? BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start + headerSize - 4)) : 0;
        _start += headerSize;

        var payload = new byte[length];
        int have = Math.Min(_end - _start, payload.Length);
        _buffer.AsSpan(_start, have).CopyTo(payload);
        _start += have;
        while (have < payload.Length)
        {
            int read = await ReadStreamAsync(payload.AsMemory(have), ct);
            if (read == 0)
            {
                throw new IOException("TCP closed inside a frame payload.");
            }

            have += read;
        }

        if (masked)
        {
            Masking.Apply(payload, key, 0);
        }

        return ((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0x0F, masked, payload);
    }

    private async Task<bool> EnsureAsync(int count, CancellationToken ct)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync(ct))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads more bytes into the buffer; false at end of stream (a reset counts as the end).</summary>
    private async Task<bool> FillAsync(CancellationToken ct)
    {
        if (_closed)
        {
            return false;
        }

        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        int read = await ReadStreamAsync(_buffer.AsMemory(_end), ct);
        if (read == 0)
        {
            return false;
        }

        _end += read;
        return true;
    }

    private async Task<int> ReadStreamAsync(Memory<byte> into, CancellationToken ct)
    {
        if (_closed)
        {
            return 0;
        }

        try
        {
            int read = await _stream.ReadAsync(into, ct);
            if (read == 0)
            {
                _closed = true;
            }

            return read;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            _closed = true;
            return 0;
        }
    }
}
