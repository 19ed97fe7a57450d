using System.Text.Unicode;

namespace Duplex.Protocol.Text;

/// <summary>
/// An incremental, fail-fast UTF-8 (RFC 3629) validator for WebSocket text messages.
/// </summary>
/// <remarks>
/// <para>
/// RFC 6455 §8.1 requires the payload of a text message, taken as a whole, to be valid UTF-8,
/// while the frames of a fragmented message may split a code point anywhere. The validator is
/// fed each chunk of the message with <see cref="Append"/> and remembers a code point left
/// unfinished at the end of a chunk; <see cref="IsComplete"/> at the end of the message says
/// whether the last code point was finished. Either failure closes the connection with
/// <c>1007 Invalid frame payload data</c>.
/// </para>
/// <para>
/// It fails fast: <see cref="Append"/> returns <see langword="false"/> as soon as the bytes seen
/// so far cannot be the start of valid UTF-8, even in the middle of a code point — after
/// <c>F4 90</c> (above U+10FFFF), <c>ED A0</c> (a surrogate) or <c>E0 80</c> (overlong) it does not
/// wait for the remaining bytes. RFC 6455 §8.1 lets an endpoint fail as soon as it sees such
/// bytes, and the Autobahn|Testsuite 6.x cases expect it.
/// </para>
/// <para>
/// The default value is a validator at the start of a message. It does not allocate. Runs with no
/// code point pending are checked with the vectorized <see cref="Utf8.IsValid(ReadOnlySpan{byte})"/>,
/// so ASCII and well-formed text go at vector speed; only the 0-3 bytes of a code point split
/// across chunks are handled a byte at a time.
/// </para>
/// </remarks>
public struct Utf8Validator
{
    // RFC 3629 §4: every continuation byte is 10xxxxxx; these are the usual bounds.
    private const byte ContinuationMin = 0x80;
    private const byte ContinuationMax = 0xBF;

    // The longest UTF-8 sequence is 4 bytes, so at most 3 may be left pending.
    private const int MaxPendingBytes = 3;

    // Continuation bytes still owed by the code point that began in an earlier byte.
    private byte _pending;

    // The range the next continuation byte must fall in (RFC 3629 §4 narrows it for the
    // second byte after E0, ED, F0 and F4); only meaningful while _pending is not zero.
    private byte _nextMin;
    private byte _nextMax;

    private bool _failed;

    /// <summary>
    /// <see langword="true"/> when every byte so far is valid UTF-8 and ends on a code-point
    /// boundary, so the message may end here. <see langword="false"/> at the end of a text
    /// message means closing with <c>1007</c> (RFC 6455 §8.1).
    /// </summary>
    public readonly bool IsComplete => !_failed && _pending == 0;

    /// <summary>
    /// <see langword="true"/> once <see cref="Append"/> has returned <see langword="false"/>; the
    /// validator stays failed until <see cref="Reset"/>.
    /// </summary>
    public readonly bool HasFailed => _failed;

    /// <summary>Returns the validator to the start of a new message.</summary>
    public void Reset() => this = default;

    /// <summary>
    /// Checks a whole byte sequence at once, such as the reason of a close frame
    /// (RFC 6455 §5.5.1), which must be valid UTF-8 and cannot be fragmented.
    /// </summary>
    /// <param name="bytes">The complete text.</param>
    /// <returns><see langword="true"/> when <paramref name="bytes"/> is valid UTF-8.</returns>
    public static bool IsValid(ReadOnlySpan<byte> bytes) => Utf8.IsValid(bytes);

    /// <summary>Feeds the next bytes of the message.</summary>
    /// <param name="bytes">The next bytes of the payload, possibly starting or ending mid code point.</param>
    /// <returns>
    /// <see langword="true"/> while the bytes seen so far could still be the start of valid UTF-8;
    /// <see langword="false"/> as soon as they cannot (and from then on, until <see cref="Reset"/>).
    /// </returns>
    public bool Append(ReadOnlySpan<byte> bytes)
    {
        if (_failed)
        {
            return false;
        }

        // Finish a code point split across chunks before anything else.
        int index = 0;
        while (_pending != 0)
        {
            if (index == bytes.Length)
            {
                return true;
            }

            if (!AcceptContinuation(bytes[index]))
            {
                return Fail();
            }

            index++;
        }

        ReadOnlySpan<byte> rest = bytes[index..];
        int boundary = LastCodePointBoundary(rest);

        // Everything before the boundary must be complete, valid UTF-8 by itself.
        if (!Utf8.IsValid(rest[..boundary]))
        {
            return Fail();
        }

        // What follows is at most one unfinished code point; check it as far as it goes.
        foreach (byte b in rest[boundary..])
        {
            bool accepted = _pending == 0 ? AcceptLead(b) : AcceptContinuation(b);
            if (!accepted)
            {
                return Fail();
            }
        }

        return true;
    }

    /// <summary>
    /// Finds where a code point left unfinished at the end of <paramref name="bytes"/> begins,
    /// or returns the length when the last code point is finished (or the bytes are invalid,
    /// which <see cref="Utf8.IsValid(ReadOnlySpan{byte})"/> will then report).
    /// </summary>
    private static int LastCodePointBoundary(ReadOnlySpan<byte> bytes)
    {
        int length = bytes.Length;
        int stop = Math.Max(0, length - MaxPendingBytes);
        for (int i = length - 1; i >= stop; i--)
        {
            byte b = bytes[i];
            if (!IsContinuation(b))
            {
                // A lead byte promising more bytes than the chunk holds starts the unfinished
                // code point; anything else (ASCII, or a lead whose sequence fits) ends a
                // complete one or an invalid one, and either way the whole chunk is judged at once.
                return SequenceLength(b) > length - i ? i : length;
            }
        }

        // Three trailing continuation bytes finish a four-byte sequence or are invalid.
        return length;
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;

    // The length a byte announces as the first byte of a sequence (RFC 3629 §3); bytes that can
    // never start one are given a length no chunk tail can satisfy so they reach AcceptLead.
    private static int SequenceLength(byte lead) => lead switch
    {
        < 0xC0 => 1,
        < 0xE0 => 2,
        < 0xF0 => 3,
        < 0xF8 => 4,
        _ => MaxPendingBytes + 2,
    };

    /// <summary>Starts a code point with its first byte, per the table in RFC 3629 §4.</summary>
    private bool AcceptLead(byte b)
    {
        switch (b)
        {
            case <= 0x7F:
                return true;

            // C0 and C1 could only start overlong two-byte forms of ASCII.
            case >= 0xC2 and <= 0xDF:
                return Expect(1, ContinuationMin, ContinuationMax);

            // E0 80-9F would be an overlong form of a code point below U+0800.
            case 0xE0:
                return Expect(2, 0xA0, ContinuationMax);

            // ED A0-BF would encode a UTF-16 surrogate, U+D800-U+DFFF.
            case 0xED:
                return Expect(2, ContinuationMin, 0x9F);

            case >= 0xE1 and <= 0xEF:
                return Expect(2, ContinuationMin, ContinuationMax);

            // F0 80-8F would be an overlong form of a code point below U+10000.
            case 0xF0:
                return Expect(3, 0x90, ContinuationMax);

            case >= 0xF1 and <= 0xF3:
                return Expect(3, ContinuationMin, ContinuationMax);

            // F4 90-BF would encode a code point above U+10FFFF.
            case 0xF4:
                return Expect(3, ContinuationMin, 0x8F);

            // A continuation byte with no lead, C0, C1, or F5-FF (never in UTF-8).
            default:
                return false;
        }
    }

    private bool Expect(int continuationBytes, byte min, byte max)
    {
        _pending = (byte)continuationBytes;
        _nextMin = min;
        _nextMax = max;
        return true;
    }

    private bool AcceptContinuation(byte b)
    {
        if (b < _nextMin || b > _nextMax)
        {
            return false;
        }

        _pending--;
        _nextMin = ContinuationMin;
        _nextMax = ContinuationMax;
        return true;
    }

    private bool Fail()
    {
        _failed = true;
        return false;
    }
}
