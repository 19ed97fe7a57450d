using System.Diagnostics;
using System.Security.Cryptography;
using Duplex.Protocol.Closing;
using Duplex.Protocol.Extensions;
using Duplex.Protocol.Frames;

namespace Duplex.Protocol.Connection;

/// <summary>
/// A WebSocket connection after its opening handshake (RFC 6455 §5-§7), both directions, as a
/// state machine over bytes: the one place that decides every frame this end sends. Bytes that
/// arrived go in through <see cref="Receive"/> (the <see cref="WebSocketReceiver"/> checks
/// them and reports events); frames to send come out of the <c>Write…</c> and
/// <c>Begin…</c> methods as bytes in the caller's buffer: the opcode of each fragment, the
/// compression bit, the mask, and the closing handshake's rules on what may still be sent. The
/// reactions the RFC requires of a receiver are decided here too: after a ping, a close or a
/// protocol error, <see cref="PendingFrameLength"/> says that a frame is owed (the pong, the
/// echo of the close, the close that fails the connection) and <see cref="WritePendingFrame"/>
/// writes it. The caller only moves bytes, waits and keeps time.
/// </summary>
/// <remarks>
/// <para>
/// Threads: the receive side (<see cref="Receive"/>, <see cref="PendingFrameLength"/>,
/// <see cref="WritePendingFrame"/>) is used by one caller at a time, and the owed frame is written
/// before the next <see cref="Receive"/> (a pong carries the ping's payload, valid until then).
/// The send side (<see cref="WriteDataFrame"/>, <see cref="BeginDataFrame"/>,
/// <see cref="BeginWholeMessage"/>, <see cref="TryWriteClose"/>, <see cref="TryWritePing"/>,
/// <see cref="WritePendingFrame"/>) runs under one lock the caller holds, so that frames are
/// written in the order their state was decided. The closing handshake's state moves by
/// compare-and-swap, so both sides and <see cref="Abort"/> may move it from any thread.
/// </para>
/// <para>
/// Mask keys (a client's) come from <see cref="RandomNumberGenerator"/>: RFC 6455 §5.3 asks for
/// keys a peer cannot predict.
/// </para>
/// </remarks>
public sealed class WebSocketProtocol
{
    /// <summary>The RSV1 bit as <see cref="FrameHeaderWriter.Write"/> takes it: permessage-deflate's "compressed" (RFC 7692 §6).</summary>
    private const byte Rsv1 = 0x4;

    /// <summary>The most a control frame takes on the wire: a masked header and 125 bytes of payload.</summary>
    public const int MaxControlFrameSize = 2 + 4 + FrameHeader.MaxControlPayload;

    private readonly Role _role;
    private readonly WebSocketReceiver _receiver;

    /// <summary>Messages of at least this many bytes are compressed; int.MaxValue when permessage-deflate was not agreed.</summary>
    private readonly int _compressFrom;

    /// <summary>The closing handshake; moved by compare-and-swap from either side.</summary>
    private CloseHandshake _close;

    /// <summary>Whether a fragmented message is being sent (its first frame went, its last has not); under the send lock.</summary>
    private bool _sendingFragmented;

    /// <summary>The frame owed for what was last received; set by <see cref="Receive"/>, cleared by <see cref="WritePendingFrame"/> (receive side).</summary>
    private Owed _owed;

    private enum Owed : byte
    {
        None,

        /// <summary>RFC 6455 §5.5.2: a ping is answered with a pong carrying its payload.</summary>
        Pong,

        /// <summary>RFC 6455 §5.5.1: a close is answered with a close, echoing its status code.</summary>
        CloseEcho,

        /// <summary>RFC 6455 §7.1.7: a protocol error fails the connection with a close frame carrying the code.</summary>
        FailClose,
    }

    /// <summary>Creates the state machine for one connection.</summary>
    /// <param name="role">Which end this is: it decides masking both ways (RFC 6455 §5.1, §5.3).</param>
    /// <param name="maxMessageSize">The largest message accepted, summed over fragments and, when compressed, inflated.</param>
    /// <param name="inflater">The decompressor of an agreed permessage-deflate, or null.</param>
    /// <param name="compressFrom">
    /// With permessage-deflate agreed for sending: messages of at least this many bytes are
    /// sent compressed (smaller ones gain nothing). Null: nothing is compressed.
    /// </param>
    public WebSocketProtocol(Role role, long maxMessageSize, MessageInflater? inflater = null, int? compressFrom = null)
    {
        if (compressFrom is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(compressFrom), compressFrom, "A size to compress from cannot be negative.");
        }

        _role = role;
        _compressFrom = compressFrom ?? int.MaxValue;
        _receiver = new WebSocketReceiver(new ReceiverOptions { Role = role, MaxMessageSize = maxMessageSize }, inflater);
    }

    /// <summary>The receive half: what it reports (message type, close code, error) and how far it is in a frame.</summary>
    public WebSocketReceiver Receiver => _receiver;

    /// <summary>Where the connection stands in the closing handshake.</summary>
    public WebSocketConnectionState State => _close.State;

    /// <summary>Whether data frames may still be sent (RFC 6455 §5.5.1: none after a close frame either way).</summary>
    public bool CanSendData => _close.CanSendData;

    /// <summary>Whether this end closes the TCP connection first once the closing handshake is done: the server does (RFC 6455 §7.1.1); a client waits for it.</summary>
    public bool ClosesTransportFirst => _role == Role.Server;

    /// <summary>Which end this is.</summary>
    public Role Role => _role;

    /// <summary>Whether this end masks what it sends (a client, RFC 6455 §5.3).</summary>
    public bool Masks => _role == Role.Client;

    /// <summary>
    /// Takes bytes that arrived, exactly as <see cref="WebSocketReceiver.Receive"/> does, and
    /// records what the event obliges this end to send (see <see cref="PendingFrameLength"/>).
    /// After <see cref="ReceiveEvent.Close"/> the closing handshake has moved: an end that had not
    /// sent its close owes one; one that had is done.
    /// </summary>
    public ReceiveEvent Receive(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        // A frame still owed is dropped: a pong's payload is valid only until this call.
        _owed = Owed.None;
        ReceiveEvent ev = _receiver.Receive(input, output, out consumed, out written);
        if (ev >= ReceiveEvent.Ping)
        {
            React(ev);
        }

        return ev;
    }

    private void React(ReceiveEvent ev)
    {
        switch (ev)
        {
            case ReceiveEvent.Ping:
                _owed = Owed.Pong;
                break;
            case ReceiveEvent.Close:
                // RFC 6455 §5.5.1: an end that receives a close frame and has not sent one answers it.
                _owed = _close.ReceiveClose() ? Owed.CloseEcho : Owed.None;
                break;
            case ReceiveEvent.Error:
                _owed = Owed.FailClose;
                break;
        }
    }

    /// <summary>
    /// The length of the frame owed for what was last received (0 when none): the pong that
    /// answers a ping (dropped once this end has sent its close, RFC 6455 §5.5.1), the close that
    /// answers the peer's, or the close that fails the connection after a protocol error (none
    /// when this end's close went already).
    /// </summary>
    public int PendingFrameLength => _owed switch
    {
        Owed.Pong when State is not (WebSocketConnectionState.CloseSent or WebSocketConnectionState.Closed) =>
            FrameWriter.SizeOf(_receiver.ControlPayload.Length, Masks),
        Owed.CloseEcho or Owed.FailClose when State is WebSocketConnectionState.Open or WebSocketConnectionState.CloseReceived =>
            MaxControlFrameSize,
        _ => 0,
    };

    /// <summary>Whether a close frame is owed (the echo of the peer's, or the one that fails the connection): the caller writes it after everything sent before it, then closes.</summary>
    public bool OwesClose => _owed is Owed.CloseEcho or Owed.FailClose;

    /// <summary>
    /// Writes the owed frame (see <see cref="PendingFrameLength"/>) into <paramref name="destination"/>
    /// and returns its length: 0 when nothing is owed or it is no longer to be sent. Under the send
    /// lock; the owed close moves the closing handshake.
    /// </summary>
    public int WritePendingFrame(Span<byte> destination)
    {
        Owed owed = _owed;
        _owed = Owed.None;
        switch (owed)
        {
            case Owed.Pong:
                // RFC 6455 §5.5.3: the pong carries the ping's payload.
                return State is WebSocketConnectionState.CloseSent or WebSocketConnectionState.Closed
                    ? 0
                    : FrameWriter.Write(destination, true, Opcode.Pong, 0, _receiver.ControlPayload, MaskKey());
            case Owed.CloseEcho:
                // RFC 6455 §5.5.1: "typically echoing the status code it received"; none when none came.
                return TryWriteClose(_receiver.CloseCode, null, destination, out int echo) ? echo : 0;
            case Owed.FailClose:
                return TryWriteClose((ushort)_receiver.ErrorStatus, _receiver.ErrorMessage, destination, out int fail) ? fail : 0;
            default:
                return 0;
        }
    }

    /// <summary>Bytes a data frame with a payload of this length takes on the wire from this end.</summary>
    public int DataFrameSize(int payloadLength) => FrameWriter.SizeOf(payloadLength, Masks);

    /// <summary>
    /// Whether a message of <paramref name="length"/> bytes sent now goes compressed: with
    /// permessage-deflate agreed, a whole message (RSV1 is set per message, on its first frame,
    /// RFC 7692 §6.1; fragments are sent as they are) at least as large as the threshold. Under the send lock.
    /// </summary>
    public bool CompressesMessage(long length, bool endOfMessage) =>
        endOfMessage && !_sendingFragmented && length >= _compressFrom;

    /// <summary>Whether a message of this length would be compressed if sent whole now (see <see cref="CompressesMessage"/>), for callers deciding outside the send lock.</summary>
    public bool WouldCompress(long length) => length >= _compressFrom;

    /// <summary>
    /// Writes one data frame of a message: the message's first frame carries its type, later
    /// ones are continuations (RFC 6455 §5.4), <paramref name="endOfMessage"/> sets FIN,
    /// <paramref name="compressed"/> (a payload the caller compressed because
    /// <see cref="CompressesMessage"/> said so) sets RSV1, and a client's payload is masked as it
    /// is copied. Under the send lock.
    /// </summary>
    /// <param name="type">The message's type: <see cref="Opcode.Text"/> or <see cref="Opcode.Binary"/>.</param>
    /// <param name="endOfMessage">Whether this frame ends the message.</param>
    /// <param name="compressed">Whether <paramref name="payload"/> is the whole message compressed.</param>
    /// <param name="payload">The frame's payload.</param>
    /// <param name="destination">At least <see cref="DataFrameSize"/> bytes.</param>
    /// <param name="written">The frame's length when <see cref="SendStatus.Done"/>.</param>
    public SendStatus WriteDataFrame(Opcode type, bool endOfMessage, bool compressed, ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (!_close.CanSendData)
        {
            return SendStatus.Closing;
        }

        Opcode opcode = NextOpcode(type, endOfMessage, compressed);
        written = FrameWriter.Write(destination, endOfMessage, opcode, compressed ? Rsv1 : (byte)0, payload, MaskKey());
        return SendStatus.Done;
    }

    /// <summary>
    /// Decides a data frame as <see cref="WriteDataFrame"/> does, for a payload the caller writes
    /// itself behind the header (a large one, from its own memory): writes the header into
    /// <paramref name="header"/> (at least <see cref="FrameHeader.MaxSize"/> bytes) and gives
    /// how the payload must go (<see cref="PayloadMask"/>: as it is, or masked piece by piece).
    /// Under the send lock.
    /// </summary>
    public SendStatus BeginDataFrame(Opcode type, bool endOfMessage, bool compressed, long payloadLength, Span<byte> header, out int headerLength, out PayloadMask mask)
    {
        headerLength = 0;
        mask = default;
        if (!_close.CanSendData)
        {
            return SendStatus.Closing;
        }

        Opcode opcode = NextOpcode(type, endOfMessage, compressed);
        uint? key = MaskKey();
        headerLength = FrameHeaderWriter.Write(header, endOfMessage, opcode, compressed ? Rsv1 : (byte)0, payloadLength, key);
        mask = new PayloadMask(key);
        return SendStatus.Done;
    }

    /// <summary>
    /// Whether a frame built once for many connections (one unmasked, uncompressed, final frame)
    /// can go to this connection byte for byte: not from a client, which must mask (RFC 6455
    /// §5.3), nor where the message would be compressed. Otherwise send its payload as a message.
    /// </summary>
    public bool AcceptsPreparedFrame(int payloadLength) => _role == Role.Server && !WouldCompress(payloadLength);

    /// <summary>Whether a whole message framed elsewhere may go now (open, and not inside a fragmented message). Under the send lock.</summary>
    public SendStatus BeginWholeMessage() =>
        !_close.CanSendData ? SendStatus.Closing
        : _sendingFragmented ? SendStatus.FragmentedMessageOpen
        : SendStatus.Done;

    /// <summary>
    /// Writes a ping (RFC 6455 §5.5.2) into <paramref name="destination"/> (at least
    /// <see cref="MaxControlFrameSize"/> bytes); false, writing nothing, once this end has sent
    /// its close (§5.5.1: nothing follows it). Under the send lock.
    /// </summary>
    /// <exception cref="ArgumentException">The payload is longer than 125 bytes (§5.5).</exception>
    public bool TryWritePing(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        CheckControlPayload(payload.Length, nameof(payload));
        written = 0;
        if (State is WebSocketConnectionState.CloseSent or WebSocketConnectionState.Closed)
        {
            return false;
        }

        written = FrameWriter.Write(destination, true, Opcode.Ping, 0, payload, MaskKey());
        return true;
    }

    /// <summary>
    /// Writes this end's close frame (RFC 6455 §5.5.1) with <paramref name="code"/> (none when
    /// null) and <paramref name="reason"/> (cut at a code point to fit 123 bytes) into
    /// <paramref name="destination"/> (at least <see cref="MaxControlFrameSize"/> bytes), moving
    /// the closing handshake; false, writing nothing, when this end sent its close already (one
    /// per connection) or the connection failed. Under the send lock.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The code may not be sent (§7.4: 1005, 1006, 1015, unassigned ranges).</exception>
    public bool TryWriteClose(ushort? code, string? reason, Span<byte> destination, out int written)
    {
        if (code.HasValue)
        {
            CheckCloseCode(code.Value);
        }

        written = 0;
        if (!_close.TrySendClose())
        {
            return false;
        }

        Span<byte> payload = stackalloc byte[FrameHeader.MaxControlPayload];
        int length = code.HasValue ? ClosePayload.Write(payload, code.Value, reason) : 0;
        written = FrameWriter.Write(destination, true, Opcode.Close, 0, payload[..length], MaskKey());
        return true;
    }

    /// <summary>Throws unless <paramref name="code"/> may be sent in a close frame (RFC 6455 §7.4).</summary>
    public static void CheckCloseCode(int code)
    {
        if (!CloseStatusRules.IsValidOnWire(code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "This close code may not be sent (RFC 6455 §7.4).");
        }
    }

    /// <summary>Throws unless a control frame may carry <paramref name="length"/> bytes (RFC 6455 §5.5: at most 125).</summary>
    public static void CheckControlPayload(int length, string parameterName)
    {
        if (length > FrameHeader.MaxControlPayload)
        {
            throw new ArgumentException("A control frame carries at most 125 bytes (RFC 6455 §5.5).", parameterName);
        }
    }

    /// <summary>The connection failed or was dropped: nothing more is sent.</summary>
    public void Abort() => _close.Abort();

    /// <summary>The opcode of the next data frame, moving the fragmentation state (RFC 6455 §5.4); under the send lock.</summary>
    private Opcode NextOpcode(Opcode type, bool endOfMessage, bool compressed)
    {
        if (type is not (Opcode.Text or Opcode.Binary))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "A data message is text or binary.");
        }

        Debug.Assert(!compressed || (!_sendingFragmented && endOfMessage), "RSV1 goes on a whole message's one frame (RFC 7692 §6.1): ask CompressesMessage first.");
        Opcode opcode = _sendingFragmented ? Opcode.Continuation : type;
        _sendingFragmented = !endOfMessage;
        return opcode;
    }

    private uint? MaskKey()
    {
        if (_role == Role.Server)
        {
            return null;
        }

        // RFC 6455 §5.3: a fresh key per frame, from a strong source of entropy.
        Span<byte> key = stackalloc byte[4];
        RandomNumberGenerator.Fill(key);
        return BitConverter.ToUInt32(key);
    }
}
