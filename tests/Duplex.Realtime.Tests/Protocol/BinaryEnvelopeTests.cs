using CsCheck;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Tests.Protocol;

/// <summary>docs/PROTOCOL.md §3: binary messages in WebSocket binary frames, 0x6D then the number as LEB128.</summary>
public class BinaryEnvelopeTests
{
    private static byte[] Header(long sequence)
    {
        byte[] header = new byte[BinaryEnvelope.MaxHeaderSize];
        int length = BinaryEnvelope.WriteHeader(header, sequence);
        Assert.Equal(BinaryEnvelope.HeaderSize(sequence), length);
        return header[..length];
    }

    [Theory]
    [InlineData(1, "6d01")]
    [InlineData(127, "6d7f")]
    [InlineData(128, "6d8001")]
    [InlineData(300, "6dac02")]
    [InlineData(9007199254740991, "6dffffffffffffff0f")]
    public void Numbers_are_unsigned_leb128_after_the_marker(long sequence, string hex)
    {
        Assert.Equal(Convert.FromHexString(hex), Header(sequence));
    }

    [Fact]
    public void The_payload_follows_the_header_as_it_is()
    {
        byte[] frame = [.. Header(300), 1, 2, 3];

        Assert.Equal(EnvelopeError.None, BinaryEnvelope.TryRead(frame, out long sequence, out ReadOnlyMemory<byte> payload));
        Assert.Equal(300, sequence);
        Assert.Equal(new byte[] { 1, 2, 3 }, payload.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("6e01")]
    [InlineData("6d")]
    [InlineData("6d80")]
    [InlineData("6d00")]
    [InlineData("6d8100")]
    [InlineData("6d808080808080808001")]
    [InlineData("6d8080808080808010")]
    public void Malformed_binary_envelopes_are_refused(string hex)
    {
        Assert.Equal(EnvelopeError.InvalidBinaryEnvelope, BinaryEnvelope.TryRead(Convert.FromHexString(hex), out _, out _));
    }

    [Fact]
    public void Every_number_round_trips()
    {
        Gen.Long[1, Envelope.MaxNumber].Sample(sequence =>
        {
            Assert.Equal(EnvelopeError.None, BinaryEnvelope.TryRead(Header(sequence), out long read, out ReadOnlyMemory<byte> payload));
            Assert.Equal(sequence, read);
            Assert.True(payload.IsEmpty);
        });
    }
}
