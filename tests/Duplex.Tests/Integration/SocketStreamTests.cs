using System.Net;
using System.Net.Sockets;
using Duplex.Transport;

namespace Duplex.Tests.Integration;

/// <summary>
/// The plain-TCP stream: non-blocking first, asynchronous when the socket is not ready. Each test
/// uses a connected loopback pair; the far end is a plain socket.
/// </summary>
public sealed class SocketStreamTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static async Task<(SocketStream Stream, Socket Peer)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Task<Socket> accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        Socket server = await accept.WaitAsync(Bound);
        return (new SocketStream(server), client);
    }

    [Fact]
    public async Task TryRead_says_nothing_yet_then_returns_what_arrived()
    {
        (SocketStream stream, Socket peer) = await PairAsync();
        using (peer)
        await using (stream)
        {
            var buffer = new byte[16];
            Assert.Equal(-1, stream.TryRead(buffer));

            await peer.SendAsync("hello"u8.ToArray());
            await stream.ReadAsync(Memory<byte>.Empty).AsTask().WaitAsync(Bound);
            Assert.Equal(5, stream.TryRead(buffer));
            Assert.Equal("hello"u8.ToArray(), buffer[..5]);
        }
    }

    [Fact]
    public async Task A_zero_byte_read_waits_for_data_without_consuming_it()
    {
        (SocketStream stream, Socket peer) = await PairAsync();
        using (peer)
        await using (stream)
        {
            ValueTask<int> wait = stream.ReadAsync(Memory<byte>.Empty);
            Assert.False(wait.IsCompleted);
            await peer.SendAsync(new byte[] { 1, 2, 3 });
            Assert.Equal(0, await wait.AsTask().WaitAsync(Bound));

            var buffer = new byte[8];
            Assert.Equal(3, await stream.ReadAsync(buffer).AsTask().WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task A_read_with_nothing_there_completes_when_data_arrives()
    {
        (SocketStream stream, Socket peer) = await PairAsync();
        using (peer)
        await using (stream)
        {
            var buffer = new byte[8];
            ValueTask<int> read = stream.ReadAsync(buffer);
            Assert.False(read.IsCompleted);
            await peer.SendAsync(new byte[] { 9, 8 });
            Assert.Equal(2, await read.AsTask().WaitAsync(Bound));
            Assert.Equal(new byte[] { 9, 8 }, buffer[..2]);
        }
    }

    [Fact]
    public async Task The_end_of_the_stream_reads_as_zero()
    {
        (SocketStream stream, Socket peer) = await PairAsync();
        await using (stream)
        {
            peer.Shutdown(SocketShutdown.Send);
            peer.Dispose();
            Assert.Equal(0, await stream.ReadAsync(new byte[4]).AsTask().WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task A_write_larger_than_the_kernel_buffers_finishes_asynchronously_and_arrives_whole()
    {
        (SocketStream stream, Socket peer) = await PairAsync();
        using (peer)
        await using (stream)
        {
            stream.Socket.SendBufferSize = 16 * 1024;
            peer.ReceiveBufferSize = 16 * 1024;
            byte[] data = Pattern(8 * 1024 * 1024);

            // The peer is not reading yet, so the kernel fills up and the write must wait.
            ValueTask write = stream.WriteAsync(data);
            Assert.False(write.IsCompleted);

            byte[] received = await ReceiveExactlyAsync(peer, data.Length);
            await write.AsTask().WaitAsync(Bound);
            Assert.Equal(data, received);
        }
    }

    [Fact]
    public async Task A_gathered_write_sends_both_parts_in_order_even_when_the_kernel_takes_part()
    {
        (SocketStream stream, Socket peer) = await PairAsync();
        using (peer)
        await using (stream)
        {
            stream.Socket.SendBufferSize = 16 * 1024;
            peer.ReceiveBufferSize = 16 * 1024;
            byte[] header = [0x82, 0x7F, 0, 0, 0, 0, 0, 0x40, 0, 0];
            byte[] payload = Pattern(4 * 1024 * 1024);

            ValueTask write = stream.WriteAsync(header, payload, CancellationToken.None);
            byte[] received = await ReceiveExactlyAsync(peer, header.Length + payload.Length);
            await write.AsTask().WaitAsync(Bound);
            Assert.Equal(header, received[..header.Length]);
            Assert.Equal(payload, received[header.Length..]);
        }
    }

    [Fact]
    public async Task A_gathered_write_of_memory_not_backed_by_an_array_still_arrives()
    {
        (SocketStream stream, Socket peer) = await PairAsync();
        using (peer)
        await using (stream)
        {
            using var native = new NativeMemory(64);
            native.Memory.Span.Fill(7);
            await stream.WriteAsync(new byte[] { 1, 2 }, native.Memory, CancellationToken.None).AsTask().WaitAsync(Bound);
            byte[] received = await ReceiveExactlyAsync(peer, 66);
            Assert.Equal(new byte[] { 1, 2 }, received[..2]);
            Assert.All(received[2..], b => Assert.Equal(7, b));
        }
    }

    [Fact]
    public async Task Writing_to_a_reset_connection_fails_with_an_IOException()
    {
        (SocketStream stream, Socket peer) = await PairAsync();
        await using (stream)
        {
            peer.LingerState = new LingerOption(true, 0);
            peer.Dispose(); // RST

            await Assert.ThrowsAsync<IOException>(async () =>
            {
                // The first write may be accepted before the reset is seen; keep writing until it is.
                for (int i = 0; i < 1000; i++)
                {
                    await stream.WriteAsync(new byte[1024]).AsTask().WaitAsync(Bound);
                    await Task.Yield();
                }
            });
        }
    }

    [Fact]
    public async Task Synchronous_read_and_write_wait_for_the_socket()
    {
        (SocketStream stream, Socket peer) = await PairAsync();
        using (peer)
        await using (stream)
        {
            Task<int> read = Task.Run(() => stream.Read(new byte[4], 0, 4));
            await peer.SendAsync(new byte[] { 5 });
            Assert.Equal(1, await read.WaitAsync(Bound));

            stream.Write([6, 7], 0, 2);
            byte[] received = await ReceiveExactlyAsync(peer, 2);
            Assert.Equal(new byte[] { 6, 7 }, received);
        }
    }

    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(i * 31 + (i >> 11));
        }

        return data;
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int length)
    {
        var data = new byte[length];
        int count = 0;
        using var timeout = new CancellationTokenSource(Bound);
        while (count < length)
        {
            int read = await socket.ReceiveAsync(data.AsMemory(count), SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, read);
            count += read;
        }

        return data;
    }

    /// <summary>Memory that does not expose an array, to take the path that cannot gather.</summary>
    private sealed class NativeMemory(int length) : System.Buffers.MemoryManager<byte>
    {
        private readonly byte[] _data = new byte[length];

        public override Span<byte> GetSpan() => _data;

        // Small writes complete synchronously from the span; nothing here needs pinning.
        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
