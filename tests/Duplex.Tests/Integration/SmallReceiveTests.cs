using System.Text;
using CsCheck;
using Duplex.Protocol.Frames;
using Duplex.Tests.Support;

namespace Duplex.Tests.Integration;

/// <summary>
/// Small whole messages are received from the input buffer, read onto its end while a frame is
/// incomplete (moving or growing the buffer) and waited for without the asynchronous layers;
/// whatever arrives in whatever pieces must come out whole and in order, and a frame the
/// receiver refuses must be refused before the rest of it arrives.
/// </summary>
public sealed class SmallReceiveTests
{
    /// <summary>Messages of 1 B to 20 KB (either side of the 16 KiB small-message bound), text or binary, and pings.</summary>
    private static readonly Gen<(Opcode Opcode, int Size)[]> s_messages = Gen.OneOf(
        Gen.Select(Gen.OneOfConst(Opcode.Text, Opcode.Binary), Gen.Int[1, 20_000]),
        Gen.Select(Gen.Const(Opcode.Ping), Gen.Int[0, 125])).Array[1, 10];

    [Fact]
    public async Task Messages_and_pings_cut_at_any_points_are_answered_whole_and_in_order()
    {
        // A small receive buffer, so that frames straddle its end and outgrow it.
        await using EchoServer server = await EchoServer.StartAsync(new WebSocketConnectionOptions { ReceiveBufferSize = 1024 });
        await Gen.Select(s_messages, Gen.Int[1, 12], Gen.Int).SampleAsync(async sample =>
        {
            ((Opcode Opcode, int Size)[] messages, int pieces, int seed) = sample;
            var random = new Random(seed);
            byte[][] payloads = [.. messages.Select(m => Payload(random, m.Opcode == Opcode.Text, m.Size))];
            byte[] stream = [.. messages.Zip(payloads).SelectMany(p => RawWebSocket.Frame(p.First.Opcode, p.Second))];

            await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);
            int[] cuts = [.. Enumerable.Range(0, pieces - 1).Select(_ => random.Next(1, stream.Length)).Distinct().Order()];
            int from = 0;
            foreach (int cut in cuts.Append(stream.Length))
            {
                await raw.SendAsync(stream[from..cut]);
                from = cut;
            }

            for (int i = 0; i < messages.Length; i++)
            {
                RawFrame? echo = await raw.ReadFrameAsync();
                Assert.NotNull(echo);
                Assert.Equal(messages[i].Opcode == Opcode.Ping ? Opcode.Pong : messages[i].Opcode, echo.Opcode);
                Assert.Equal(payloads[i], echo.Payload);
            }
        }, iter: 60, threads: 1);
    }

    [Fact]
    public async Task An_unmasked_frame_is_refused_at_its_header_before_its_payload_arrives()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);
        byte[] frame = RawWebSocket.Frame(Opcode.Binary, new byte[1000], mask: false);

        // RFC 6455 §5.1: a server MUST close the connection on an unmasked frame from a client.
        await raw.SendAsync(frame[..20]);

        Assert.Equal(1002, (await raw.ReadCloseAsync()).CloseCode);
    }

    [Fact]
    public async Task A_small_frame_over_the_message_limit_is_refused_before_its_payload_arrives()
    {
        await using EchoServer server = await EchoServer.StartAsync(new WebSocketConnectionOptions { MaxMessageSize = 1024 });
        await using RawWebSocket raw = await RawWebSocket.ConnectAsync(server.Port);
        byte[] frame = RawWebSocket.Frame(Opcode.Binary, new byte[2000]);

        await raw.SendAsync(frame[..20]);

        Assert.Equal(1009, (await raw.ReadCloseAsync()).CloseCode);
    }

    [Fact]
    public async Task A_second_receive_while_one_waits_is_refused_and_the_first_still_gets_its_message()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri());

        ValueTask<WebSocketMessage> first = client.ReceiveAsync();
        Assert.False(first.IsCompleted);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await client.ReceiveAsync());

        await client.SendTextAsync("still here");
        WebSocketMessage message = await first.AsTask().WaitAsync(Bounded.Default);
        Assert.Equal("still here", Encoding.UTF8.GetString(message.Data.Span));
    }

    [Fact]
    public async Task A_waiting_receive_can_be_canceled()
    {
        await using EchoServer server = await EchoServer.StartAsync();
        await using WebSocketConnection client = await EchoServer.ConnectAsync(server.Uri());
        using var cancel = new CancellationTokenSource();

        ValueTask<WebSocketMessage> receive = client.ReceiveAsync(cancel.Token);
        Assert.False(receive.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive.AsTask().WaitAsync(Bounded.Default));
    }

    private static byte[] Payload(Random random, bool text, int size)
    {
        if (text)
        {
            return Encoding.UTF8.GetBytes(new string([.. Enumerable.Range(0, size).Select(_ => (char)random.Next('a', 'z' + 1))]));
        }

        byte[] bytes = new byte[size];
        random.NextBytes(bytes);
        return bytes;
    }
}
