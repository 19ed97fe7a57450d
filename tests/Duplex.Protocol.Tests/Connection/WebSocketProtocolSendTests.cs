using System.Buffers.Binary;
using System.Text;
using Duplex.Protocol.Connection;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Connection;

/// <summary>Every frame the protocol sends, on bytes: data frames, fragments, RSV1, masks, pings, closes, and what the closing handshake still allows.</summary>
public class WebSocketProtocolSendTests
{
    private const long Limit = 1 << 20;

    private static WebSocketProtocol Server(int? compressFrom = null) => new(Role.Server, Limit, null, compressFrom);

    private static WebSocketProtocol Client(int? compressFrom = null) => new(Role.Client, Limit, null, compressFrom);

    private static byte[] Data(WebSocketProtocol protocol, Opcode type, bool endOfMessage, byte[] payload, bool compressed = false)
    {
        byte[] destination = new byte[protocol.DataFrameSize(payload.Length)];
        Assert.Equal(SendStatus.Done, protocol.WriteDataFrame(type, endOfMessage, compressed, payload, destination, out int written));
        Assert.Equal(destination.Length, written);
        return destination;
    }

    [Fact]
    public void Server_text_frame_is_unmasked_and_matches_section_5_7()
    {
        Assert.Equal(Hex.Bytes("81 05 48 65 6c 6c 6f"), Data(Server(), Opcode.Text, true, "Hello"u8.ToArray()));
    }

    [Fact]
    public void Server_fragments_are_text_then_continuation_and_match_section_5_7()
    {
        WebSocketProtocol server = Server();

        byte[] first = Data(server, Opcode.Text, false, "Hel"u8.ToArray());
        byte[] last = Data(server, Opcode.Text, true, "lo"u8.ToArray());

        Assert.Equal(Hex.Bytes("01 03 48 65 6c 80 02 6c 6f"), Hex.Concat(first, last));
    }

    [Fact]
    public void After_the_last_fragment_the_next_message_carries_its_own_type()
    {
        WebSocketProtocol server = Server();
        Data(server, Opcode.Binary, false, [1]);
        Data(server, Opcode.Binary, true, [2]);

        Assert.Equal(Hex.Bytes("81 01 61"), Data(server, Opcode.Text, true, "a"u8.ToArray()));
    }

    [Fact]
    public void Client_frames_are_masked_each_with_its_own_key()
    {
        WebSocketProtocol client = Client();

        SentFrame one = SentFrame.Read(Data(client, Opcode.Text, true, "Hello"u8.ToArray()));
        SentFrame two = SentFrame.Read(Data(client, Opcode.Text, true, "Hello"u8.ToArray()));

        Assert.True(one.Header.Masked);
        Assert.Equal("Hello"u8.ToArray(), one.Payload);
        Assert.Equal("Hello"u8.ToArray(), two.Payload);
        Assert.NotEqual(one.Header.MaskKey, two.Header.MaskKey);
    }

    [Fact]
    public void A_whole_message_may_not_start_inside_a_fragmented_one()
    {
        WebSocketProtocol server = Server();
        Assert.Equal(SendStatus.Done, server.BeginWholeMessage());
        Data(server, Opcode.Text, false, "Hel"u8.ToArray());

        Assert.Equal(SendStatus.FragmentedMessageOpen, server.BeginWholeMessage());

        Data(server, Opcode.Text, true, "lo"u8.ToArray());
        Assert.Equal(SendStatus.Done, server.BeginWholeMessage());
    }

    [Fact]
    public void Only_text_and_binary_are_data_messages()
    {
        byte[] destination = new byte[32];
        Assert.Throws<ArgumentOutOfRangeException>(() => Server().WriteDataFrame(Opcode.Ping, true, false, [1], destination, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => Server().WriteDataFrame(Opcode.Continuation, true, false, [1], destination, out _));
    }

    [Fact]
    public void Nothing_is_compressed_without_permessage_deflate()
    {
        WebSocketProtocol server = Server();

        Assert.False(server.CompressesMessage(1_000_000, endOfMessage: true));
        Assert.False(server.WouldCompress(1_000_000));
    }

    [Fact]
    public void With_permessage_deflate_whole_messages_from_the_threshold_are_compressed()
    {
        WebSocketProtocol server = Server(compressFrom: 100);

        Assert.False(server.CompressesMessage(99, endOfMessage: true));
        Assert.True(server.CompressesMessage(100, endOfMessage: true));
        Assert.True(server.WouldCompress(100));
    }

    [Fact]
    public void Fragments_are_never_compressed_rsv1_is_per_message()
    {
        WebSocketProtocol server = Server(compressFrom: 0);

        // RFC 7692 §6.1: RSV1 on the first frame says the whole message is compressed; a message
        // sent in fragments goes as it is.
        Assert.False(server.CompressesMessage(500, endOfMessage: false));
        Data(server, Opcode.Text, false, "Hel"u8.ToArray());
        Assert.False(server.CompressesMessage(500, endOfMessage: true));
    }

    [Fact]
    public void A_compressed_message_sets_rsv1()
    {
        // RFC 7692 §7.2.3.1: "Hello" compressed is f2 48 cd c9 c9 07 00.
        byte[] frame = Data(Server(compressFrom: 0), Opcode.Text, true, Hex.Bytes("f2 48 cd c9 c9 07 00"), compressed: true);

        Assert.Equal(Hex.Bytes("c1 07 f2 48 cd c9 c9 07 00"), frame);
    }

    [Fact]
    public void Large_frame_header_for_a_server_leaves_the_payload_as_it_is()
    {
        WebSocketProtocol server = Server();
        byte[] header = new byte[FrameHeader.MaxSize];

        Assert.Equal(SendStatus.Done, server.BeginDataFrame(Opcode.Binary, true, false, 70_000, header, out int length, out PayloadMask mask));

        Assert.Equal(Hex.Bytes("82 7f 00 00 00 00 00 01 11 70"), header[..length]);
        Assert.False(mask.IsMasked);
        Assert.Throws<InvalidOperationException>(() => mask.Apply([1], new byte[1]));
    }

    [Fact]
    public void Large_frame_for_a_client_is_masked_piece_by_piece_as_if_whole()
    {
        WebSocketProtocol client = Client();
        byte[] payload = Hex.Counting(70_001);
        byte[] wire = new byte[FrameHeader.MaxSize + payload.Length];

        Assert.Equal(SendStatus.Done, client.BeginDataFrame(Opcode.Binary, true, false, payload.Length, wire, out int headerLength, out PayloadMask mask));
        Assert.True(mask.IsMasked);

        // Pieces whose lengths are not multiples of 4: the key's position must carry over.
        int offset = 0;
        foreach (int piece in new[] { 1, 6, 65_537, payload.Length - 65_544 })
        {
            mask.Apply(payload.AsSpan(offset, piece), wire.AsSpan(headerLength + offset, piece));
            offset += piece;
        }

        SentFrame frame = SentFrame.Read(wire.AsSpan(0, headerLength + payload.Length));
        Assert.Equal(payload, frame.Payload);
        Assert.True(frame.Header.Fin);
        Assert.Equal(Opcode.Binary, frame.Header.Opcode);
    }

    [Fact]
    public void Prepared_frames_go_as_they_are_only_from_a_server_that_would_not_compress_them()
    {
        Assert.True(Server().AcceptsPreparedFrame(10));
        Assert.False(Client().AcceptsPreparedFrame(10));
        Assert.False(Server(compressFrom: 8).AcceptsPreparedFrame(10));
        Assert.True(Server(compressFrom: 11).AcceptsPreparedFrame(10));
    }

    [Fact]
    public void Ping_from_a_server_matches_section_5_7_and_from_a_client_is_masked()
    {
        byte[] destination = new byte[WebSocketProtocol.MaxControlFrameSize];
        Assert.True(Server().TryWritePing("Hello"u8, destination, out int written));
        Assert.Equal(Hex.Bytes("89 05 48 65 6c 6c 6f"), destination[..written]);

        Assert.True(Client().TryWritePing("Hello"u8, destination, out written));
        SentFrame ping = SentFrame.Read(destination.AsSpan(0, written));
        Assert.True(ping.Header.Masked);
        Assert.Equal(Opcode.Ping, ping.Header.Opcode);
        Assert.Equal("Hello"u8.ToArray(), ping.Payload);
    }

    [Fact]
    public void Ping_longer_than_125_bytes_is_refused()
    {
        byte[] destination = new byte[WebSocketProtocol.MaxControlFrameSize + 1];

        Assert.Throws<ArgumentException>(() => Server().TryWritePing(new byte[126], destination, out _));
    }

    [Fact]
    public void Close_carries_the_code_and_reason_and_moves_to_CloseSent()
    {
        WebSocketProtocol server = Server();
        byte[] destination = new byte[WebSocketProtocol.MaxControlFrameSize];

        Assert.True(server.TryWriteClose(1000, "bye", destination, out int written));

        Assert.Equal(Hex.Bytes("88 05 03 e8 62 79 65"), destination[..written]);
        Assert.Equal(WebSocketConnectionState.CloseSent, server.State);
    }

    [Fact]
    public void Close_reason_is_cut_at_a_code_point_to_fit_a_control_frame()
    {
        byte[] destination = new byte[WebSocketProtocol.MaxControlFrameSize];

        Assert.True(Client().TryWriteClose(1001, new string('é', 100), destination, out int written));

        SentFrame close = SentFrame.Read(destination.AsSpan(0, written));
        Assert.Equal(1001, BinaryPrimitives.ReadUInt16BigEndian(close.Payload));
        Assert.Equal(new string('é', 61), Encoding.UTF8.GetString(close.Payload.AsSpan(2)));
    }

    [Theory]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(999)]
    [InlineData(2000)]
    public void Close_codes_that_may_not_be_sent_are_refused(int code)
    {
        byte[] destination = new byte[WebSocketProtocol.MaxControlFrameSize];

        Assert.Throws<ArgumentOutOfRangeException>(() => Server().TryWriteClose((ushort)code, null, destination, out _));
    }

    [Fact]
    public void After_this_end_closes_no_data_ping_or_second_close_is_sent()
    {
        WebSocketProtocol server = Server();
        byte[] destination = new byte[256];
        server.TryWriteClose(1000, null, destination, out _);

        Assert.Equal(SendStatus.Closing, server.WriteDataFrame(Opcode.Text, true, false, "late"u8, destination, out int written));
        Assert.Equal(0, written);
        Assert.Equal(SendStatus.Closing, server.BeginDataFrame(Opcode.Binary, true, false, 100_000, destination, out _, out _));
        Assert.Equal(SendStatus.Closing, server.BeginWholeMessage());
        Assert.False(server.TryWritePing([], destination, out _));
        Assert.False(server.TryWriteClose(1000, null, destination, out _));
        Assert.False(server.CanSendData);
    }

    [Fact]
    public void After_an_abort_nothing_is_sent()
    {
        WebSocketProtocol client = Client();
        client.Abort();
        byte[] destination = new byte[256];

        Assert.Equal(WebSocketConnectionState.Closed, client.State);
        Assert.Equal(SendStatus.Closing, client.WriteDataFrame(Opcode.Text, true, false, "x"u8, destination, out _));
        Assert.False(client.TryWriteClose(1000, null, destination, out _));
        Assert.False(client.TryWritePing([], destination, out _));
    }

    [Fact]
    public void The_server_closes_tcp_first_the_client_waits_for_it()
    {
        // RFC 6455 §7.1.1.
        Assert.True(Server().ClosesTransportFirst);
        Assert.False(Client().ClosesTransportFirst);
    }
}
