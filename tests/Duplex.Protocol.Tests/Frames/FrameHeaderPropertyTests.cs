using System.Buffers;
using CsCheck;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Frames;

/// <summary>RFC 6455 §5.2: whatever header is written can be read back, field for field.</summary>
public class FrameHeaderPropertyTests
{
    private const int Iterations = 5000;

    private static readonly Gen<Opcode> DefinedOpcodes = Gen.OneOfConst(
        Opcode.Continuation, Opcode.Text, Opcode.Binary, Opcode.Close, Opcode.Ping, Opcode.Pong);

    // Lengths cluster around the 125/126 and 65535/65536 boundaries, and reach 2^40.
    private static readonly Gen<long> Lengths = Gen.OneOf(
        Gen.Long[0, 1L << 40],
        Gen.Long[0, 300],
        Gen.Long[65_000, 66_000],
        Gen.OneOfConst(0L, 125L, 126L, 65_535L, 65_536L, 1L << 40));

    private static readonly Gen<FrameHeader> Headers =
        Gen.Select(Gen.Bool, DefinedOpcodes, Gen.Int[0, 7], Gen.Bool, Gen.UInt, Lengths)
            .Select((fin, opcode, rsv, masked, key, length) =>
                new FrameHeader(fin, opcode, (byte)rsv, masked, masked ? key : 0, length));

    [Fact]
    public void Any_header_written_then_read_gives_the_same_fields_and_consumes_its_encoded_size()
    {
        Headers.Sample(header =>
        {
            byte[] buffer = new byte[FrameHeader.MaxSize];
            int written = FrameHeaderWriter.Write(
                buffer, header.Fin, header.Opcode, header.Rsv, header.PayloadLength, header.Masked ? header.MaskKey : null);

            OperationStatus status = FrameHeaderReader.TryRead(buffer.AsSpan(0, written), out FrameHeader read, out int consumed);

            Assert.Equal(header.EncodedSize, written);
            Assert.Equal(OperationStatus.Done, status);
            Assert.Equal(header.EncodedSize, consumed);
            Assert.Equal(header.Fin, read.Fin);
            Assert.Equal(header.Opcode, read.Opcode);
            Assert.Equal(header.Rsv, read.Rsv);
            Assert.Equal(header.Masked, read.Masked);
            Assert.Equal(header.MaskKey, read.MaskKey);
            Assert.Equal(header.PayloadLength, read.PayloadLength);
        }, iter: Iterations);
    }

    [Fact]
    public void Any_header_cut_short_needs_more_data_and_trailing_bytes_are_not_consumed()
    {
        Gen.Select(Headers, Gen.Byte.Array[0, 20]).Sample((header, trailing) =>
        {
            byte[] buffer = new byte[FrameHeader.MaxSize + trailing.Length];
            int written = FrameHeaderWriter.Write(
                buffer, header.Fin, header.Opcode, header.Rsv, header.PayloadLength, header.Masked ? header.MaskKey : null);
            trailing.CopyTo(buffer, written);

            for (int length = 0; length < written; length++)
            {
                Assert.Equal(OperationStatus.NeedMoreData, FrameHeaderReader.TryRead(buffer.AsSpan(0, length), out _, out _));
            }

            Assert.Equal(OperationStatus.Done, FrameHeaderReader.TryRead(buffer.AsSpan(0, written + trailing.Length), out _, out int consumed));
            Assert.Equal(written, consumed);
        }, iter: Iterations);
    }
}
