using System.Buffers;
using System.Text;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

/// <summary>RFC 9112 §7.1: the chunked coding, decoded strictly.</summary>
public class ChunkedDecoderTests
{
    internal static (OperationStatus Status, string Body, int Consumed, HttpRequestRejection Error) Decode(string wire, HttpLimits? limits = null, long maxBody = 1 << 20)
    {
        var decoder = new ChunkedDecoder(limits ?? HttpLimits.Default, maxBody);
        byte[] input = HttpBytes.Of(wire);
        byte[] output = new byte[input.Length];
        OperationStatus status = decoder.Decode(input, output, out int consumed, out int written);
        return (status, Encoding.Latin1.GetString(output, 0, written), consumed, decoder.Error);
    }

    private static HttpRequestRejection Refused(string wire, HttpLimits? limits = null, long maxBody = 1 << 20)
    {
        (OperationStatus status, _, _, HttpRequestRejection error) = Decode(wire, limits, maxBody);
        Assert.Equal(OperationStatus.InvalidData, status);
        return error;
    }

    [Fact]
    public void Chunks_are_decoded_in_order_and_bytes_after_the_body_are_left()
    {
        Assert.Equal(
            (OperationStatus.Done, "hello world", 26, HttpRequestRejection.None),
            Decode("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nGET / HTTP/1.1\r\n"));
    }

    [Theory]
    [InlineData("a\r\n0123456789\r\n0\r\n\r\n")]
    [InlineData("A\r\n0123456789\r\n0\r\n\r\n")]
    [InlineData("000A\r\n0123456789\r\n000\r\n\r\n")]
    public void Chunk_size_is_hexadecimal_in_either_case_with_leading_zeros(string wire)
    {
        Assert.Equal((OperationStatus.Done, "0123456789"), (Decode(wire).Status, Decode(wire).Body));
    }

    [Theory]
    [InlineData("5;name\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;name=value\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=1;b;c=\"x y\"\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;q=\"a \\\" b\"\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5 ; a = b ; c\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\t;a\r\nhello\r\n0;last\r\n\r\n")]
    public void Chunk_extensions_are_parsed_and_ignored(string wire)
    {
        Assert.Equal((OperationStatus.Done, "hello"), (Decode(wire).Status, Decode(wire).Body));
    }

    [Theory]
    [InlineData("5;\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;=x\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\"open\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a b\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=b c\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a \r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\"x\"y\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=\"\x01\"\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a@b\r\nhello\r\n0\r\n\r\n")]
    public void Malformed_chunk_extension_is_refused_with_400(string wire)
    {
        HttpRequestRejection error = Refused(wire);
        Assert.Equal(HttpRequestRejection.InvalidChunkExtension, error);
        Assert.Equal(400, HttpRequestRejections.StatusCodeFor(error));
    }

    [Theory]
    [InlineData("5 \r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\t\r\nhello\r\n0\r\n\r\n")]
    public void Whitespace_after_a_chunk_size_without_an_extension_is_refused(string wire)
    {
        Assert.Equal(HttpRequestRejection.InvalidChunkExtension, Refused(wire));
    }

    [Theory]
    [InlineData("5x\r\nhello\r\n0\r\n\r\n")]
    [InlineData("0x5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("+5\r\nhello\r\n0\r\n\r\n")]
    [InlineData(" 5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("\r\nhello\r\n0\r\n\r\n")]
    [InlineData("g\r\n")]
    [InlineData("5,5\r\nhello\r\n0\r\n\r\n")]
    public void Chunk_size_with_junk_is_refused_with_400(string wire)
    {
        HttpRequestRejection error = Refused(wire);
        Assert.Equal(HttpRequestRejection.InvalidChunkSize, error);
        Assert.Equal(400, HttpRequestRejections.StatusCodeFor(error));
    }

    [Theory]
    [InlineData("8000000000000000\r\n")]
    [InlineData("10000000000000000\r\n")]
    [InlineData("FFFFFFFFFFFFFFFFFFFF\r\n")]
    public void Chunk_size_that_does_not_fit_in_63_bits_is_refused_with_400(string wire)
    {
        Assert.Equal(HttpRequestRejection.InvalidChunkSize, Refused(wire, maxBody: long.MaxValue));
    }

    [Fact]
    public void Chunk_size_of_the_largest_63_bit_number_is_counted_against_the_body_limit()
    {
        HttpRequestRejection error = Refused("7FFFFFFFFFFFFFFF\r\n");

        Assert.Equal(HttpRequestRejection.BodyTooLarge, error);
        Assert.Equal(413, HttpRequestRejections.StatusCodeFor(error));
    }

    [Fact]
    public void Chunks_passing_the_body_limit_together_are_refused_at_the_size_line_before_their_data()
    {
        var decoder = new ChunkedDecoder(HttpLimits.Default, maxBodySize: 8);
        byte[] output = new byte[16];

        Assert.Equal(OperationStatus.NeedMoreData, decoder.Decode(HttpBytes.Of("5\r\nhello\r\n"), output, out _, out _));
        Assert.Equal(OperationStatus.InvalidData, decoder.Decode(HttpBytes.Of("4\r\n"), output, out _, out int written));
        Assert.Equal(0, written);
        Assert.Equal(HttpRequestRejection.BodyTooLarge, decoder.Error);
    }

    [Fact]
    public void Chunks_filling_the_body_limit_exactly_are_accepted()
    {
        Assert.Equal(OperationStatus.Done, Decode("5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", maxBody: 8).Status);
    }

    [Theory]
    [InlineData("5\r\nhelloX\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello\n0\r\n\r\n")]
    [InlineData("5\r\nhello0\r\n\r\n")]
    public void Chunk_data_not_followed_by_CRLF_is_refused_with_400(string wire)
    {
        Assert.Equal(HttpRequestRejection.MissingChunkTerminator, Refused(wire));
    }

    [Theory]
    [InlineData("5\rhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello\rX\n0\r\n\r\n")]
    [InlineData("5;a\r\r\nhello\r\n0\r\n\r\n")]
    [InlineData("0\r\n\rX")]
    [InlineData("0\r\nX: y\rZ\n\r\n")]
    public void Bare_CR_in_the_framing_is_refused_with_400(string wire)
    {
        HttpRequestRejection error = Refused(wire);
        Assert.Equal(HttpRequestRejection.BareCarriageReturn, error);
        Assert.Equal(400, HttpRequestRejections.StatusCodeFor(error));
    }

    [Theory]
    [InlineData("5\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a\nhello\r\n0\r\n\r\n")]
    [InlineData("5;a=b\nhello\r\n0\r\n\r\n")]
    [InlineData("\n")]
    [InlineData("0\r\nX: y\n\r\n")]
    [InlineData("0\r\n\n")]
    public void Bare_LF_in_the_framing_is_refused_with_400(string wire)
    {
        Assert.Equal(HttpRequestRejection.BareLineFeed, Refused(wire));
    }

    [Fact]
    public void Chunk_size_line_longer_than_the_limit_is_refused_without_waiting_for_its_end()
    {
        var limits = new HttpLimits { MaxChunkLineLength = 16 };

        Assert.Equal(OperationStatus.NeedMoreData, Decode("5;" + new string('a', 14), limits).Status);
        Assert.Equal(HttpRequestRejection.ChunkLineTooLong, Refused("5;" + new string('a', 15), limits));
    }

    [Fact]
    public void Trailer_fields_are_checked_and_ignored()
    {
        string wire = "5\r\nhello\r\n0\r\nExpires: never\r\nX-Sum: a b\tc\r\nX-Empty:\r\n\r\n";

        Assert.Equal((OperationStatus.Done, "hello", wire.Length, HttpRequestRejection.None), Decode(wire));
    }

    [Theory]
    [InlineData("0\r\n folded\r\n\r\n")]
    [InlineData("0\r\nX : y\r\n\r\n")]
    [InlineData("0\r\nX\r\n\r\n")]
    [InlineData("0\r\nX: a\0b\r\n\r\n")]
    [InlineData("0\r\nX: a\x7f\r\n\r\n")]
    [InlineData("0\r\n: y\r\n\r\n")]
    public void Malformed_trailer_field_is_refused_with_400(string wire)
    {
        HttpRequestRejection error = Refused(wire);
        Assert.Equal(HttpRequestRejection.InvalidTrailer, error);
        Assert.Equal(400, HttpRequestRejections.StatusCodeFor(error));
    }

    [Fact]
    public void Trailer_lines_past_the_header_count_limit_are_refused_with_431()
    {
        var limits = new HttpLimits { MaxHeaderCount = 2 };

        Assert.Equal(OperationStatus.Done, Decode("0\r\nA: 1\r\nB: 2\r\n\r\n", limits).Status);
        HttpRequestRejection error = Refused("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits);
        Assert.Equal(HttpRequestRejection.TrailerTooLarge, error);
        Assert.Equal(431, HttpRequestRejections.StatusCodeFor(error));
    }

    [Fact]
    public void Trailer_line_longer_than_the_header_line_limit_is_refused_with_431()
    {
        var limits = new HttpLimits { MaxHeaderLineLength = 8 };

        Assert.Equal(OperationStatus.Done, Decode("0\r\nA: 12345\r\n\r\n", limits).Status);
        Assert.Equal(HttpRequestRejection.TrailerTooLarge, Refused("0\r\nA: 123456\r\n\r\n", limits));
    }

    [Fact]
    public void Trailer_section_larger_than_the_head_limit_is_refused_with_431()
    {
        var limits = new HttpLimits { MaxHeadSize = 20 };

        Assert.Equal(OperationStatus.Done, Decode("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits).Status);
        Assert.Equal(HttpRequestRejection.TrailerTooLarge, Refused("0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits));
    }

    [Fact]
    public void Full_output_stops_inside_the_data_and_the_next_call_goes_on()
    {
        var decoder = new ChunkedDecoder(HttpLimits.Default, 1 << 20);
        byte[] input = HttpBytes.Of("5\r\nhello\r\n0\r\n\r\n");
        byte[] output = new byte[2];

        Assert.Equal(OperationStatus.DestinationTooSmall, decoder.Decode(input, output, out int consumed, out int written));
        Assert.Equal((5, 2), (consumed, written));
        Assert.Equal(OperationStatus.DestinationTooSmall, decoder.Decode(input.AsSpan(5), output, out consumed, out written));
        Assert.Equal((2, 2), (consumed, written));
        Assert.Equal(OperationStatus.Done, decoder.Decode(input.AsSpan(7), output, out consumed, out written));
        Assert.Equal((8, 1), (consumed, written));
        Assert.Equal(5, decoder.BodyBytes);
        Assert.True(decoder.IsDone);
    }

    [Fact]
    public void Decoding_in_place_gives_the_body_at_the_start_of_the_buffer()
    {
        var decoder = new ChunkedDecoder(HttpLimits.Default, 1 << 20);
        byte[] buffer = HttpBytes.Of("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");

        Assert.Equal(OperationStatus.Done, decoder.Decode(buffer, buffer, out int consumed, out int written));
        Assert.Equal("abcde", Encoding.Latin1.GetString(buffer, 0, written));
        Assert.Equal(buffer.Length, consumed);
    }

    [Fact]
    public void Skipping_drops_the_data_and_finds_the_same_end()
    {
        var decoder = new ChunkedDecoder(HttpLimits.Default, 1 << 20);

        Assert.Equal(OperationStatus.Done, decoder.Skip(HttpBytes.Of("5\r\nhello\r\n0\r\n\r\nNEXT"), out int consumed));
        Assert.Equal(15, consumed);
    }
}
