using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Duplex.Protocol.Closing;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Frames;
using Duplex.Protocol.Text;

namespace Duplex.Protocol.Connection;

/// <summary>
/// The receiving half of a WebSocket connection (RFC 6455 §5 and §6.2) as a state machine over
/// bytes: feed it whatever arrived, in pieces of any size, and it writes unmasked message data to
/// the output span the caller gives and stops at each event: a message's end, a control frame,
/// a protocol error. It enforces every framing rule, validates text as UTF-8 as the bytes arrive
/// (failing as soon as they cannot be valid), and refuses a message larger than the limit at the
/// frame header, before its payload is read. It holds no buffer beyond a frame header (14 bytes,
/// inline); a control frame's payload is unmasked into a pooled buffer, held from its header
/// until the call after its event.
/// </summary>
public sealed class WebSocketReceiver
{
    private readonly Role _role;
    private readonly long _maxMessageSize;
    private readonly byte _allowedRsv;

    private HeaderBytes _header;
    private int _headerCount;
    private byte[]? _control;
    private int _controlCount;

    private bool _inFrame;
    private FrameHeader _frame;
    private long _frameRemaining;
    private int _maskOffset;

    private bool _inMessage;
    private Opcode _messageOpcode;
    private long _messageLength;
    private bool _messageCompressed;
    private Utf8Validator _utf8;

    private bool _closed;
    private bool _failed;

    // permessage-deflate (RFC 7692): compressed payload is unmasked into a scratch buffer (rented
    // only while a compressed message is arriving) and inflated from there into the output.
    private const int ScratchSize = 4096;
    private readonly MessageInflater? _inflater;
    private byte[]? _scratch;
    private int _scratchOffset;
    private int _scratchCount;
    private bool _inflatePending;
    private bool _finishing;
    private long _wireLength;

    /// <summary>Creates a receiver with the given limits and role.</summary>
    /// <param name="options">Role and limits.</param>
    /// <param name="inflater">
    /// The decompressor of a negotiated permessage-deflate, or null. With one, RSV1 on the first
    /// frame of a data message means "compressed" (RFC 7692 §6), and the message size limit
    /// applies to the decompressed size, checked while inflating.
    /// </param>
    public WebSocketReceiver(ReceiverOptions options, MessageInflater? inflater = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _role = options.Role;
        _maxMessageSize = options.MaxMessageSize;
        _inflater = inflater;
        _allowedRsv = (byte)(options.AllowedRsv | (inflater is not null ? 0x4 : 0));
    }

    /// <summary>The type of the data message being received (or just ended): <see cref="Opcode.Text"/> or <see cref="Opcode.Binary"/>.</summary>
    public Opcode MessageOpcode => _messageOpcode;

    /// <summary>Whether the message being received had RSV1 set on its first frame (permessage-deflate, RFC 7692 §6).</summary>
    public bool MessageCompressed => _messageCompressed;

    /// <summary>Whether a data message has started and not yet ended.</summary>
    public bool InMessage => _inMessage;

    /// <summary>
    /// Whether decompressed output is still waiting to be written (after <see cref="ReceiveEvent.OutputFull"/>
    /// on a compressed message): call <see cref="Receive"/> again with room, even with no new input.
    /// </summary>
    public bool HasPendingOutput => _finishing || _inflatePending || _scratchCount > 0;

    /// <summary>
    /// The payload bytes of the current data frame not received yet (0 between frames or in a
    /// control frame): lets a caller size its buffers to what is announced. For a compressed
    /// message this counts compressed bytes.
    /// </summary>
    public long FrameRemaining => _inFrame && !_frame.IsControl ? _frameRemaining : 0;

    /// <summary>The payload bytes of the current data message so far.</summary>
    public long MessageLength => _messageLength;

    /// <summary>The payload of the last ping or pong (valid until the next call or <see cref="ReleaseControlPayload"/>).</summary>
    public ReadOnlySpan<byte> ControlPayload => _control.AsSpan(0, _controlCount);

    /// <summary>The status code of the close frame received, or null when it carried none (reported as 1005).</summary>
    public ushort? CloseCode { get; private set; }

    /// <summary>The reason of the close frame received ("" when none).</summary>
    public string CloseReason { get; private set; } = string.Empty;

    /// <summary>Whether <see cref="ReceiveEvent.Error"/> was returned: every later call returns it again, with no input needed.</summary>
    public bool Failed => _failed;

    /// <summary>After <see cref="ReceiveEvent.Error"/>: the close code the connection must fail with.</summary>
    public CloseStatus ErrorStatus { get; private set; }

    /// <summary>After <see cref="ReceiveEvent.Error"/>: what the peer did wrong, for a person to read.</summary>
    public string ErrorMessage { get; private set; } = string.Empty;

    /// <summary>
    /// Consumes bytes from <paramref name="input"/>, writes message payload (unmasked) to
    /// <paramref name="output"/>, and stops at the first event. The caller passes the unconsumed
    /// rest of the input again on its next call. After <see cref="ReceiveEvent.Close"/> further
    /// input is discarded (RFC 6455 §5.5.1: nothing follows a close frame); after
    /// <see cref="ReceiveEvent.Error"/> every call returns the same error.
    /// </summary>
    /// <param name="input">
    /// Bytes received from the peer. Inside an uncompressed data frame, it may be the very memory
    /// at the start of <paramref name="output"/> (payload read straight into the message buffer)
    /// provided it holds no more than <see cref="FrameRemaining"/> bytes: it is unmasked in place.
    /// </param>
    /// <param name="output">Room for message payload.</param>
    /// <param name="consumed">How many input bytes were used.</param>
    /// <param name="written">How many payload bytes were written to the output.</param>
    public ReceiveEvent Receive(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        consumed = 0;
        written = 0;
        // The last control payload was valid until this call.
        ReleaseControlPayload();

        if (_failed)
        {
            return ReceiveEvent.Error;
        }

        if (_closed)
        {
            consumed = input.Length;
            return ReceiveEvent.NeedMoreData;
        }

        while (true)
        {
            if (_finishing)
            {
                return FinishInflating(output, ref written);
            }

            if (!_inFrame)
            {
                if (!TryReadHeader(input, ref consumed, out ReceiveEvent headerEvent))
                {
                    return headerEvent;
                }

                if (_frameRemaining > 0)
                {
                    continue;
                }
            }
            else if (_frame.IsControl)
            {
                int take = (int)Math.Min(_frameRemaining, input.Length - consumed);
                Span<byte> destination = _control.AsSpan(_controlCount, take);
                Masking.Apply(input.Slice(consumed, take), destination, _frame.MaskKey, _maskOffset);
                Advance(take);
                _controlCount += take;
                consumed += take;
                if (_frameRemaining > 0)
                {
                    return ReceiveEvent.NeedMoreData;
                }
            }
            else if (Inflating)
            {
                ReceiveEvent? inflateEvent = InflatePayload(input, ref consumed, output, ref written);
                if (inflateEvent.HasValue)
                {
                    return inflateEvent.Value;
                }
            }
            else
            {
                int available = input.Length - consumed;
                int room = output.Length - written;
                int take = (int)Math.Min(_frameRemaining, Math.Min(available, room));
                if (take > 0)
                {
                    Span<byte> destination = output.Slice(written, take);
                    Masking.Apply(input.Slice(consumed, take), destination, _frame.MaskKey, _maskOffset);
                    Advance(take);
                    consumed += take;
                    written += take;
                    _messageLength += take;

                    // RFC 6455 §8.1: fail as soon as the text so far cannot be valid UTF-8, even
                    // in the middle of a frame. Compressed payload is validated after inflating.
                    if (_messageOpcode == Opcode.Text && !_messageCompressed && !_utf8.Append(destination))
                    {
                        return Fail(CloseStatus.InvalidPayloadData, "Invalid UTF-8 in a text message.");
                    }
                }

                if (_frameRemaining > 0)
                {
                    return consumed == input.Length ? ReceiveEvent.NeedMoreData : ReceiveEvent.OutputFull;
                }
            }

            // The frame's payload is complete.
            _inFrame = false;
            ReceiveEvent? frameEvent = EndFrame();
            if (frameEvent.HasValue)
            {
                return frameEvent.Value;
            }
        }
    }

    private bool TryReadHeader(ReadOnlySpan<byte> input, ref int consumed, out ReceiveEvent result)
    {
        result = ReceiveEvent.NeedMoreData;
        FrameHeader header;
        OperationStatus status;
        if (_headerCount == 0)
        {
            status = FrameHeaderReader.TryRead(input[consumed..], out header, out int size);
            if (status == OperationStatus.NeedMoreData)
            {
                ReadOnlySpan<byte> rest = input[consumed..];
                rest.CopyTo(_header);
                _headerCount = rest.Length;
                consumed = input.Length;
                return false;
            }

            consumed += size;
        }
        else
        {
            Span<byte> buffer = _header;
            int copy = Math.Min(FrameHeader.MaxSize - _headerCount, input.Length - consumed);
            input.Slice(consumed, copy).CopyTo(buffer[_headerCount..]);
            status = FrameHeaderReader.TryRead(buffer[..(_headerCount + copy)], out header, out int size);
            if (status == OperationStatus.NeedMoreData)
            {
                _headerCount += copy;
                consumed += copy;
                return false;
            }

            if (status == OperationStatus.Done)
            {
                consumed += size - _headerCount;
            }

            _headerCount = 0;
        }

        if (status == OperationStatus.InvalidData)
        {
            result = Fail(CloseStatus.ProtocolError, "Invalid WebSocket frame: the most significant bit of a 64-bit payload length must be 0.");
            return false;
        }

        string? error = CheckHeader(header, out CloseStatus code);
        if (error is not null)
        {
            result = Fail(code, error);
            return false;
        }

        _frame = header;
        _inFrame = true;
        if (!header.IsControl)
        {
            _wireLength = (header.Opcode == Opcode.Continuation ? _wireLength : 0) + header.PayloadLength;
        }

        _frameRemaining = header.PayloadLength;
        _maskOffset = 0;
        if (header.IsControl)
        {
            _controlCount = 0;
            _control ??= header.PayloadLength > 0 ? ArrayPool<byte>.Shared.Rent(FrameHeader.MaxControlPayload) : null;
        }
        else if (header.Opcode != Opcode.Continuation)
        {
            _inMessage = true;
            _messageOpcode = header.Opcode;
            _messageLength = 0;
            _messageCompressed = header.Rsv1;
            _utf8.Reset();
        }

        return true;
    }

    /// <summary>
    /// Whether a caller holding a frame's header, but not yet all of its payload, may wait for
    /// the rest before feeding any of it here (a whole small frame is cheaper to take at once):
    /// only for a frame this receiver would accept at its header and need not see early. A frame
    /// it would refuse must be fed now, so that the error is reported at the header before the
    /// payload is read; so must text, validated as it arrives so that invalid UTF-8 fails the
    /// connection as soon as it cannot be valid (RFC 6455 §8.1).
    /// </summary>
    public bool MayDeferPayload(in FrameHeader header)
    {
        bool text = header.Opcode == Opcode.Text || (header.Opcode == Opcode.Continuation && _inMessage && _messageOpcode == Opcode.Text);
        return !text && CheckHeader(header, out _) is null;
    }

    private string? CheckHeader(in FrameHeader header, out CloseStatus code)
    {
        code = CloseStatus.ProtocolError;
        if (!OpcodeRules.IsDefined(header.Opcode))
        {
            return $"Invalid WebSocket frame: opcode 0x{(byte)header.Opcode:X} is reserved.";
        }

        if ((header.Rsv & ~_allowedRsv) != 0)
        {
            return "Invalid WebSocket frame: RSV bits must be 0 unless a negotiated extension defines them.";
        }

        if (header.Masked != (_role == Role.Server))
        {
            return _role == Role.Server
                ? "Invalid WebSocket frame: a client must mask every frame it sends."
                : "Invalid WebSocket frame: a server must not mask the frames it sends.";
        }

        if (header.IsControl)
        {
            if (!header.Fin)
            {
                return "Invalid WebSocket frame: control frames must not be fragmented.";
            }

            if (header.PayloadLength > FrameHeader.MaxControlPayload)
            {
                return "Invalid WebSocket frame: control frames carry at most 125 bytes.";
            }

            if (header.Rsv1)
            {
                // RFC 7692 §6: RSV1 means "compressed" only on the first frame of a data message.
                return "Invalid WebSocket frame: RSV1 must be clear on a control frame.";
            }

            return null;
        }

        if (header.Opcode == Opcode.Continuation)
        {
            if (!_inMessage)
            {
                return "Invalid WebSocket frame: a continuation frame arrived with no message to continue.";
            }

            if (header.Rsv1)
            {
                return "Invalid WebSocket frame: RSV1 must be clear on a continuation frame.";
            }
        }
        else if (_inMessage)
        {
            return "Invalid WebSocket frame: a new message started before the previous one ended.";
        }

        long before = header.Opcode == Opcode.Continuation ? _wireLength : 0;
        if (header.PayloadLength > _maxMessageSize - before)
        {
            code = CloseStatus.MessageTooBig;
            return $"Message too big: more than {_maxMessageSize} bytes.";
        }

        return null;
    }

    private void Advance(int count)
    {
        _frameRemaining -= count;
        _maskOffset = (_maskOffset + count) & 3;
    }

    private ReceiveEvent? EndFrame()
    {
        switch (_frame.Opcode)
        {
            case Opcode.Ping:
                return ReceiveEvent.Ping;
            case Opcode.Pong:
                return ReceiveEvent.Pong;
            case Opcode.Close:
                return ParseClose();
            default:
                if (!_frame.Fin)
                {
                    return null;
                }

                if (Inflating)
                {
                    // RFC 7692 §7.2.2: append 00 00 ff ff and inflate what remains.
                    _finishing = true;
                    return null;
                }

                _inMessage = false;
                if (_messageOpcode == Opcode.Text && !_messageCompressed && !_utf8.IsComplete)
                {
                    return Fail(CloseStatus.InvalidPayloadData, "Invalid UTF-8 in a text message: it ends inside a code point.");
                }

                return ReceiveEvent.MessageEnd;
        }
    }

    private ReceiveEvent ParseClose()
    {
        ReadOnlySpan<byte> payload = ControlPayload;
        if (payload.Length == 1)
        {
            return Fail(CloseStatus.ProtocolError, "Invalid close frame: a payload of 1 byte cannot hold a status code.");
        }

        if (payload.Length >= 2)
        {
            ushort code = BinaryPrimitives.ReadUInt16BigEndian(payload);
            if (!CloseStatusRules.IsValidOnWire(code))
            {
                return Fail(CloseStatus.ProtocolError, $"Invalid close frame: status code {code} may not be sent.");
            }

            ReadOnlySpan<byte> reason = payload[2..];
            if (!Utf8Validator.IsValid(reason))
            {
                return Fail(CloseStatus.InvalidPayloadData, "Invalid close frame: the reason is not valid UTF-8.");
            }

            CloseCode = code;
            CloseReason = reason.IsEmpty ? string.Empty : Encoding.UTF8.GetString(reason);
        }

        _closed = true;
        return ReceiveEvent.Close;
    }

    /// <summary>
    /// Whether this message's payload goes through the inflater. With RSV1 allowed but no
    /// inflater given, compressed payload is passed through as it is, unvalidated, for a caller
    /// that decompresses it itself.
    /// </summary>
    private bool Inflating => _messageCompressed && _inflater is not null;

    /// <summary>
    /// Moves the frame's compressed payload through the scratch buffer into the inflater.
    /// Returns null once the frame's payload is all inflated, or the event to stop with.
    /// </summary>
    private ReceiveEvent? InflatePayload(ReadOnlySpan<byte> input, ref int consumed, Span<byte> output, ref int written)
    {
        _scratch ??= ArrayPool<byte>.Shared.Rent(ScratchSize);
        while (true)
        {
            if (_scratchCount > 0 || _inflatePending)
            {
                Span<byte> room = InflateRoom(output, written);
                if (room.IsEmpty)
                {
                    return ReceiveEvent.OutputFull;
                }

                OperationStatus status = _inflater!.Inflate(_scratch.AsSpan(_scratchOffset, _scratchCount), room, out int used, out int produced);
                _scratchOffset += used;
                _scratchCount -= used;
                ReceiveEvent? accepted = AcceptInflated(room[..produced], ref written);
                if (accepted.HasValue)
                {
                    return accepted;
                }

                if (status == OperationStatus.InvalidData)
                {
                    return Fail(CloseStatus.InvalidPayloadData, "Invalid compressed data: " + _inflater.ErrorMessage);
                }

                _inflatePending = status == OperationStatus.DestinationTooSmall;
                if (_inflatePending)
                {
                    return ReceiveEvent.OutputFull;
                }
            }

            if (_frameRemaining == 0)
            {
                return null;
            }

            int take = (int)Math.Min(_frameRemaining, Math.Min(input.Length - consumed, _scratch.Length));
            if (take == 0)
            {
                return ReceiveEvent.NeedMoreData;
            }

            Masking.Apply(input.Slice(consumed, take), _scratch.AsSpan(0, take), _frame.MaskKey, _maskOffset);
            Advance(take);
            consumed += take;
            _scratchOffset = 0;
            _scratchCount = take;
        }
    }

    /// <summary>Drains the inflater at the end of a compressed message, then ends the message.</summary>
    private ReceiveEvent FinishInflating(Span<byte> output, ref int written)
    {
        Span<byte> room = InflateRoom(output, written);
        if (room.IsEmpty)
        {
            return ReceiveEvent.OutputFull;
        }

        OperationStatus status = _inflater!.Finish(room, out int produced);
        ReceiveEvent? accepted = AcceptInflated(room[..produced], ref written);
        if (accepted.HasValue)
        {
            return accepted.Value;
        }

        if (status == OperationStatus.InvalidData)
        {
            return Fail(CloseStatus.InvalidPayloadData, "Invalid compressed data: " + _inflater.ErrorMessage);
        }

        if (status == OperationStatus.DestinationTooSmall)
        {
            return ReceiveEvent.OutputFull;
        }

        _finishing = false;
        _inMessage = false;
        _inflatePending = false;
        if (_scratch is not null)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = null;
        }

        if (_messageOpcode == Opcode.Text && !_utf8.IsComplete)
        {
            return Fail(CloseStatus.InvalidPayloadData, "Invalid UTF-8 in a text message: it ends inside a code point.");
        }

        return ReceiveEvent.MessageEnd;
    }

    /// <summary>
    /// The output room for inflating: at most one byte past the message size limit, so that a
    /// message inflating past the limit is caught by the byte that crosses it (RFC 7692 §8.1 bombs).
    /// </summary>
    private Span<byte> InflateRoom(Span<byte> output, int written)
    {
        Span<byte> room = output[written..];
        long allowed = _maxMessageSize - _messageLength + 1;
        return room.Length > allowed ? room[..(int)allowed] : room;
    }

    private ReceiveEvent? AcceptInflated(Span<byte> produced, ref int written)
    {
        written += produced.Length;
        _messageLength += produced.Length;
        if (_messageLength > _maxMessageSize)
        {
            return Fail(CloseStatus.MessageTooBig, $"Message too big: it inflates past {_maxMessageSize} bytes.");
        }

        if (_messageOpcode == Opcode.Text && !_utf8.Append(produced))
        {
            return Fail(CloseStatus.InvalidPayloadData, "Invalid UTF-8 in a text message.");
        }

        return null;
    }

    private ReceiveEvent Fail(CloseStatus status, string message)
    {
        _failed = true;
        ErrorStatus = status;
        ErrorMessage = message;
        return ReceiveEvent.Error;
    }

    /// <summary>
    /// Ends <see cref="ControlPayload"/>'s validity now rather than at the next call, giving its
    /// buffer back to the pool: for a caller that has answered a ping and may wait a long time
    /// for the next bytes.
    /// </summary>
    public void ReleaseControlPayload()
    {
        byte[]? control = _control;
        if (control is null || (_inFrame && _frame.IsControl))
        {
            // Nothing held, or a control frame is still arriving into it.
            return;
        }

        _control = null;
        _controlCount = 0;
        ArrayPool<byte>.Shared.Return(control);
    }
}
