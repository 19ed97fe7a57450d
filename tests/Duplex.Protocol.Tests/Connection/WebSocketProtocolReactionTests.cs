using System.Buffers.Binary;
using System.Text;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>What the protocol owes after what it received: the pong (RFC 6455 §5.5.3), the close echo (§5.5.1), the close that fails the connection (§7.1.7).</summary>
public class WebSocketProtocolReactionTests
{
    private static readonly uint RfcKey = Masking.ReadKey([0x37, 0xFA, 0x21, 0x3D]);

    private static WebSocketProtocol Server() => new(Role.Server, 1 << 20);

    private static ReceiveEvent Feed(WebSocketProtocol protocol, byte[] bytes)
    {
        ReceiveEvent ev = protocol.Receive(bytes, new byte[256], out int consumed, out _);
        if (ev != ReceiveEvent.Error)
        {
            Assert.Equal(bytes.Length, consumed);
        }

        return ev;
    }

    private static byte[] Owed(WebSocketProtocol protocol)
    {
        int length = protocol.PendingFrameLength;
        byte[] destination = new byte[WebSocketProtocol.MaxControlFrameSize];
        int written = protocol.WritePendingFrame(destination);
        Assert.True(written <= length, $"{written} bytes written where {length} were announced.");
        return destination[..written];
    }

    private static byte[] ClientFrame(Opcode opcode, byte[] payload)
    {
        byte[] frame = new byte[FrameWriter.SizeOf(payload.Length, masked: true)];
        FrameWriter.Write(frame, true, opcode, 0, payload, RfcKey);
        return frame;
    }

    [Fact]
    public void Ping_is_answered_with_a_pong_carrying_its_payload_matching_section_5_7()
    {
        WebSocketProtocol server = Server();

        // RFC 6455 §5.7: a masked "Hello" ping; the answer is the unmasked "Hello" pong.
        Assert.Equal(ReceiveEvent.Ping, Feed(server, Hex.Bytes("89 85 37 fa 21 3d 7f 9f 4d 51 58")));

        Assert.Equal(7, server.PendingFrameLength);
        Assert.Equal(Hex.Bytes("8a 05 48 65 6c 6c 6f"), Owed(server));
        Assert.Equal(0, server.PendingFrameLength);
    }

    [Fact]
    public void A_client_answers_a_ping_with_a_masked_pong()
    {
        var client = new WebSocketProtocol(Role.Client, 1 << 20);

        Assert.Equal(ReceiveEvent.Ping, Feed(client, Hex.Bytes("89 05 48 65 6c 6c 6f")));

        SentFrame pong = SentFrame.Read(Owed(client));
        Assert.Equal(Opcode.Pong, pong.Header.Opcode);
        Assert.True(pong.Header.Masked);
        Assert.Equal("Hello"u8.ToArray(), pong.Payload);
    }

    [Fact]
    public void Pong_owes_nothing()
    {
        WebSocketProtocol server = Server();

        Assert.Equal(ReceiveEvent.Pong, Feed(server, ClientFrame(Opcode.Pong, [1, 2])));

        Assert.Equal(0, server.PendingFrameLength);
        Assert.Empty(Owed(server));
    }

    [Fact]
    public void A_ping_after_this_end_sent_its_close_is_not_answered()
    {
        WebSocketProtocol server = Server();
        server.TryWriteClose(1000, null, new byte[WebSocketProtocol.MaxControlFrameSize], out _);

        Assert.Equal(ReceiveEvent.Ping, Feed(server, ClientFrame(Opcode.Ping, [9])));

        // RFC 6455 §5.5.1: after sending a close frame, an endpoint sends no more data (nor pongs).
        Assert.Equal(0, server.PendingFrameLength);
        Assert.Empty(Owed(server));
    }

    [Fact]
    public void An_unanswered_pong_is_dropped_by_the_next_receive()
    {
        WebSocketProtocol server = Server();
        Feed(server, ClientFrame(Opcode.Ping, [9]));

        Assert.Equal(ReceiveEvent.NeedMoreData, server.Receive([], new byte[8], out _, out _));

        Assert.Equal(0, server.PendingFrameLength);
    }

    [Fact]
    public void Close_is_echoed_with_its_code_and_the_handshake_completes()
    {
        WebSocketProtocol server = Server();
        byte[] payload = [0x03, 0xE8, .. "bye"u8];

        Assert.Equal(ReceiveEvent.Close, Feed(server, ClientFrame(Opcode.Close, payload)));
        Assert.Equal(WebSocketConnectionState.CloseReceived, server.State);
        Assert.True(server.OwesClose);
        Assert.False(server.CanSendData);

        Assert.Equal(Hex.Bytes("88 02 03 e8"), Owed(server));
        Assert.Equal(WebSocketConnectionState.Closed, server.State);
    }

    [Fact]
    public void Close_without_a_code_is_echoed_without_one()
    {
        WebSocketProtocol server = Server();

        Assert.Equal(ReceiveEvent.Close, Feed(server, ClientFrame(Opcode.Close, [])));

        Assert.Equal(Hex.Bytes("88 00"), Owed(server));
    }

    [Fact]
    public void Close_after_this_end_closed_owes_nothing_and_the_handshake_is_done()
    {
        WebSocketProtocol server = Server();
        server.TryWriteClose(1001, null, new byte[WebSocketProtocol.MaxControlFrameSize], out _);

        Assert.Equal(ReceiveEvent.Close, Feed(server, ClientFrame(Opcode.Close, [0x03, 0xE9])));

        Assert.False(server.OwesClose);
        Assert.Equal(0, server.PendingFrameLength);
        Assert.Equal(WebSocketConnectionState.Closed, server.State);
    }

    [Fact]
    public void A_protocol_error_owes_a_close_with_the_errors_code_and_reason()
    {
        WebSocketProtocol server = Server();

        // An unmasked frame from a client: RFC 6455 §5.1 fails the connection with 1002.
        Assert.Equal(ReceiveEvent.Error, Feed(server, Hex.Bytes("81 01 61")));
        Assert.True(server.OwesClose);

        SentFrame close = SentFrame.Read(Owed(server));
        Assert.Equal(Opcode.Close, close.Header.Opcode);
        Assert.Equal(1002, BinaryPrimitives.ReadUInt16BigEndian(close.Payload));
        Assert.Equal(server.Receiver.ErrorMessage, Encoding.UTF8.GetString(close.Payload.AsSpan(2)));
        Assert.False(server.CanSendData);
    }

    [Fact]
    public void Invalid_utf8_owes_a_close_with_1007()
    {
        WebSocketProtocol server = Server();

        Assert.Equal(ReceiveEvent.Error, Feed(server, ClientFrame(Opcode.Text, [0xC0, 0x80])));

        SentFrame close = SentFrame.Read(Owed(server));
        Assert.Equal(1007, BinaryPrimitives.ReadUInt16BigEndian(close.Payload));
    }

    [Fact]
    public void A_protocol_error_after_this_end_closed_owes_nothing()
    {
        WebSocketProtocol server = Server();
        server.TryWriteClose(1000, null, new byte[WebSocketProtocol.MaxControlFrameSize], out _);

        Assert.Equal(ReceiveEvent.Error, Feed(server, Hex.Bytes("81 01 61")));

        Assert.Equal(0, server.PendingFrameLength);
        Assert.Empty(Owed(server));
    }
}
