namespace Duplex.Realtime.Protocol;

/// <summary>
/// One envelope of the session protocol (docs/PROTOCOL.md §3): an application message with its
/// sequence number, or an acknowledgement, an open, a heartbeat or a close. A message's payload is
/// its bytes (UTF-8 for text), whatever the transport carries it as.
/// </summary>
public readonly record struct Envelope
{
    private Envelope(EnvelopeType type, long sequence, long? ack, MessageType payloadType, ReadOnlyMemory<byte> payload, long waiting, string? reason)
    {
        Type = type;
        Sequence = sequence;
        Ack = ack;
        PayloadType = payloadType;
        Payload = payload;
        Waiting = waiting;
        Reason = reason;
    }

    /// <summary>The largest sequence number or acknowledgement: 2^53 − 1, so that every JSON implementation reads it exactly.</summary>
    public const long MaxNumber = (1L << 53) - 1;

    /// <summary>What the envelope is.</summary>
    public EnvelopeType Type { get; }

    /// <summary>A message's sequence number (<c>s</c>), from 1; 0 on other envelopes.</summary>
    public long Sequence { get; }

    /// <summary>The acknowledgement (<c>a</c>): the highest number received in order from the other side; null when absent.</summary>
    public long? Ack { get; }

    /// <summary>A message's type: <see cref="MessageType.Text"/> or <see cref="MessageType.Binary"/>.</summary>
    public MessageType PayloadType { get; }

    /// <summary>A message's payload (UTF-8 for text).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>On an open: how many messages wait for the client (<c>w</c>).</summary>
    public long Waiting { get; }

    /// <summary>On a close: why (<c>r</c>), or null.</summary>
    public string? Reason { get; }

    /// <summary>An application message.</summary>
    public static Envelope Message(long sequence, MessageType type, ReadOnlyMemory<byte> payload, long? ack = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, MaxNumber);
        if (type is not (MessageType.Text or MessageType.Binary))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "A session message is text or binary.");
        }

        CheckAck(ack);
        return new Envelope(EnvelopeType.Message, sequence, ack, type, payload, 0, null);
    }

    /// <summary>
    /// A channel envelope (<c>ch</c>, docs/PROTOCOL.md §10), numbered in the session like a
    /// message. <paramref name="fields"/> is a JSON object of the channel fields (<c>op</c>,
    /// <c>ch</c>, …): written out, the writer puts <c>t</c>, <c>s</c> (and <c>a</c>) before them,
    /// so one object can be shared by every session it goes to. Read in, it is the whole object
    /// as received.
    /// </summary>
    public static Envelope Channel(long sequence, ReadOnlyMemory<byte> fields, long? ack = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, MaxNumber);
        CheckAck(ack);
        return new Envelope(EnvelopeType.Channel, sequence, ack, MessageType.Text, fields, 0, null);
    }

    /// <summary>Whether the envelope is numbered in the session (a message or a channel envelope).</summary>
    public bool IsNumbered => Type is EnvelopeType.Message or EnvelopeType.Channel;

    /// <summary>An acknowledgement alone.</summary>
    public static Envelope Acknowledge(long ack)
    {
        CheckAck(ack);
        return new Envelope(EnvelopeType.Ack, 0, ack, MessageType.Text, default, 0, null);
    }

    /// <summary>The server's first envelope on a transport connection: what it has received, what waits.</summary>
    public static Envelope Open(long ack, long waiting)
    {
        CheckAck(ack);
        ArgumentOutOfRangeException.ThrowIfNegative(waiting);
        return new Envelope(EnvelopeType.Open, 0, ack, MessageType.Text, default, waiting, null);
    }

    /// <summary>A heartbeat.</summary>
    public static Envelope Heartbeat { get; } = new(EnvelopeType.Heartbeat, 0, null, MessageType.Text, default, 0, null);

    /// <summary>The end of the session, with a reason (docs/PROTOCOL.md §5) or none.</summary>
    public static Envelope Close(string? reason = null) => new(EnvelopeType.Close, 0, null, MessageType.Text, default, 0, reason);

    private static void CheckAck(long? ack)
    {
        if (ack is < 0 or > MaxNumber)
        {
            throw new ArgumentOutOfRangeException(nameof(ack), ack, "An acknowledgement is 0 to 2^53 - 1.");
        }
    }
}
