namespace Duplex.Protocol.Tests.Extensions;

/// <summary>
/// A small RFC 1951 decoder written after zlib's contrib/puff, independent of zlib and of
/// System.IO.Compression, that decodes a raw deflate stream and counts what it is made of:
/// literals, and matches with their largest distance. A window-size check by inflating is weak
/// (zlib's inflate lets a match reach back into output of the same call whatever its window);
/// this sees every length/distance pair.
/// </summary>
internal sealed class DeflateScanner
{
    private const int MaxBits = 15;

    private static readonly short[] s_lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
    private static readonly short[] s_lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    private static readonly short[] s_distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
    private static readonly short[] s_distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
    private static readonly byte[] s_codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

    private readonly byte[] _input;
    private readonly List<byte> _output = [];
    private long _bit;

    private DeflateScanner(byte[] input) => _input = input;

    /// <summary>The decoded bytes.</summary>
    public byte[] Output => [.. _output];

    /// <summary>How many literal codes the stream holds.</summary>
    public int Literals { get; private set; }

    /// <summary>How many length/distance pairs (back-references) the stream holds.</summary>
    public int Matches { get; private set; }

    /// <summary>The largest distance of any match, 0 when there is none.</summary>
    public int MaxDistance { get; private set; }

    /// <summary>Block types seen: 0 stored, 1 fixed Huffman, 2 dynamic Huffman.</summary>
    public HashSet<int> BlockTypes { get; } = [];

    /// <summary>
    /// Decodes a raw deflate stream that ends on a byte boundary after a non-final block (as
    /// permessage-deflate payloads do once each has its <c>00 00 ff ff</c> back).
    /// </summary>
    public static DeflateScanner Scan(byte[] rawDeflate)
    {
        var scanner = new DeflateScanner(rawDeflate);
        scanner.Run();
        return scanner;
    }

    private void Run()
    {
        while (_bit < _input.LongLength * 8)
        {
            bool final = Bits(1) == 1;
            int type = Bits(2);
            BlockTypes.Add(type);
            switch (type)
            {
                case 0:
                    Stored();
                    break;
                case 1:
                    Codes(FixedLiteralLength(), FixedDistance());
                    break;
                case 2:
                    Dynamic();
                    break;
                default:
                    throw new InvalidDataException("Block type 3 is reserved.");
            }

            if (final)
            {
                break;
            }
        }
    }

    private int Bits(int count)
    {
        int value = 0;
        for (int i = 0; i < count; i++)
        {
            if (_bit >= _input.LongLength * 8)
            {
                throw new InvalidDataException("The deflate stream ends in the middle of a block.");
            }

            value |= ((_input[_bit >> 3] >> (int)(_bit & 7)) & 1) << i;
            _bit++;
        }

        return value;
    }

    private void Stored()
    {
        _bit = (_bit + 7) & ~7L;
        int length = Bits(16);
        int complement = Bits(16);
        if (length != (~complement & 0xFFFF))
        {
            throw new InvalidDataException("Stored block LEN and NLEN disagree.");
        }

        for (int i = 0; i < length; i++)
        {
            _output.Add((byte)Bits(8));
        }
    }

    private void Dynamic()
    {
        int literalCount = Bits(5) + 257;
        int distanceCount = Bits(5) + 1;
        int codeLengthCount = Bits(4) + 4;
        byte[] codeLengthLengths = new byte[19];
        for (int i = 0; i < codeLengthCount; i++)
        {
            codeLengthLengths[s_codeLengthOrder[i]] = (byte)Bits(3);
        }

        Huffman codeLengthCode = new(codeLengthLengths);
        byte[] lengths = new byte[literalCount + distanceCount];
        int at = 0;
        while (at < lengths.Length)
        {
            int symbol = Decode(codeLengthCode);
            if (symbol < 16)
            {
                lengths[at++] = (byte)symbol;
                continue;
            }

            (byte value, int repeat) = symbol switch
            {
                16 when at > 0 => (lengths[at - 1], 3 + Bits(2)),
                17 => ((byte)0, 3 + Bits(3)),
                18 => ((byte)0, 11 + Bits(7)),
                _ => throw new InvalidDataException("Repeat with no previous code length."),
            };
            if (at + repeat > lengths.Length)
            {
                throw new InvalidDataException("Code lengths run past the end.");
            }

            lengths.AsSpan(at, repeat).Fill(value);
            at += repeat;
        }

        Codes(new Huffman(lengths.AsSpan(0, literalCount)), new Huffman(lengths.AsSpan(literalCount)));
    }

    private void Codes(Huffman literalLength, Huffman distance)
    {
        while (true)
        {
            int symbol = Decode(literalLength);
            if (symbol < 256)
            {
                _output.Add((byte)symbol);
                Literals++;
                continue;
            }

            if (symbol == 256)
            {
                return;
            }

            symbol -= 257;
            if (symbol >= s_lengthBase.Length)
            {
                throw new InvalidDataException("Invalid length symbol.");
            }

            int length = s_lengthBase[symbol] + Bits(s_lengthExtra[symbol]);
            int distanceSymbol = Decode(distance);
            if (distanceSymbol >= s_distanceBase.Length)
            {
                throw new InvalidDataException("Invalid distance symbol.");
            }

            int back = s_distanceBase[distanceSymbol] + Bits(s_distanceExtra[distanceSymbol]);
            if (back > _output.Count)
            {
                throw new InvalidDataException("Distance before the start of the stream.");
            }

            Matches++;
            MaxDistance = Math.Max(MaxDistance, back);
            for (int i = 0; i < length; i++)
            {
                _output.Add(_output[^back]);
            }
        }
    }

    // puff.c decode(): canonical codes, one bit at a time.
    private int Decode(Huffman huffman)
    {
        int code = 0;
        int first = 0;
        int index = 0;
        for (int length = 1; length <= MaxBits; length++)
        {
            code |= Bits(1);
            int count = huffman.Count[length];
            if (code - count < first)
            {
                return huffman.Symbol[index + (code - first)];
            }

            index += count;
            first += count;
            first <<= 1;
            code <<= 1;
        }

        throw new InvalidDataException("Code not in the Huffman table.");
    }

    private static Huffman FixedLiteralLength()
    {
        byte[] lengths = new byte[288];
        lengths.AsSpan(0, 144).Fill(8);
        lengths.AsSpan(144, 112).Fill(9);
        lengths.AsSpan(256, 24).Fill(7);
        lengths.AsSpan(280, 8).Fill(8);
        return new Huffman(lengths);
    }

    private static Huffman FixedDistance()
    {
        byte[] lengths = new byte[30];
        lengths.AsSpan().Fill(5);
        return new Huffman(lengths);
    }

    private sealed class Huffman
    {
        public Huffman(ReadOnlySpan<byte> lengths)
        {
            Count = new short[MaxBits + 1];
            foreach (byte length in lengths)
            {
                Count[length]++;
            }

            short[] offsets = new short[MaxBits + 2];
            for (int length = 1; length <= MaxBits; length++)
            {
                offsets[length + 1] = (short)(offsets[length] + Count[length]);
            }

            Symbol = new short[lengths.Length];
            for (int symbol = 0; symbol < lengths.Length; symbol++)
            {
                if (lengths[symbol] != 0)
                {
                    Symbol[offsets[lengths[symbol]]++] = (short)symbol;
                }
            }
        }

        public short[] Count { get; }

        public short[] Symbol { get; }
    }
}
