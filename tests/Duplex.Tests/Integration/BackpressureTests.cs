using System.Buffers.Binary;
using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

/// <summary>
/// A peer that does not read: sends complete without waiting only until the kernel's buffers
/// and the connection's bounded output buffer are full, then wait; once the peer reads,
/// everything arrives, whole and in order.
/// </summary>
public sealed class BackpressureTests
{
    private const int MessageSize = 1024;

    /// <summary>Far more than loopback's kernel buffers and the 64 KiB output buffer can hold.</summary>
    private const int MaxUnblockedBytes = 64 * 1024 * 1024;

    /// <summary>A message too large for the kernel's buffers, so its write stays pending while the peer does not read.</summary>
    private const int LargeMessageSize = 32 * 1024 * 1024;

    public enum Sending
    {
        /// <summary>Plain sends: each flushes, and its own pending write makes the next one wait.</summary>
        Plain,

        /// <summary>Prepared messages without flush: they pile up in the output buffer until its bound.</summary>
        BufferedBroadcast,

        /// <summary>Small sends while a large write holds the writer: they must wait at the buffer's bound, not grow it.</summary>
        BehindLargeWrite,
    }

    [Theory]
    [InlineData(Sending.Plain)]
    [InlineData(Sending.BufferedBroadcast)]
    [InlineData(Sending.BehindLargeWrite)]
    public async Task Sends_to_a_peer_that_does_not_read_start_waiting_and_all_arrive_once_it_reads(Sending sending)
    {
        var stalled = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerDone = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using EchoServer server = await EchoServer.StartAsync(map: s => s.MapWebSocket("/flood", async (ws, ct) =>
        {
            byte[] payload = new byte[MessageSize];
            int sent = 0;
            try
            {
                ValueTask large = sending == Sending.BehindLargeWrite
                    ? ws.SendBinaryAsync(new byte[LargeMessageSize], ct)
                    : ValueTask.CompletedTask;
                while (true)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(payload, sent);
                    ValueTask send = sending == Sending.BufferedBroadcast
                        ? ws.SendAsync(PreparedMessage.Binary(payload), flush: false, ct)
                        : ws.SendBinaryAsync(payload, ct);
                    if (!send.IsCompleted)
                    {
                        // The first send that has to wait: the peer stopped taking data.
                        stalled.TrySetResult(sent);
                        await send;
                        sent++;
                        break;
                    }

                    await send;
                    sent++;
                    if ((long)sent * MessageSize > MaxUnblockedBytes)
                    {
                        stalled.TrySetResult(-1);
                        break;
                    }
                }

                // Ten more after the stall, to see the order kept across it.
                for (int i = 0; i < 10; i++, sent++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(payload, sent);
                    await ws.SendBinaryAsync(payload, ct);
                }

                await large;
                await ws.FlushAsync(ct);
                handlerDone.TrySetResult(sent);
                await ws.ReceiveAsync(ct);
            }
            catch (Exception ex)
            {
                stalled.TrySetException(ex);
                handlerDone.TrySetException(ex);
            }
        }));
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port, "/flood");

        int beforeStall = await stalled.Task.Within("the first send that waits");
        Assert.True(
            sending == Sending.BehindLargeWrite ? beforeStall >= 0 : beforeStall > 0,
            $"sends never waited (the output grew past {MaxUnblockedBytes / 1024 / 1024} MiB), or a send waited at once ({beforeStall})");

        // Now read: the large message first (it was sent first), then every small one, numbered in order.
        if (sending == Sending.BehindLargeWrite)
        {
            RawFrame? first = await raw.ReadFrameAsync();
            Assert.NotNull(first);
            Assert.Equal(LargeMessageSize, first.Payload.Length);
        }

        int expected = 0;
        Task<int> done = handlerDone.Task;
        while (!done.IsCompletedSuccessfully || expected < await done)
        {
            RawFrame? frame = await raw.ReadFrameAsync();
            Assert.NotNull(frame);
            Assert.Equal(MessageSize, frame.Payload.Length);
            Assert.Equal(expected, BinaryPrimitives.ReadInt32LittleEndian(frame.Payload));
            expected++;
        }

        Assert.Equal(await done.Within("the handler"), expected);
    }

    [Fact]
    public async Task Pings_from_a_peer_that_does_not_read_its_pongs_stop_being_read_and_all_are_answered_later()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);
        byte[] ping = RawWebSocket.Frame(Opcode.Ping, new byte[125]);
        byte[] batch = [.. Enumerable.Repeat(ping, 256).SelectMany(frame => frame)];

        // The server answers each ping into its bounded output buffer; once that is full it must
        // stop reading (so the pings back up to this client) rather than buffer pongs without end.
        long sent = 0;
        bool stalled = false;
        while (sent < MaxUnblockedBytes)
        {
            if (!await raw.TrySendAsync(batch, TimeSpan.FromSeconds(3)))
            {
                stalled = true;
                break;
            }

            sent += batch.Length;
        }

        Assert.True(stalled, $"the server kept reading pings ({sent / 1024 / 1024} MiB) while its pongs were not read");

        // Now read: every ping is answered, the last batch's too once its write goes through.
        long pings = (sent + batch.Length) / ping.Length;
        for (long i = 0; i < pings; i++)
        {
            RawFrame? pong = await raw.ReadFrameAsync();
            Assert.NotNull(pong);
            Assert.Equal(Opcode.Pong, pong.Opcode);
            Assert.Equal(125, pong.Payload.Length);
        }
    }
}
