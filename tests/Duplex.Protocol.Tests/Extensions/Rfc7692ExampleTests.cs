using System.Buffers;
using System.Text;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Tests.Connection;

namespace Duplex.Protocol.Tests.Extensions;

/// <summary>The examples of RFC 7692 §7.2.3, byte for byte.</summary>
public class Rfc7692ExampleTests
{
    private static readonly byte[] s_hello = "Hello"u8.ToArray();

    [Fact]
    public void Hello_compresses_to_f2_48_cd_c9_c9_07_00_7_2_3_1()
    {
        using var deflater = new MessageDeflater(15, 6, 8, noContextTakeover: false);
        Assert.Equal(Hex.Bytes("f2 48 cd c9 c9 07 00"), Deflate.Compress(deflater, s_hello));
    }

    [Fact]
    public void Hello_decompresses_from_f2_48_cd_c9_c9_07_00_7_2_3_1()
    {
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f2 48 cd c9 c9 07 00")));
    }

    [Fact]
    public void Hello_twice_with_context_takeover_refers_back_to_the_first_7_2_3_2()
    {
        using var deflater = new MessageDeflater(15, 6, 8, noContextTakeover: false);
        Assert.Equal(Hex.Bytes("f2 48 cd c9 c9 07 00"), Deflate.Compress(deflater, s_hello));
        Assert.Equal(Hex.Bytes("f2 00 11 00 00"), Deflate.Compress(deflater, s_hello));
    }

    [Fact]
    public void Hello_twice_with_context_takeover_decompresses_to_hello_twice_7_2_3_2()
    {
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f2 48 cd c9 c9 07 00")));
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f2 00 11 00 00")));
    }

    [Fact]
    public void Hello_twice_without_context_takeover_compresses_the_same_both_times_7_2_3_1()
    {
        using var deflater = new MessageDeflater(15, 6, 8, noContextTakeover: true);
        Assert.Equal(Hex.Bytes("f2 48 cd c9 c9 07 00"), Deflate.Compress(deflater, s_hello));
        Assert.Equal(Hex.Bytes("f2 48 cd c9 c9 07 00"), Deflate.Compress(deflater, s_hello));
    }

    [Fact]
    public void Second_message_that_refers_back_fails_when_the_receiver_does_not_take_over_context()
    {
        using var inflater = new MessageInflater(15, noContextTakeover: true);
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f2 48 cd c9 c9 07 00")));
        OperationStatus status = inflater.Inflate(Hex.Bytes("f2 00 11 00 00"), new byte[64], out _, out _);
        if (status == OperationStatus.Done)
        {
            status = inflater.Finish(new byte[64], out _);
        }

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Contains("too far back", inflater.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Uncompressed_stored_block_decompresses_to_hello_7_2_3_3()
    {
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("00 05 00 fa ff 48 65 6c 6c 6f")));
    }

    [Fact]
    public void Block_with_bfinal_set_and_a_trailing_00_decompresses_to_hello_7_2_3_4()
    {
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f3 48 cd c9 c9 07 00 00")));
    }

    [Fact]
    public void Block_with_bfinal_set_keeps_the_window_for_the_next_message_with_context_takeover_7_2_3_4()
    {
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f3 48 cd c9 c9 07 00 00")));
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f2 00 11 00 00")));
    }

    [Fact]
    public void Block_with_bfinal_set_and_nothing_after_it_decompresses_to_hello()
    {
        // A sender that finished with Z_FINISH and removed nothing; the trailer has nothing to complete.
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f3 48 cd c9 c9 07 00")));
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f2 48 cd c9 c9 07 00")));
    }

    [Fact]
    public void Two_deflate_blocks_in_one_message_decompress_to_hello_7_2_3_5()
    {
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f2 48 05 00 00 00 ff ff ca c9 c9 07 00")));
    }

    [Fact]
    public void Message_sent_in_two_pieces_decompresses_as_one_message_7_2_3_5()
    {
        using var deflater = new MessageDeflater(15, 6, 8, noContextTakeover: false);
        var first = new ArrayBufferWriter<byte>();
        var second = new ArrayBufferWriter<byte>();
        deflater.CompressChunk("He"u8, first, endOfMessage: false);
        deflater.CompressChunk("llo"u8, second, endOfMessage: true);
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Concat(first.WrittenSpan.ToArray(), second.WrittenSpan.ToArray())));
    }

    [Fact]
    public void Empty_message_compresses_to_00_7_2_3_6()
    {
        using var deflater = new MessageDeflater(15, 6, 8, noContextTakeover: false);
        Assert.Equal(Hex.Bytes("00"), Deflate.Compress(deflater, []));
    }

    [Fact]
    public void Empty_message_after_a_message_with_context_takeover_compresses_to_00_7_2_3_6()
    {
        using var deflater = new MessageDeflater(15, 6, 8, noContextTakeover: false);
        Deflate.Compress(deflater, s_hello);
        Assert.Equal(Hex.Bytes("00"), Deflate.Compress(deflater, []));
        Assert.Equal(Hex.Bytes("f2 00 11 00 00"), Deflate.Compress(deflater, s_hello));
    }

    [Fact]
    public void Empty_message_00_decompresses_to_nothing_7_2_3_6()
    {
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        Assert.Empty(Deflate.Inflate(inflater, Hex.Bytes("00")));
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f2 48 cd c9 c9 07 00")));
        Assert.Empty(Deflate.Inflate(inflater, Hex.Bytes("00")));
        Assert.Equal(s_hello, Deflate.Inflate(inflater, Hex.Bytes("f2 00 11 00 00")));
    }

    [Fact]
    public void Empty_message_whose_last_piece_is_empty_after_nonempty_pieces_compresses_and_decompresses()
    {
        using var deflater = new MessageDeflater(15, 6, 8, noContextTakeover: false);
        var frames = new ArrayBufferWriter<byte>();
        deflater.CompressChunk("Hello"u8, frames, endOfMessage: false);
        deflater.CompressChunk([], frames, endOfMessage: true);
        using var inflater = new MessageInflater(15, noContextTakeover: false);
        Assert.Equal(s_hello, Deflate.Inflate(inflater, frames.WrittenSpan));
    }

    [Fact]
    public void Text_compresses_and_the_trailer_is_never_part_of_the_payload()
    {
        using var deflater = new MessageDeflater(15, 6, 8, noContextTakeover: false);
        byte[] message = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"type\":\"chat\",\"text\":\"hi\"}", 20)));
        byte[] payload = Deflate.Compress(deflater, message);
        Assert.True(payload.Length < message.Length / 4);
        Assert.False(payload.AsSpan().EndsWith(Hex.Bytes("00 00 ff ff")));
    }
}
