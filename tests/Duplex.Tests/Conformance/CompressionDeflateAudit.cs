using System.Globalization;

namespace Duplex.Tests.Conformance;

/// <summary>
/// Walks the deflate data (RFC 1951) of the compressed messages one endpoint sends and checks
/// every back-reference against what was negotiated, exactly: no distance may exceed the
/// sender's window (2^bits), and none may reach before the start of the sender's context —
/// with no context takeover, before the start of the message. zlib's inflate cannot be used
/// for this: within one call it lets a distance reach into its whole output buffer, whatever
/// its window. It decodes the Huffman codes only to follow the stream; the bytes themselves
/// are checked through <see cref="Duplex.Protocol.Extensions.MessageInflater"/>.
/// </summary>
internal sealed class CompressionDeflateAudit
{
    private static readonly int[] LengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
    private static readonly int[] LengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    private static readonly int[] DistanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
    private static readonly int[] DistanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
    private static readonly int[] CodeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
    private static readonly Huffman FixedLiterals = FixedLiteralCode();
    private static readonly Huffman FixedDistances = new(Enumerable.Repeat(5, 30).ToArray());

    private readonly int _windowBits;
    private readonly bool _noContextTakeover;
    private long _contextBytes;
    private int _messages;

    public CompressionDeflateAudit(int windowBits, bool noContextTakeover)
    {
        _windowBits = windowBits;
        _noContextTakeover = noContextTakeover;
    }

    /// <summary>The longest distance seen so far.</summary>
    public int MaxDistance { get; private set; }

    /// <summary>
    /// Follows one message's payload (the trailing 00 00 ff ff removed, as sent) and returns its
    /// decompressed length; throws <see cref="InvalidDataException"/> naming the first violation.
    /// </summary>
    public long Audit(byte[] payload)
    {
        _messages++;
        if (_noContextTakeover)
        {
            _contextBytes = 0;
        }

        byte[] data = [.. payload, 0x00, 0x00, 0xFF, 0xFF];
        var bits = new BitReader(data);
        long produced = 0;
        while (!bits.AtEnd)
        {
            bool final = bits.Read(1) == 1;
            int type = bits.Read(2);
            switch (type)
            {
                case 0:
                    bits.AlignToByte();
                    int length = bits.Read(16);
                    int inverse = bits.Read(16);
                    if ((length ^ 0xFFFF) != inverse)
                    {
                        throw Fail("a stored block whose LEN and NLEN do not match");
                    }

                    bits.Skip(length);
                    produced += length;
                    break;
                case 1:
                    produced += Block(ref bits, FixedLiterals, FixedDistances, produced);
                    break;
                case 2:
                    (Huffman literals, Huffman distances) = DynamicCodes(ref bits);
                    produced += Block(ref bits, literals, distances, produced);
                    break;
                default:
                    throw Fail("a block of the reserved type 3");
            }

            if (final)
            {
                // RFC 7692 §7.2.3.4: more deflate data may follow a final block, starting at a byte boundary.
                bits.AlignToByte();
                if (bits.Remaining == 4)
                {
                    break;
                }
            }
        }

        _contextBytes += produced;
        return produced;
    }

    private long Block(ref BitReader bits, Huffman literals, Huffman distances, long before)
    {
        long produced = 0;
        while (true)
        {
            int symbol = literals.Decode(ref bits);
            if (symbol < 256)
            {
                produced++;
                continue;
            }

            if (symbol == 256)
            {
                return produced;
            }

            symbol -= 257;
            if (symbol >= LengthBase.Length)
            {
                throw Fail($"the invalid length code {symbol + 257}");
            }

            int length = LengthBase[symbol] + bits.Read(LengthExtra[symbol]);
            int distanceCode = distances.Decode(ref bits);
            if (distanceCode >= DistanceBase.Length)
            {
                throw Fail($"the invalid distance code {distanceCode}");
            }

            int distance = DistanceBase[distanceCode] + bits.Read(DistanceExtra[distanceCode]);
            MaxDistance = Math.Max(MaxDistance, distance);
            if (distance > 1 << _windowBits)
            {
                throw Fail($"a back-reference {distance} bytes back, beyond the negotiated window of {1 << _windowBits} bytes (max_window_bits={_windowBits})");
            }

            long available = _contextBytes + before + produced;
            if (distance > available)
            {
                throw Fail(_noContextTakeover
                    ? $"a back-reference {distance} bytes back, before the start of the message ({before + produced} bytes in): it refers to an earlier message although no_context_takeover was agreed"
                    : $"a back-reference {distance} bytes back with only {available} bytes of history");
            }

            produced += length;
        }
    }

    private static (Huffman Literals, Huffman Distances) DynamicCodes(ref BitReader bits)
    {
        int literalCount = bits.Read(5) + 257;
        int distanceCount = bits.Read(5) + 1;
        int codeLengthCount = bits.Read(4) + 4;
        var codeLengths = new int[19];
        for (int i = 0; i < codeLengthCount; i++)
        {
            codeLengths[CodeLengthOrder[i]] = bits.Read(3);
        }

        var codeLengthCode = new Huffman(codeLengths);
        var lengths = new int[literalCount + distanceCount];
        for (int i = 0; i < lengths.Length;)
        {
            int symbol = codeLengthCode.Decode(ref bits);
            if (symbol < 16)
            {
                lengths[i++] = symbol;
                continue;
            }

            int previous = 0;
            int repeat;
            if (symbol == 16)
            {
                if (i == 0)
                {
                    throw new InvalidDataException("The deflate data repeats a code length before any was given.");
                }

                previous = lengths[i - 1];
                repeat = 3 + bits.Read(2);
            }
            else
            {
                repeat = symbol == 17 ? 3 + bits.Read(3) : 11 + bits.Read(7);
            }

            if (i + repeat > lengths.Length)
            {
                throw new InvalidDataException("The deflate data gives more code lengths than the block has codes.");
            }

            lengths.AsSpan(i, repeat).Fill(previous);
            i += repeat;
        }

        if (lengths[256] == 0)
        {
            throw new InvalidDataException("The deflate data has a dynamic block without an end-of-block code.");
        }

        return (new Huffman(lengths[..literalCount]), new Huffman(lengths[literalCount..]));
    }

    private static Huffman FixedLiteralCode()
    {
        var lengths = new int[288];
        lengths.AsSpan(0, 144).Fill(8);
        lengths.AsSpan(144, 112).Fill(9);
        lengths.AsSpan(256, 24).Fill(7);
        lengths.AsSpan(280, 8).Fill(8);
        return new Huffman(lengths);
    }

    private InvalidDataException Fail(string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Compressed message {_messages} has {what}."));

    /// <summary>A canonical Huffman code (RFC 1951 §3.2.2), decoded a bit at a time.</summary>
    private sealed class Huffman
    {
        private readonly int[] _counts = new int[16];
        private readonly int[] _symbols;

        public Huffman(int[] lengths)
        {
            foreach (int length in lengths)
            {
                _counts[length]++;
            }

            _counts[0] = 0;
            var offsets = new int[16];
            for (int length = 1; length < 16; length++)
            {
                offsets[length] = offsets[length - 1] + _counts[length - 1];
            }

            _symbols = new int[lengths.Length];
            for (int symbol = 0; symbol < lengths.Length; symbol++)
            {
                if (lengths[symbol] != 0)
                {
                    _symbols[offsets[lengths[symbol]]++] = symbol;
                }
            }
        }

        public int Decode(ref BitReader bits)
        {
            int code = 0, first = 0, index = 0;
            for (int length = 1; length < 16; length++)
            {
                code |= bits.Read(1);
                int count = _counts[length];
                if (code - first < count)
                {
                    return _symbols[index + code - first];
                }

                index += count;
                first = (first + count) << 1;
                code <<= 1;
            }

            throw new InvalidDataException("The deflate data has a Huffman code that its table does not define.");
        }
    }

    /// <summary>Reads bits least significant first, as deflate packs them.</summary>
    private ref struct BitReader
    {
        private readonly byte[] _data;
        private int _position;
        private ulong _buffer;
        private int _count;

        public BitReader(byte[] data)
        {
            _data = data;
        }

        public readonly bool AtEnd => _position >= _data.Length && _count < 8 && (_buffer & ((1UL << _count) - 1)) == 0;

        public readonly int Remaining => _data.Length - _position + _count / 8;

        public int Read(int count)
        {
            while (_count < count)
            {
                if (_position >= _data.Length)
                {
                    throw new InvalidDataException("The deflate data ends inside a block (with the 00 00 ff ff trailer added).");
                }

                _buffer |= (ulong)_data[_position++] << _count;
                _count += 8;
            }

            int value = (int)(_buffer & ((1UL << count) - 1));
            _buffer >>= count;
            _count -= count;
            return value;
        }

        public void AlignToByte()
        {
            int drop = _count % 8;
            _buffer >>= drop;
            _count -= drop;
        }

        public void Skip(int bytes)
        {
            while (bytes > 0 && _count >= 8)
            {
                _buffer >>= 8;
                _count -= 8;
                bytes--;
            }

            if (_position + bytes > _data.Length)
            {
                throw new InvalidDataException("The deflate data ends inside a stored block.");
            }

            _position += bytes;
        }
    }
}
