using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Duplex.Realtime.Protocol;

/// <summary>
/// Envelopes as JSON (docs/PROTOCOL.md §3): one object, or an array of them (a poll answer, a
/// <c>send</c> body). Reading is strict about what the protocol defines (types, ranges, one
/// payload per message, no field twice) and ignores fields it does not know, so that a later
/// version may add some.
/// </summary>
public static class EnvelopeJson
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 8 };

    /// <summary>Writes one envelope as a JSON object (see <see cref="EnvelopeJsonWriter"/>).</summary>
    public static void Write(IBufferWriter<byte> output, in Envelope envelope) => EnvelopeJsonWriter.Write(output, envelope);

    /// <summary>Writes envelopes as one JSON array.</summary>
    public static void WriteArray(IBufferWriter<byte> output, ReadOnlySpan<Envelope> envelopes)
    {
        ArgumentNullException.ThrowIfNull(output);
        EnvelopeJsonWriter.WriteByte(output, (byte)'[');
        for (int i = 0; i < envelopes.Length; i++)
        {
            if (i > 0)
            {
                EnvelopeJsonWriter.WriteByte(output, (byte)',');
            }

            EnvelopeJsonWriter.Write(output, envelopes[i]);
        }

        EnvelopeJsonWriter.WriteByte(output, (byte)']');
    }

    /// <summary>The JSON of one envelope, as a new array (for tests and rare paths).</summary>
    public static byte[] ToBytes(in Envelope envelope)
    {
        var output = new ArrayBufferWriter<byte>(64);
        Write(output, envelope);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Reads one envelope from <paramref name="json"/>, which must hold one JSON object and nothing else.</summary>
    /// <param name="json">The bytes (UTF-8).</param>
    /// <param name="maxPayloadBytes">The largest payload accepted (after base64 decoding).</param>
    /// <param name="envelope">The envelope when the result is <see cref="EnvelopeError.None"/>.</param>
    public static EnvelopeError TryRead(ReadOnlySpan<byte> json, int maxPayloadBytes, out Envelope envelope)
    {
        envelope = default;
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                return EnvelopeError.NotJson;
            }

            EnvelopeError error = ReadObject(ref reader, json, maxPayloadBytes, out envelope);
            if (error == EnvelopeError.None && reader.Read())
            {
                // Something after the object.
                return EnvelopeError.NotJson;
            }

            return error;
        }
        catch (JsonException)
        {
            return EnvelopeError.NotJson;
        }
    }

    /// <summary>Reads a JSON array of envelopes into <paramref name="envelopes"/>, in order.</summary>
    /// <param name="json">The bytes (UTF-8).</param>
    /// <param name="maxEnvelopes">The most envelopes accepted.</param>
    /// <param name="maxPayloadBytes">The largest payload of one message.</param>
    /// <param name="envelopes">Where the envelopes go; on an error it may hold the ones before it.</param>
    public static EnvelopeError TryReadArray(ReadOnlySpan<byte> json, int maxEnvelopes, int maxPayloadBytes, ICollection<Envelope> envelopes)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                return EnvelopeError.NotJson;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return EnvelopeError.NotAnArray;
            }

            int count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (++count > maxEnvelopes)
                {
                    return EnvelopeError.TooLarge;
                }

                EnvelopeError error = ReadObject(ref reader, json, maxPayloadBytes, out Envelope envelope);
                if (error != EnvelopeError.None)
                {
                    return error;
                }

                envelopes.Add(envelope);
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                return EnvelopeError.NotJson;
            }

            return EnvelopeError.None;
        }
        catch (JsonException)
        {
            return EnvelopeError.NotJson;
        }
    }

    private static EnvelopeError ReadObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, int maxPayloadBytes, out Envelope envelope)
    {
        envelope = default;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return EnvelopeError.NotAnObject;
        }

        int start = (int)reader.TokenStartIndex;

        EnvelopeType? type = null;
        long? sequence = null, ack = null, waiting = null;
        byte[]? text = null, binary = null;
        string? reason = null;
        bool otherR = false;
        int seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = FieldBit(ref reader);
            if (field != 0 && (seen & field) != 0)
            {
                return EnvelopeError.InvalidField;
            }

            seen |= field;
            if (!reader.Read())
            {
                return EnvelopeError.NotJson;
            }

            EnvelopeError error = field switch
            {
                FieldT => ReadType(ref reader, out type),
                FieldS => ReadNumber(ref reader, 1, out sequence),
                FieldA => ReadNumber(ref reader, 0, out ack),
                FieldW => ReadNumber(ref reader, 0, out waiting),
                FieldD when type != EnvelopeType.Channel => ReadText(ref reader, maxPayloadBytes, out text),
                FieldB when type != EnvelopeType.Channel => ReadBinary(ref reader, maxPayloadBytes, out binary),
                // On a close `r` is its reason (a string); on a channel envelope, a request id.
                FieldR when reader.TokenType != JsonTokenType.String => SkipOther(ref reader, out otherR),
                FieldR => ReadReason(ref reader, out reason),
                _ => Skip(ref reader),
            };
            if (error != EnvelopeError.None)
            {
                return error;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            return EnvelopeError.NotJson;
        }

        switch (type)
        {
            case null:
                return EnvelopeError.MissingType;
            case EnvelopeType.Message:
                if (sequence is null)
                {
                    return EnvelopeError.MissingField;
                }

                if ((text is null) == (binary is null))
                {
                    return EnvelopeError.InvalidPayload;
                }

                envelope = text is not null
                    ? Envelope.Message(sequence.Value, MessageType.Text, text, ack)
                    : Envelope.Message(sequence.Value, MessageType.Binary, binary, ack);
                return EnvelopeError.None;
            case EnvelopeType.Ack:
                if (ack is null)
                {
                    return EnvelopeError.MissingField;
                }

                envelope = Envelope.Acknowledge(ack.Value);
                return EnvelopeError.None;
            case EnvelopeType.Open:
                if (ack is null)
                {
                    return EnvelopeError.MissingField;
                }

                envelope = Envelope.Open(ack.Value, waiting ?? 0);
                return EnvelopeError.None;
            case EnvelopeType.Heartbeat:
                envelope = Envelope.Heartbeat;
                return EnvelopeError.None;
            case EnvelopeType.Close:
                if (otherR)
                {
                    return EnvelopeError.InvalidField;
                }

                envelope = Envelope.Close(reason);
                return EnvelopeError.None;
            case EnvelopeType.Channel:
                if (sequence is null)
                {
                    return EnvelopeError.MissingField;
                }

                // The channel layer reads its own fields (ChannelJson) from the whole object.
                int end = (int)reader.BytesConsumed;
                if (end - start > maxPayloadBytes + 1024)
                {
                    return EnvelopeError.TooLarge;
                }

                envelope = Envelope.Channel(sequence.Value, json[start..end].ToArray(), ack);
                return EnvelopeError.None;
            default:
                return EnvelopeError.UnknownType;
        }
    }

    private const int FieldT = 1, FieldS = 2, FieldA = 4, FieldW = 8, FieldD = 16, FieldB = 32, FieldR = 64;

    private static int FieldBit(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.ValueSpan.Length != 1)
        {
            // The protocol's fields are single letters written plainly; anything else is a field it does not know.
            return 0;
        }

        return reader.ValueSpan[0] switch
        {
            (byte)'t' => FieldT,
            (byte)'s' => FieldS,
            (byte)'a' => FieldA,
            (byte)'w' => FieldW,
            (byte)'d' => FieldD,
            (byte)'b' => FieldB,
            (byte)'r' => FieldR,
            _ => 0,
        };
    }

    private static EnvelopeError ReadType(ref Utf8JsonReader reader, out EnvelopeType? type)
    {
        type = null;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return EnvelopeError.MissingType;
        }

        if (reader.ValueSpan.SequenceEqual("ch"u8))
        {
            type = EnvelopeType.Channel;
            return EnvelopeError.None;
        }

        if (reader.ValueSpan.Length != 1)
        {
            return EnvelopeError.UnknownType;
        }

        type = reader.ValueSpan[0] switch
        {
            (byte)'m' => EnvelopeType.Message,
            (byte)'a' => EnvelopeType.Ack,
            (byte)'o' => EnvelopeType.Open,
            (byte)'h' => EnvelopeType.Heartbeat,
            (byte)'c' => EnvelopeType.Close,
            _ => null,
        };
        return type is null ? EnvelopeError.UnknownType : EnvelopeError.None;
    }

    private static EnvelopeError ReadNumber(ref Utf8JsonReader reader, long minimum, out long? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long number) || number < minimum || number > Envelope.MaxNumber)
        {
            return EnvelopeError.InvalidField;
        }

        value = number;
        return EnvelopeError.None;
    }

    private static EnvelopeError ReadText(ref Utf8JsonReader reader, int maxPayloadBytes, out byte[]? text)
    {
        text = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return EnvelopeError.InvalidField;
        }

        if (!reader.ValueIsEscaped)
        {
            // Unescaped JSON string bytes are the text's UTF-8; the reader does not check that
            // they are valid UTF-8 until a string is asked for, so check it here (RFC 8259 §8.1).
            if (reader.ValueSpan.Length > maxPayloadBytes)
            {
                return EnvelopeError.TooLarge;
            }

            if (!System.Text.Unicode.Utf8.IsValid(reader.ValueSpan))
            {
                return EnvelopeError.NotJson;
            }

            text = reader.ValueSpan.ToArray();
            return EnvelopeError.None;
        }

        // Unescaping never makes a string longer.
        byte[] buffer = new byte[reader.ValueSpan.Length];
        int length;
        try
        {
            length = reader.CopyString(buffer);
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (\ud800): not text.
            return EnvelopeError.InvalidPayload;
        }

        if (length > maxPayloadBytes)
        {
            return EnvelopeError.TooLarge;
        }

        text = length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray();
        return EnvelopeError.None;
    }

    private static EnvelopeError ReadBinary(ref Utf8JsonReader reader, int maxPayloadBytes, out byte[]? binary)
    {
        binary = null;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            // The base64 alphabet needs no escapes; an escaped string is not plain base64.
            return reader.TokenType == JsonTokenType.String ? EnvelopeError.InvalidBase64 : EnvelopeError.InvalidField;
        }

        ReadOnlySpan<byte> encoded = reader.ValueSpan;
        if (Base64.GetMaxDecodedFromUtf8Length(encoded.Length) > maxPayloadBytes + 2)
        {
            return EnvelopeError.TooLarge;
        }

        byte[] buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
        if (Base64.DecodeFromUtf8(encoded, buffer, out int consumed, out int written) != OperationStatus.Done || consumed != encoded.Length)
        {
            return EnvelopeError.InvalidBase64;
        }

        if (written > maxPayloadBytes)
        {
            return EnvelopeError.TooLarge;
        }

        binary = written == buffer.Length ? buffer : buffer.AsSpan(0, written).ToArray();
        return EnvelopeError.None;
    }

    private static EnvelopeError ReadReason(ref Utf8JsonReader reader, out string? reason)
    {
        reason = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return EnvelopeError.InvalidField;
        }

        try
        {
            reason = reader.GetString();
            return EnvelopeError.None;
        }
        catch (InvalidOperationException)
        {
            return EnvelopeError.InvalidField;
        }
    }

    private static EnvelopeError SkipOther(ref Utf8JsonReader reader, out bool skipped)
    {
        skipped = true;
        reader.Skip();
        return EnvelopeError.None;
    }

    private static EnvelopeError Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return EnvelopeError.None;
    }
}
