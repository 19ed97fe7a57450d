using System.Diagnostics;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Sessions;

/// <summary>
/// The messages one side of a session has sent and the other has not acknowledged yet
/// (docs/PROTOCOL.md §4): numbered 1, 2, 3, … in the order they were added, kept until an
/// acknowledgement covers them, bounded in count and in payload bytes. Not thread-safe: the
/// session holds its lock around it.
/// </summary>
public sealed class SessionOutbox
{
    private readonly Queue<OutboxEntry> _entries = new();
    private readonly int _maxMessages;
    private readonly long _maxBytes;

    /// <summary>Creates an empty outbox with its bounds.</summary>
    public SessionOutbox(int maxMessages, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _maxMessages = maxMessages;
        _maxBytes = maxBytes;
    }

    /// <summary>The number of the last message added (0: none yet).</summary>
    public long LastSequence { get; private set; }

    /// <summary>The highest number the other side acknowledged (0: none).</summary>
    public long Acknowledged { get; private set; }

    /// <summary>Messages kept (added and not acknowledged).</summary>
    public int Count => _entries.Count;

    /// <summary>Payload bytes kept.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Numbers and keeps a message. False, keeping nothing, when it would cross a bound: the
    /// caller applies its policy (docs/PROTOCOL.md §5: the session closes with <c>queue-full</c>).
    /// </summary>
    public bool TryAdd(MessageType type, ReadOnlyMemory<byte> payload, out long sequence) =>
        TryAdd(EnvelopeType.Message, type, payload, out sequence);

    /// <summary>
    /// Numbers and keeps an envelope of <paramref name="kind"/>: a message, or a channel
    /// envelope (its payload the JSON object of its channel fields), which shares the numbers.
    /// </summary>
    public bool TryAdd(EnvelopeType kind, MessageType type, ReadOnlyMemory<byte> payload, out long sequence)
    {
        sequence = 0;
        if (_entries.Count >= _maxMessages || Bytes + payload.Length > _maxBytes)
        {
            return false;
        }

        sequence = ++LastSequence;
        _entries.Enqueue(new OutboxEntry(sequence, type, payload, kind));
        Bytes += payload.Length;
        return true;
    }

    /// <summary>
    /// Takes an acknowledgement: drops every message up to <paramref name="ack"/>. An older one
    /// changes nothing; one past <see cref="LastSequence"/> acknowledges a message never sent and
    /// is refused (false, nothing dropped: <c>ack-out-of-range</c>).
    /// </summary>
    public bool Acknowledge(long ack)
    {
        if (ack > LastSequence || ack < 0)
        {
            return false;
        }

        while (_entries.Count > 0 && _entries.Peek().Sequence <= ack)
        {
            Bytes -= _entries.Dequeue().Payload.Length;
        }

        Acknowledged = Math.Max(Acknowledged, ack);
        Debug.Assert(_entries.Count == LastSequence - Acknowledged, "Kept messages are exactly those after the acknowledgement.");
        return true;
    }

    /// <summary>The kept messages after <paramref name="after"/> in order (after a resume: those the other side has not received).</summary>
    public IEnumerable<OutboxEntry> After(long after)
    {
        foreach (OutboxEntry entry in _entries)
        {
            if (entry.Sequence > after)
            {
                yield return entry;
            }
        }
    }

    /// <summary>How many kept messages come after <paramref name="after"/>.</summary>
    public long CountAfter(long after) => Math.Max(0, LastSequence - Math.Max(after, Acknowledged));
}

/// <summary>One kept envelope: its number, type and payload, and whether it is a message or a channel envelope.</summary>
public readonly record struct OutboxEntry(long Sequence, MessageType Type, ReadOnlyMemory<byte> Payload, EnvelopeType Kind = EnvelopeType.Message);
