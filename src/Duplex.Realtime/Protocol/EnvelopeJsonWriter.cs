using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Duplex.Realtime.Protocol;

/// <summary>
/// Writes envelopes as JSON by hand, in the exact shape docs/PROTOCOL.md shows
/// (<c>{"t":"m","s":7,"d":"hi"}</c>): fields in a fixed order, no spaces, and text escaped only
/// where RFC 8259 §7 requires (quote, backslash, control characters), so that non-ASCII text,
/// emoji included, travels as its own UTF-8. System.Text.Json's encoders always escape characters
/// outside the Basic Multilingual Plane (an emoji becomes 12 bytes), hence this writer; reading
/// stays with System.Text.Json.
/// </summary>
internal static class EnvelopeJsonWriter
{
    /// <summary>The two-character escapes of RFC 8259 §7, by control character; 0 where \u00XX is used.</summary>
    private static ReadOnlySpan<byte> ShortEscapes => "\0\0\0\0\0\0\0\0btn\0fr\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"u8;

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    public static void Write(IBufferWriter<byte> output, in Envelope envelope)
    {
        if (envelope.Type == EnvelopeType.Channel)
        {
            WriteChannel(output, envelope);
            return;
        }

        Raw(output, "{\"t\":\""u8);
        WriteByte(output, (byte)envelope.Type);
        WriteByte(output, (byte)'"');
        switch (envelope.Type)
        {
            case EnvelopeType.Message:
                Raw(output, ",\"s\":"u8);
                Number(output, envelope.Sequence);
                if (envelope.PayloadType == MessageType.Text)
                {
                    Raw(output, ",\"d\":"u8);
                    String(output, envelope.Payload.Span);
                }
                else
                {
                    Raw(output, ",\"b\":\""u8);
                    Base64Payload(output, envelope.Payload.Span);
                    WriteByte(output, (byte)'"');
                }

                if (envelope.Ack is { } ack)
                {
                    Raw(output, ",\"a\":"u8);
                    Number(output, ack);
                }

                break;
            case EnvelopeType.Ack:
                Raw(output, ",\"a\":"u8);
                Number(output, envelope.Ack.GetValueOrDefault());
                break;
            case EnvelopeType.Open:
                Raw(output, ",\"a\":"u8);
                Number(output, envelope.Ack.GetValueOrDefault());
                Raw(output, ",\"w\":"u8);
                Number(output, envelope.Waiting);
                break;
            case EnvelopeType.Close when envelope.Reason is not null:
                Raw(output, ",\"r\":"u8);
                String(output, Encoding.UTF8.GetBytes(envelope.Reason));
                break;
        }

        WriteByte(output, (byte)'}');
    }

    /// <summary><c>{"t":"ch","s":N,</c> then the channel fields of the payload object, then <c>"a"</c> when there is one.</summary>
    private static void WriteChannel(IBufferWriter<byte> output, in Envelope envelope)
    {
        Raw(output, "{\"t\":\"ch\",\"s\":"u8);
        Number(output, envelope.Sequence);
        ReadOnlySpan<byte> fields = envelope.Payload.Span.Trim(" \t\r\n"u8);
        if (fields.Length > 2)
        {
            WriteByte(output, (byte)',');
            Raw(output, fields[1..^1]);
        }

        if (envelope.Ack is { } ack)
        {
            Raw(output, ",\"a\":"u8);
            Number(output, ack);
        }

        WriteByte(output, (byte)'}');
    }

    public static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    public static void Number(IBufferWriter<byte> output, long value)
    {
        Span<byte> span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        output.Advance(written);
    }

    public static void Base64Payload(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        int length = Base64.GetMaxEncodedToUtf8Length(payload.Length);
        Base64.EncodeToUtf8(payload, output.GetSpan(length), out _, out int written);
        output.Advance(written);
    }

    /// <summary>A JSON string of valid UTF-8 text: quote, backslash and C0 controls escaped, everything else as it is.</summary>
    public static void String(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        WriteByte(output, (byte)'"');
        while (!utf8.IsEmpty)
        {
            int plain = utf8.IndexOfAnyInRange((byte)0, (byte)0x1F);
            int quote = utf8.IndexOfAny((byte)'"', (byte)'\\');
            int stop = plain < 0 ? quote : quote < 0 ? plain : Math.Min(plain, quote);
            if (stop < 0)
            {
                Raw(output, utf8);
                break;
            }

            Raw(output, utf8[..stop]);
            byte c = utf8[stop];
            Span<byte> escape = output.GetSpan(6);
            escape[0] = (byte)'\\';
            if (c is (byte)'"' or (byte)'\\')
            {
                escape[1] = c;
                output.Advance(2);
            }
            else if (ShortEscapes[c] != 0)
            {
                escape[1] = ShortEscapes[c];
                output.Advance(2);
            }
            else
            {
                escape[1] = (byte)'u';
                escape[2] = (byte)'0';
                escape[3] = (byte)'0';
                escape[4] = HexDigits[c >> 4];
                escape[5] = HexDigits[c & 0xF];
                output.Advance(6);
            }

            utf8 = utf8[(stop + 1)..];
        }

        WriteByte(output, (byte)'"');
    }
}
