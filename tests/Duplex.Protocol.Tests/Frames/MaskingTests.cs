using CsCheck;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Tests.Frames;

/// <summary>RFC 6455 §5.3 masking: octet i of the payload is XORed with octet i mod 4 of the key.</summary>
public class MaskingTests
{
    private const int Iterations = 1000;

    private static readonly Gen<(byte[] Data, uint Key, int Offset)> Inputs =
        Gen.Select(Gen.Byte.Array[0, 2000], Gen.UInt, Gen.Int[0, 3]);

    [Fact]
    public void Masked_Hello_matches_the_RFC_6455_section_5_7_example()
    {
        // "A single-frame masked text message": 0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58.
        uint key = Masking.ReadKey([0x37, 0xFA, 0x21, 0x3D]);
        byte[] payload = "Hello"u8.ToArray();

        Masking.Apply(payload, key, offset: 0);

        Assert.Equal(new byte[] { 0x7F, 0x9F, 0x4D, 0x51, 0x58 }, payload);
    }

    [Fact]
    public void Unmasking_the_RFC_6455_example_in_chunks_restores_Hello()
    {
        uint key = Masking.ReadKey([0x37, 0xFA, 0x21, 0x3D]);
        byte[] payload = [0x7F, 0x9F, 0x4D, 0x51, 0x58];

        Masking.Apply(payload.AsSpan(0, 3), key, offset: 0);
        Masking.Apply(payload.AsSpan(3), key, Masking.NextOffset(0, 3));

        Assert.Equal("Hello"u8.ToArray(), payload);
    }

    [Fact]
    public void Key_is_read_in_wire_order()
    {
        Assert.Equal(0x3D21FA37u, Masking.ReadKey([0x37, 0xFA, 0x21, 0x3D]));
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 5, 1)]
    [InlineData(3, 1, 0)]
    [InlineData(2, 7, 1)]
    [InlineData(1, int.MaxValue, 0)]
    public void Next_offset_is_the_payload_position_mod_4(int offset, int length, int expected)
    {
        Assert.Equal(expected, Masking.NextOffset(offset, length));
    }

    [Fact]
    public void Vectorized_masking_equals_the_octet_by_octet_rule()
    {
        Inputs.Sample((data, key, offset) =>
        {
            byte[] inPlace = (byte[])data.Clone();
            Masking.Apply(inPlace, key, offset);
            Assert.Equal(Naive(data, key, offset), inPlace);

            byte[] copied = new byte[data.Length + 3];
            Masking.Apply(data, copied, key, offset);
            Assert.Equal(Naive(data, key, offset), copied[..data.Length]);
            Assert.All(copied[data.Length..], b => Assert.Equal(0, b));
        }, iter: Iterations);
    }

    [Fact]
    public void Masking_twice_restores_the_data()
    {
        Inputs.Sample((data, key, offset) =>
        {
            byte[] copy = (byte[])data.Clone();
            Masking.Apply(copy, key, offset);
            Masking.Apply(copy, copy, key, offset);
            Assert.Equal(data, copy);
        }, iter: Iterations);
    }

    [Fact]
    public void Masking_in_chunks_with_NextOffset_equals_masking_in_one_go()
    {
        Gen.Select(Inputs, Gen.Int[0, 70].Array[1, 12]).Sample((input, sizes) =>
        {
            (byte[] data, uint key, int offset) = input;
            byte[] whole = (byte[])data.Clone();
            Masking.Apply(whole, key, offset);

            byte[] chunked = (byte[])data.Clone();
            int start = 0;
            int chunkOffset = offset;
            for (int i = 0; start < chunked.Length; i++)
            {
                int size = Math.Min(Math.Max(1, sizes[i % sizes.Length]), chunked.Length - start);
                Masking.Apply(chunked.AsSpan(start, size), key, chunkOffset);
                chunkOffset = Masking.NextOffset(chunkOffset, size);
                start += size;
            }

            Assert.Equal(whole, chunked);
        }, iter: Iterations);
    }

    [Fact]
    public void Offset_beyond_3_counts_mod_4()
    {
        byte[] data = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        byte[] expected = (byte[])data.Clone();
        Masking.Apply(expected, 0xA1B2C3D4, offset: 2);

        Masking.Apply(data, 0xA1B2C3D4, offset: 4002);

        Assert.Equal(expected, data);
    }

    [Fact]
    public void Short_destination_is_refused()
    {
        byte[] source = new byte[8];
        Assert.Throws<ArgumentException>(() => Masking.Apply(source, new byte[7], 1u, 0));
    }

    [Fact]
    public void Destination_overlapping_after_the_source_is_refused()
    {
        byte[] buffer = new byte[16];
        Assert.Throws<ArgumentException>(() => Masking.Apply(buffer.AsSpan(0, 8), buffer.AsSpan(1, 8), 1u, 0));
    }

    [Fact]
    public void Destination_overlapping_before_the_source_unmasks_while_moving_forward()
    {
        Gen.Select(Inputs, Gen.Int[1, 100]).Sample((input, shift) =>
        {
            (byte[] data, uint key, int offset) = input;
            byte[] buffer = new byte[shift + data.Length];
            data.CopyTo(buffer, shift);

            Masking.Apply(buffer.AsSpan(shift, data.Length), buffer, key, offset);

            Assert.Equal(Naive(data, key, offset), buffer[..data.Length]);
        }, iter: Iterations);
    }

    private static byte[] Naive(byte[] data, uint key, int offset)
    {
        byte[] result = new byte[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            result[i] = (byte)(data[i] ^ (byte)(key >> (8 * ((offset + i) % 4))));
        }

        return result;
    }
}
