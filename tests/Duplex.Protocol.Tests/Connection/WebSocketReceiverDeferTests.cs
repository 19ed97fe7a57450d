using System.Buffers;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>
/// Which partial frames a caller may hold back until they are whole (the small-message fast path):
/// only those the receiver would accept at their header and need not see early.
/// </summary>
public class WebSocketReceiverDeferTests
{
    private static WebSocketReceiver Receiver(Role role = Role.Server) => new(new ReceiverOptions { Role = role, MaxMessageSize = 1000 });

    private static FrameHeader Header(string hex)
    {
        Assert.Equal(OperationStatus.Done, FrameHeaderReader.TryRead(Hex.Bytes(hex), out FrameHeader header, out _));
        return header;
    }

    [Fact]
    public void Masked_binary_within_the_limit_may_wait_for_its_rest()
    {
        Assert.True(Receiver().MayDeferPayload(Header("82 fe 01 f4 00 00 00 00")));
    }

    [Fact]
    public void Text_is_fed_at_once_so_that_invalid_utf8_fails_fast()
    {
        // RFC 6455 §8.1: fail as soon as the bytes cannot be valid UTF-8.
        Assert.False(Receiver().MayDeferPayload(Header("81 fe 01 f4 00 00 00 00")));
    }

    [Fact]
    public void A_continuation_of_text_is_fed_at_once_too()
    {
        WebSocketReceiver receiver = Receiver();
        byte[] first = new byte[FrameWriter.SizeOf(1, masked: true)];
        FrameWriter.Write(first, fin: false, Opcode.Text, 0, "a"u8, 0x01020304);
        Assert.Equal(ReceiveEvent.NeedMoreData, receiver.Receive(first, new byte[8], out _, out _));

        Assert.False(receiver.MayDeferPayload(Header("80 fe 01 f4 00 00 00 00")));
    }

    [Fact]
    public void Unmasked_binary_to_a_server_is_refused_at_its_header_so_it_is_fed_at_once()
    {
        Assert.False(Receiver().MayDeferPayload(Header("82 7e 01 f4")));
    }

    [Fact]
    public void Binary_over_the_message_limit_is_fed_at_once_for_its_1009()
    {
        Assert.False(Receiver().MayDeferPayload(Header("82 fe 03 e9 00 00 00 00")));
    }

    [Fact]
    public void Well_formed_ping_may_wait_an_oversized_or_fragmented_one_may_not()
    {
        WebSocketReceiver receiver = Receiver();

        Assert.True(receiver.MayDeferPayload(Header("89 fd 00 00 00 00")));
        Assert.False(receiver.MayDeferPayload(Header("89 fe 00 7e 00 00 00 00")));
        Assert.False(receiver.MayDeferPayload(Header("09 85 00 00 00 00")));
    }

    [Fact]
    public void A_client_defers_only_unmasked_frames()
    {
        Assert.True(Receiver(Role.Client).MayDeferPayload(Header("82 7e 01 f4")));
        Assert.False(Receiver(Role.Client).MayDeferPayload(Header("82 fe 01 f4 00 00 00 00")));
    }
}
