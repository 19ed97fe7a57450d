using System.Buffers;

namespace Duplex.Protocol.Http;

/// <summary>
/// Decodes a chunked request body (RFC 9112 §7.1) incrementally and strictly: bytes in, body
/// bytes out, with no buffer of its own, so the answer never depends on how the input was split.
/// </summary>
/// <remarks>
/// <code>
/// chunked-body = *chunk last-chunk trailer-section CRLF
/// chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
/// chunk-size   = 1*HEXDIG
/// last-chunk   = 1*("0") [ chunk-ext ] CRLF
/// chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
/// chunk-ext-val = token / quoted-string
/// trailer-section = *( field-line CRLF )
/// </code>
/// Every line must end in CRLF (a bare CR or LF is refused), whitespace is accepted only where the
/// grammar has BWS (so "5 \r\n" is refused), the size must fit in 63 bits, and the sizes together
/// must stay within the body limit, checked at each chunk-size line before its data is read.
/// Extensions are parsed and ignored; trailer fields are checked like header fields and ignored,
/// within the head limits.
/// </remarks>
public struct ChunkedDecoder
{
    private HttpLimits _limits;
    private long _maxBodySize;
    private State _state;
    private long _chunkSize;
    private long _chunkRemaining;
    private long _total;
    private int _lineLength;
    private int _trailerBytes;
    private int _trailerLines;
    private HttpRequestRejection _error;

    private enum State : byte
    {
        /// <summary>The first hex digit of a chunk-size.</summary>
        SizeStart,

        /// <summary>More hex digits, or what may follow them: BWS, ";" or CR.</summary>
        Size,

        /// <summary>BWS that must be followed by ";".</summary>
        BeforeSemicolon,

        /// <summary>After ";": BWS, then the extension name.</summary>
        BeforeExtensionName,

        /// <summary>Inside an extension name (a token).</summary>
        ExtensionName,

        /// <summary>BWS after a name: "=" or ";" must follow.</summary>
        AfterExtensionName,

        /// <summary>After "=": BWS, then a token or a quoted-string.</summary>
        BeforeExtensionValue,

        /// <summary>Inside a token value.</summary>
        ExtensionToken,

        /// <summary>Inside a quoted-string value.</summary>
        ExtensionQuoted,

        /// <summary>After the closing quote: BWS then ";", or ";", or CR.</summary>
        AfterQuotedValue,

        /// <summary>After a backslash inside a quoted-string.</summary>
        ExtensionQuotedPair,

        /// <summary>The CR of the chunk-size line was seen; LF must follow.</summary>
        SizeLineFeed,

        /// <summary>Inside chunk-data.</summary>
        Data,

        /// <summary>The CR after chunk-data.</summary>
        DataCarriageReturn,

        /// <summary>The LF after chunk-data.</summary>
        DataLineFeed,

        /// <summary>The start of a trailer field line, or the CR of the final empty line.</summary>
        TrailerLineStart,

        /// <summary>Inside a trailer field name.</summary>
        TrailerName,

        /// <summary>Inside a trailer field value.</summary>
        TrailerValue,

        /// <summary>The CR of a trailer line was seen; LF must follow.</summary>
        TrailerLineFeed,

        /// <summary>The CR of the final empty line was seen; LF must follow.</summary>
        EndLineFeed,

        /// <summary>The body is complete.</summary>
        Done,

        /// <summary>The body broke a rule; see <see cref="Error"/>.</summary>
        Failed,
    }

    /// <summary>Starts a new body with these limits.</summary>
    public ChunkedDecoder(HttpLimits limits, long maxBodySize)
    {
        _limits = limits;
        _maxBodySize = maxBodySize;
        _state = State.SizeStart;
    }

    /// <summary>Why the body was refused, once <see cref="Decode"/> returned <see cref="OperationStatus.InvalidData"/>.</summary>
    public readonly HttpRequestRejection Error => _error;

    /// <summary>The chunk-data bytes decoded so far.</summary>
    public readonly long BodyBytes => _total - _chunkRemaining;

    /// <summary>Whether the whole body, through the end of the trailer section, has been read.</summary>
    public readonly bool IsDone => _state == State.Done;

    /// <summary>
    /// Decodes from <paramref name="input"/> into <paramref name="output"/> (the two may be the
    /// same memory: data only moves toward the start).
    /// </summary>
    /// <returns>
    /// <see cref="OperationStatus.Done"/> once the final CRLF is consumed (bytes after it are not
    /// read); <see cref="OperationStatus.NeedMoreData"/> when all input was used;
    /// <see cref="OperationStatus.DestinationTooSmall"/> when the output is full and more data is
    /// waiting; <see cref="OperationStatus.InvalidData"/> with <see cref="Error"/> set.
    /// </returns>
    public OperationStatus Decode(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written) =>
        Run(input, output, discard: false, out consumed, out written);

    /// <summary>Like <see cref="Decode"/>, but the body bytes are dropped (to drain a body nobody reads).</summary>
    public OperationStatus Skip(ReadOnlySpan<byte> input, out int consumed) =>
        Run(input, [], discard: true, out consumed, out _);

    private OperationStatus Run(ReadOnlySpan<byte> input, Span<byte> output, bool discard, out int consumed, out int written)
    {
        int pos = 0;
        written = 0;
        while (true)
        {
            if (_state == State.Done)
            {
                consumed = pos;
                return OperationStatus.Done;
            }

            if (_state == State.Failed)
            {
                consumed = pos;
                return OperationStatus.InvalidData;
            }

            if (_state == State.Data)
            {
                int available = input.Length - pos;
                int room = discard ? available : output.Length - written;
                int n = (int)Math.Min(_chunkRemaining, Math.Min(available, room));
                if (n == 0)
                {
                    consumed = pos;
                    return available == 0 ? OperationStatus.NeedMoreData : OperationStatus.DestinationTooSmall;
                }

                if (!discard)
                {
                    input.Slice(pos, n).CopyTo(output[written..]);
                    written += n;
                }

                pos += n;
                _chunkRemaining -= n;
                if (_chunkRemaining == 0)
                {
                    _state = State.DataCarriageReturn;
                }

                continue;
            }

            if (pos == input.Length)
            {
                consumed = pos;
                return OperationStatus.NeedMoreData;
            }

            Step(input[pos++]);
        }
    }

    /// <summary>Advances the framing by one byte outside chunk-data.</summary>
    private void Step(byte b)
    {
        switch (_state)
        {
            case State.SizeStart:
            case State.Size:
                StepSize(b);
                break;
            case State.BeforeSemicolon:
                // BWS must lead to ";": "5 \r\n" and "5 x" are refused.
                StepLine(b, HttpSyntax.IsOws(b) ? State.BeforeSemicolon : b == (byte)';' ? State.BeforeExtensionName : Fail(HttpRequestRejection.InvalidChunkExtension));
                break;
            case State.BeforeExtensionName:
                StepLine(b, HttpSyntax.IsOws(b) ? State.BeforeExtensionName : HttpSyntax.IsTokenByte(b) ? State.ExtensionName : Fail(HttpRequestRejection.InvalidChunkExtension));
                break;
            case State.ExtensionName:
                StepLine(b, HttpSyntax.IsTokenByte(b) ? State.ExtensionName : AfterName(b));
                break;
            case State.AfterExtensionName:
                StepLine(b, HttpSyntax.IsOws(b) ? State.AfterExtensionName : AfterName(b));
                break;
            case State.BeforeExtensionValue:
                StepLine(b, HttpSyntax.IsOws(b) ? State.BeforeExtensionValue
                    : b == (byte)'"' ? State.ExtensionQuoted
                    : HttpSyntax.IsTokenByte(b) ? State.ExtensionToken
                    : Fail(HttpRequestRejection.InvalidChunkExtension));
                break;
            case State.ExtensionToken:
                StepLine(b, HttpSyntax.IsTokenByte(b) ? State.ExtensionToken : AfterValue(b));
                break;
            case State.ExtensionQuoted:
                // RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text.
                StepLine(b, b == (byte)'"' ? State.AfterQuotedValue
                    : b == (byte)'\\' ? State.ExtensionQuotedPair
                    : IsQuotedText(b) ? State.ExtensionQuoted
                    : Fail(HttpRequestRejection.InvalidChunkExtension));
                break;
            case State.AfterQuotedValue:
                StepLine(b, AfterValue(b));
                break;
            case State.ExtensionQuotedPair:
                // RFC 9110 §5.6.4: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ).
                StepLine(b, IsQuotedText(b) || b == (byte)'"' || b == (byte)'\\' ? State.ExtensionQuoted : Fail(HttpRequestRejection.InvalidChunkExtension));
                break;
            case State.SizeLineFeed:
                _state = b == (byte)'\n' ? EndSizeLine() : Fail(HttpRequestRejection.BareCarriageReturn);
                break;
            case State.DataCarriageReturn:
                // RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF.
                _state = b == (byte)'\r' ? State.DataLineFeed : Fail(HttpRequestRejection.MissingChunkTerminator);
                break;
            case State.DataLineFeed:
                _state = b == (byte)'\n' ? State.SizeStart : Fail(HttpRequestRejection.BareCarriageReturn);
                break;
            case State.TrailerLineStart:
                StepTrailerStart(b);
                break;
            case State.TrailerName:
                // RFC 9112 §5.1: no whitespace between the field name and the colon.
                StepTrailer(b, b == (byte)':' ? State.TrailerValue : HttpSyntax.IsTokenByte(b) ? State.TrailerName : Fail(HttpRequestRejection.InvalidTrailer));
                break;
            case State.TrailerValue:
                StepTrailer(b, b == (byte)'\r' ? State.TrailerLineFeed
                    : b == (byte)'\n' ? Fail(HttpRequestRejection.BareLineFeed)
                    : HttpSyntax.IsFieldValueByte(b) ? State.TrailerValue
                    : Fail(HttpRequestRejection.InvalidTrailer));
                break;
            case State.TrailerLineFeed:
                if (b != (byte)'\n')
                {
                    _state = Fail(HttpRequestRejection.BareCarriageReturn);
                    break;
                }

                _lineLength = 0;
                _state = State.TrailerLineStart;
                CountTrailerByte();
                break;
            case State.EndLineFeed:
                _state = b == (byte)'\n' ? State.Done : Fail(HttpRequestRejection.BareCarriageReturn);
                break;
            default:
                throw new InvalidOperationException($"The chunked decoder has no byte step in state {_state}.");
        }
    }

    private void StepSize(byte b)
    {
        int digit = HexValue(b);
        if (digit >= 0)
        {
            // Refuse before the shift would overflow 63 bits.
            if (_chunkSize > (long.MaxValue >> 4))
            {
                _state = Fail(HttpRequestRejection.InvalidChunkSize);
                return;
            }

            _chunkSize = (_chunkSize << 4) | (uint)digit;
            StepLine(b, State.Size);
            return;
        }

        if (_state == State.SizeStart)
        {
            // RFC 9112 §7.1: chunk-size = 1*HEXDIG; a bare LF here is a line without CR.
            _state = Fail(b == (byte)'\n' ? HttpRequestRejection.BareLineFeed : HttpRequestRejection.InvalidChunkSize);
            return;
        }

        StepLine(b, b == (byte)'\r' ? State.SizeLineFeed
            : b == (byte)';' ? State.BeforeExtensionName
            : HttpSyntax.IsOws(b) ? State.BeforeSemicolon
            : b == (byte)'\n' ? Fail(HttpRequestRejection.BareLineFeed)
            : Fail(HttpRequestRejection.InvalidChunkSize));
    }

    private State AfterName(byte b) =>
        b == (byte)'=' ? State.BeforeExtensionValue
        : b == (byte)';' ? State.BeforeExtensionName
        : b == (byte)'\r' && _state == State.ExtensionName ? State.SizeLineFeed
        : HttpSyntax.IsOws(b) ? State.AfterExtensionName
        : Fail(b == (byte)'\n' ? HttpRequestRejection.BareLineFeed : HttpRequestRejection.InvalidChunkExtension);

    private State AfterValue(byte b) =>
        b == (byte)';' ? State.BeforeExtensionName
        : b == (byte)'\r' ? State.SizeLineFeed
        : HttpSyntax.IsOws(b) ? State.BeforeSemicolon
        : Fail(b == (byte)'\n' ? HttpRequestRejection.BareLineFeed : HttpRequestRejection.InvalidChunkExtension);

    /// <summary>Moves to <paramref name="next"/> within the chunk-size line, counting it against its limit (CR excluded).</summary>
    private void StepLine(byte b, State next)
    {
        if (next != State.Failed && b != (byte)'\r' && ++_lineLength > _limits.MaxChunkLineLength)
        {
            next = Fail(HttpRequestRejection.ChunkLineTooLong);
        }

        _state = next;
    }

    /// <summary>The chunk-size line ended: the last chunk leads to the trailers, any other to its data.</summary>
    private State EndSizeLine()
    {
        _lineLength = 0;
        if (_chunkSize == 0)
        {
            return State.TrailerLineStart;
        }

        // RFC 9110 §15.5.14: refuse before reading data that would pass the limit.
        if (_chunkSize > _maxBodySize - _total)
        {
            return Fail(HttpRequestRejection.BodyTooLarge);
        }

        _total += _chunkSize;
        _chunkRemaining = _chunkSize;
        _chunkSize = 0;
        return State.Data;
    }

    private void StepTrailerStart(byte b)
    {
        if (b == (byte)'\r')
        {
            _state = State.EndLineFeed;
            CountTrailerByte();
            return;
        }

        // RFC 9112 §5.2: a line starting with whitespace is obs-fold, refused as in the head.
        if (b == (byte)'\n' || HttpSyntax.IsOws(b) || !HttpSyntax.IsTokenByte(b))
        {
            _state = Fail(b == (byte)'\n' ? HttpRequestRejection.BareLineFeed : HttpRequestRejection.InvalidTrailer);
            return;
        }

        if (++_trailerLines > _limits.MaxHeaderCount)
        {
            _state = Fail(HttpRequestRejection.TrailerTooLarge);
            return;
        }

        StepTrailer(b, State.TrailerName);
    }

    /// <summary>Moves to <paramref name="next"/> within a trailer line, counting it against the head limits.</summary>
    private void StepTrailer(byte b, State next)
    {
        _state = next;
        if (next == State.Failed)
        {
            return;
        }

        if (b != (byte)'\r' && ++_lineLength > _limits.MaxHeaderLineLength)
        {
            _state = Fail(HttpRequestRejection.TrailerTooLarge);
            return;
        }

        CountTrailerByte();
    }

    private void CountTrailerByte()
    {
        // The trailer section is bounded like a head: its bytes count toward MaxHeadSize.
        if (++_trailerBytes > _limits.MaxHeadSize)
        {
            _state = Fail(HttpRequestRejection.TrailerTooLarge);
        }
    }

    private State Fail(HttpRequestRejection error)
    {
        if (_error == HttpRequestRejection.None)
        {
            _error = error;
        }

        return State.Failed;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static bool IsQuotedText(byte b) =>
        b == (byte)'\t' || b == (byte)' ' || b == 0x21 || (b >= 0x23 && b <= 0x5B) || (b >= 0x5D && b <= 0x7E) || b >= 0x80;
}
