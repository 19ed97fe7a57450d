using System.Net;
using System.Net.Sockets;
using Duplex.Transport;

namespace Duplex.Tests.Transport;

/// <summary>
/// The epoll readiness engine and a socket's reused wait, on real loopback sockets: readiness,
/// data that came before the wait, end of stream, cancellation, closing while waiting, many
/// sockets at once (the slot table grows), slots reused after closing.
/// </summary>
public sealed class ReadinessEngineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static ReadinessEngine Engine
    {
        get
        {
            Assert.True(Epoll.Supported, "these tests run on Linux (x64 or arm64), where the engine is used");
            return Assert.IsType<ReadinessEngine>(ReadinessEngine.Readable);
        }
    }

    [Fact]
    public async Task A_wait_completes_when_the_peer_sends_and_not_before()
    {
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            ReadinessWait wait = WaitFor(server);
            Task<int> pending = Start(wait, CancellationToken.None);
            await AssertStillPendingAsync(pending);

            client.Send([1, 2, 3]);
            Assert.Equal(0, await pending.WaitAsync(Bound));
            Assert.Equal(3, server.Receive(new byte[8]));
            wait.Close();
        }
    }

    [Fact]
    public async Task Data_that_came_before_the_wait_completes_it_at_once_and_the_wait_is_reusable()
    {
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            ReadinessWait wait = WaitFor(server);
            for (int round = 0; round < 50; round++)
            {
                client.Send([(byte)round]);
                Assert.Equal(0, await Start(wait, CancellationToken.None).WaitAsync(Bound));
                byte[] one = new byte[1];
                Assert.Equal(1, server.Receive(one));
                Assert.Equal((byte)round, one[0]);
            }

            wait.Close();
        }
    }

    [Fact]
    public async Task The_end_of_the_stream_counts_as_readable()
    {
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (server)
        {
            ReadinessWait wait = WaitFor(server);
            Task<int> pending = Start(wait, CancellationToken.None);
            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, await pending.WaitAsync(Bound));
            Assert.Equal(0, server.Receive(new byte[8]));
            client.Dispose();
            wait.Close();
        }
    }

    [Fact]
    public async Task A_canceled_wait_fails_and_the_next_one_still_works()
    {
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            ReadinessWait wait = WaitFor(server);
            using var cancel = new CancellationTokenSource();
            Task<int> pending = Start(wait, cancel.Token);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Bound));

            // The canceled token is gone with its wait: canceling nothing later disturbs the next.
            Task<int> next = Start(wait, CancellationToken.None);
            await AssertStillPendingAsync(next);
            client.Send([7]);
            Assert.Equal(0, await next.WaitAsync(Bound));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Start(wait, new CancellationToken(canceled: true)));
            wait.Close();
        }
    }

    [Fact]
    public async Task Closing_fails_a_pending_wait_with_operation_aborted_and_every_later_one()
    {
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            ReadinessWait wait = WaitFor(server);
            Task<int> pending = Start(wait, CancellationToken.None);
            wait.Close();
            SocketException aborted = await Assert.ThrowsAsync<SocketException>(() => pending.WaitAsync(Bound));
            Assert.Equal(SocketError.OperationAborted, aborted.SocketErrorCode);
            SocketException later = await Assert.ThrowsAsync<SocketException>(() => Start(wait, CancellationToken.None));
            Assert.Equal(SocketError.OperationAborted, later.SocketErrorCode);
        }
    }

    [Fact]
    public async Task A_second_wait_while_one_is_pending_is_refused_and_a_socket_stream_then_uses_the_socket_wait()
    {
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            ReadinessWait wait = WaitFor(server);
            Task<int> pending = Start(wait, CancellationToken.None);
            Assert.False(wait.TryWait(CancellationToken.None, out _));
            client.Send([1]);
            Assert.Equal(0, await pending.WaitAsync(Bound));
            wait.Close();
        }
    }

    [Fact]
    public async Task Many_sockets_wait_at_once_and_each_is_woken_by_its_own_data_only()
    {
        const int Count = 300; // past the slot table's first size
        var pairs = new List<(Socket Client, Socket Server, ReadinessWait Wait, Task<int> Pending)>();
        try
        {
            for (int i = 0; i < Count; i++)
            {
                (Socket client, Socket server) = await ConnectedPairAsync();
                ReadinessWait wait = WaitFor(server);
                pairs.Add((client, server, wait, Start(wait, CancellationToken.None)));
            }

            // Wake the even ones, in reverse order; the odd ones must stay pending.
            for (int i = Count - 2; i >= 0; i -= 2)
            {
                pairs[i].Client.Send([(byte)i]);
            }

            await Task.WhenAll(pairs.Where((_, i) => i % 2 == 0).Select(p => p.Pending)).WaitAsync(Bound);
            Assert.All(pairs.Where((_, i) => i % 2 == 1), p => Assert.False(p.Pending.IsCompleted));

            for (int i = 1; i < Count; i += 2)
            {
                pairs[i].Client.Send([1]);
            }

            await Task.WhenAll(pairs.Select(p => p.Pending)).WaitAsync(Bound);
        }
        finally
        {
            foreach ((Socket client, Socket server, ReadinessWait wait, _) in pairs)
            {
                wait.Close();
                client.Dispose();
                server.Dispose();
            }
        }
    }

    [Fact]
    public async Task Slots_freed_by_closed_sockets_serve_new_ones()
    {
        for (int round = 0; round < 3; round++)
        {
            var pairs = new List<(Socket Client, Socket Server, ReadinessWait Wait)>();
            for (int i = 0; i < 40; i++)
            {
                (Socket client, Socket server) = await ConnectedPairAsync();
                pairs.Add((client, server, WaitFor(server)));
            }

            var pending = pairs.Select(p => Start(p.Wait, CancellationToken.None)).ToList();
            foreach ((Socket client, _, _) in pairs)
            {
                client.Send([1]);
            }

            await Task.WhenAll(pending).WaitAsync(Bound);
            foreach ((Socket client, Socket server, ReadinessWait wait) in pairs)
            {
                wait.Close();
                server.Dispose();
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_socket_stream_read_that_finds_nothing_waits_through_the_engine_and_dispose_ends_it()
    {
        _ = Engine;
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        {
            var stream = new SocketStream(server);
            byte[] buffer = new byte[16];
            Task<int> read = stream.ReadAsync(buffer).AsTask();
            await AssertStillPendingAsync(read);
            client.Send([5, 6]);
            Assert.Equal(2, await read.WaitAsync(Bound));
            Assert.Equal(5, buffer[0]);

            Task<int> idle = stream.ReadAsync(Memory<byte>.Empty).AsTask();
            await AssertStillPendingAsync(idle);
            await stream.DisposeAsync();
            await Assert.ThrowsAsync<IOException>(() => idle.WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task Two_zero_byte_reads_at_once_on_a_socket_stream_both_complete_when_data_comes()
    {
        _ = Engine;
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        {
            await using var stream = new SocketStream(server);
            Task<int> first = stream.ReadAsync(Memory<byte>.Empty).AsTask();
            Task<int> second = stream.ReadAsync(Memory<byte>.Empty).AsTask();
            await AssertStillPendingAsync(first);
            Assert.False(second.IsCompleted);
            client.Send([9]);
            await Task.WhenAll(first, second).WaitAsync(Bound);
            byte[] one = new byte[1];
            Assert.Equal(1, await stream.ReadAsync(one).AsTask().WaitAsync(Bound));
            Assert.Equal(9, one[0]);
        }
    }

    [Fact]
    public async Task A_write_wait_completes_when_the_peer_makes_room()
    {
        ReadinessEngine writable = Assert.IsType<ReadinessEngine>(ReadinessEngine.Writable);
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            server.Blocking = false;
            byte[] chunk = new byte[64 * 1024];
            long written = 0;
            while (true)
            {
                int sent = server.Send(chunk, SocketFlags.None, out SocketError error);
                if (error == SocketError.WouldBlock)
                {
                    break;
                }

                Assert.Equal(SocketError.Success, error);
                written += sent;
            }

            var wait = new ReadinessWait(writable, (int)server.SafeHandle.DangerousGetHandle());
            Task<int> pending = Start(wait, CancellationToken.None);
            await AssertStillPendingAsync(pending);

            // Read everything the kernels hold: room opens on the writer's side.
            byte[] sink = new byte[256 * 1024];
            long read = 0;
            while (read < written)
            {
                read += await client.ReceiveAsync(sink).WaitAsync(Bound);
            }

            Assert.Equal(0, await pending.WaitAsync(Bound));
            Assert.True(server.Send(chunk, SocketFlags.None, out SocketError after) > 0);
            Assert.Equal(SocketError.Success, after);
            wait.Close();
        }
    }

    [Fact]
    public async Task A_socket_stream_write_larger_than_the_kernel_takes_finishes_as_the_peer_reads_in_order()
    {
        Assert.NotNull(ReadinessEngine.Writable);
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        {
            await using var stream = new SocketStream(server);
            byte[] data = new byte[16 * 1024 * 1024];
            new Random(7).NextBytes(data);
            Task write = stream.WriteAsync(data).AsTask();
            await AssertStillPendingAsync(write);

            byte[] received = new byte[data.Length];
            int count = 0;
            while (count < received.Length)
            {
                count += await client.ReceiveAsync(received.AsMemory(count)).AsTask().WaitAsync(Bound);
            }

            await write.WaitAsync(Bound);
            Assert.True(received.AsSpan().SequenceEqual(data));
        }
    }

    private static Task<int> Start(ReadinessWait wait, CancellationToken cancellationToken)
    {
        Assert.True(wait.TryWait(cancellationToken, out ValueTask<int> task), "a wait was already pending");
        return task.AsTask();
    }

    private static ReadinessWait WaitFor(Socket socket)
    {
        socket.Blocking = false;
        return new ReadinessWait(Engine, (int)socket.SafeHandle.DangerousGetHandle());
    }

    /// <summary>
    /// Asserts that <paramref name="pending"/> has not completed after a round trip on another
    /// connection went through the kernel (an event, not a sleep: anything the engine had for
    /// this socket would have been delivered by then as well).
    /// </summary>
    private static async Task AssertStillPendingAsync(Task pending)
    {
        (Socket a, Socket b) = await ConnectedPairAsync();
        using (a)
        using (b)
        {
            ReadinessWait probe = WaitFor(b);
            Task<int> probed = Start(probe, CancellationToken.None);
            a.Send([0]);
            await probed.WaitAsync(Bound);
            probe.Close();
        }

        Assert.False(pending.IsCompleted);
    }

    private static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Task connect = client.ConnectAsync(listener.LocalEndPoint!);
        Socket server = await listener.AcceptAsync().WaitAsync(Bound);
        await connect.WaitAsync(Bound);
        return (client, server);
    }
}
