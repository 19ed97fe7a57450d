using System.Buffers;
using System.Text;
using CsCheck;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Tests.Protocol;

/// <summary>docs/PROTOCOL.md §3: envelopes as JSON, written exactly and read strictly.</summary>
public class EnvelopeJsonTests
{
    private const int Max = 1 << 20;

    private static string Json(in Envelope envelope) => Encoding.UTF8.GetString(EnvelopeJson.ToBytes(envelope));

    private static Envelope Read(string json)
    {
        Assert.Equal(EnvelopeError.None, EnvelopeJson.TryRead(Encoding.UTF8.GetBytes(json), Max, out Envelope envelope));
        return envelope;
    }

    private static EnvelopeError Error(string json) => EnvelopeJson.TryRead(Encoding.UTF8.GetBytes(json), Max, out _);

    [Fact]
    public void Text_message_is_written_as_in_the_protocol_page()
    {
        Assert.Equal("""{"t":"m","s":7,"d":"hi"}""", Json(Envelope.Message(7, MessageType.Text, "hi"u8.ToArray())));
    }

    [Fact]
    public void Small_text_message_takes_22_bytes_of_envelope()
    {
        // docs/PROTOCOL.md §3's example; with the 2-byte WebSocket header, 24 bytes of framing (issue 11: at most 30).
        Assert.Equal(22 + 2, EnvelopeJson.ToBytes(Envelope.Message(7, MessageType.Text, "hi"u8.ToArray())).Length);
    }

    [Fact]
    public void Binary_message_carries_base64_with_padding()
    {
        Assert.Equal("""{"t":"m","s":5,"b":"AAEC"}""", Json(Envelope.Message(5, MessageType.Binary, new byte[] { 0, 1, 2 })));
    }

    [Fact]
    public void Acknowledgement_open_heartbeat_and_close_are_written_with_their_fields()
    {
        Assert.Equal("""{"t":"a","a":9}""", Json(Envelope.Acknowledge(9)));
        Assert.Equal("""{"t":"o","a":3,"w":2}""", Json(Envelope.Open(3, 2)));
        Assert.Equal("""{"t":"h"}""", Json(Envelope.Heartbeat));
        Assert.Equal("""{"t":"c","r":"queue-full"}""", Json(Envelope.Close("queue-full")));
        Assert.Equal("""{"t":"c"}""", Json(Envelope.Close()));
    }

    [Fact]
    public void Piggybacked_acknowledgement_follows_the_payload()
    {
        Assert.Equal("""{"t":"m","s":2,"d":"x","a":4}""", Json(Envelope.Message(2, MessageType.Text, "x"u8.ToArray(), ack: 4)));
    }

    [Fact]
    public void Text_keeps_non_ascii_as_it_is_and_escapes_quotes_backslashes_and_controls()
    {
        string json = Json(Envelope.Message(1, MessageType.Text, Encoding.UTF8.GetBytes("é \"q\" \\ \n\u0001 😀")));

        Assert.Equal("{\"t\":\"m\",\"s\":1,\"d\":\"é \\\"q\\\" \\\\ \\n\\u0001 😀\"}", json);
        Assert.Equal("é \"q\" \\ \n\u0001 😀", Encoding.UTF8.GetString(Read(json).Payload.Span));
    }

    [Fact]
    public void Every_control_character_is_escaped_and_read_back()
    {
        byte[] controls = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        string json = Json(Envelope.Message(1, MessageType.Text, controls));

        Assert.DoesNotContain(json, c => c < 0x20);
        Assert.Contains("""\b\t\n\u000b\f\r\u000e""", json, StringComparison.Ordinal);
        Assert.Equal(controls, Read(json).Payload.ToArray());
    }

    [Fact]
    public void Escaped_text_is_read_as_its_utf8()
    {
        Envelope message = Read("""{"t":"m","s":1,"d":"\u00e9\ud83d\ude00\n"}""");

        Assert.Equal(MessageType.Text, message.PayloadType);
        Assert.Equal("é😀\n", Encoding.UTF8.GetString(message.Payload.Span));
    }

    [Fact]
    public void Unknown_fields_are_ignored_and_order_does_not_matter()
    {
        Envelope message = Read("""{"x":{"deep":[1,2]},"d":"hi","s":3,"t":"m","later":"yes"}""");

        Assert.Equal(3, message.Sequence);
        Assert.Equal("hi"u8.ToArray(), message.Payload.ToArray());
    }

    [Theory]
    [InlineData("""{"t":"m","s":1}""", EnvelopeError.InvalidPayload)]
    [InlineData("""{"t":"m","s":1,"d":"a","b":"AA=="}""", EnvelopeError.InvalidPayload)]
    [InlineData("""{"t":"m","d":"a"}""", EnvelopeError.MissingField)]
    [InlineData("""{"t":"m","s":0,"d":"a"}""", EnvelopeError.InvalidField)]
    [InlineData("""{"t":"m","s":-1,"d":"a"}""", EnvelopeError.InvalidField)]
    [InlineData("""{"t":"m","s":1.5,"d":"a"}""", EnvelopeError.InvalidField)]
    [InlineData("""{"t":"m","s":9007199254740992,"d":"a"}""", EnvelopeError.InvalidField)]
    [InlineData("""{"t":"m","s":"1","d":"a"}""", EnvelopeError.InvalidField)]
    [InlineData("""{"t":"m","s":1,"s":2,"d":"a"}""", EnvelopeError.InvalidField)]
    [InlineData("""{"t":"m","s":1,"d":7}""", EnvelopeError.InvalidField)]
    [InlineData("""{"t":"m","s":1,"b":"A"}""", EnvelopeError.InvalidBase64)]
    [InlineData("""{"t":"m","s":1,"b":"AA"}""", EnvelopeError.InvalidBase64)]
    [InlineData("""{"t":"m","s":1,"b":"A\u0041=="}""", EnvelopeError.InvalidBase64)]
    [InlineData("""{"t":"m","s":1,"d":"\ud800"}""", EnvelopeError.InvalidPayload)]
    [InlineData("""{"t":"a"}""", EnvelopeError.MissingField)]
    [InlineData("""{"t":"a","a":-3}""", EnvelopeError.InvalidField)]
    [InlineData("""{"t":"o"}""", EnvelopeError.MissingField)]
    [InlineData("""{"t":"z"}""", EnvelopeError.UnknownType)]
    [InlineData("""{"t":"mm"}""", EnvelopeError.UnknownType)]
    [InlineData("""{"t":1}""", EnvelopeError.MissingType)]
    [InlineData("""{"s":1,"d":"a"}""", EnvelopeError.MissingType)]
    [InlineData("""[{"t":"a","a":1}]""", EnvelopeError.NotAnObject)]
    [InlineData("""{"t":"a","a":1} {}""", EnvelopeError.NotJson)]
    [InlineData("""{"t":"a","a":1""", EnvelopeError.NotJson)]
    [InlineData("""{"t":"c","r":5}""", EnvelopeError.InvalidField)]
    [InlineData("", EnvelopeError.NotJson)]
    [InlineData("nope", EnvelopeError.NotJson)]
    public void Malformed_envelopes_are_refused_with_a_reason(string json, EnvelopeError expected)
    {
        Assert.Equal(expected, Error(json));
    }

    [Fact]
    public void Invalid_utf8_is_not_json()
    {
        byte[] bytes = [.. "{\"t\":\"m\",\"s\":1,\"d\":\""u8, 0xC0, 0x80, .. "\"}"u8];

        Assert.Equal(EnvelopeError.NotJson, EnvelopeJson.TryRead(bytes, Max, out _));
    }

    [Fact]
    public void Payloads_over_the_limit_are_refused_as_too_large_text_and_binary()
    {
        Assert.Equal(EnvelopeError.TooLarge, EnvelopeJson.TryRead("""{"t":"m","s":1,"d":"abcde"}"""u8, 4, out _));
        Assert.Equal(EnvelopeError.None, EnvelopeJson.TryRead("""{"t":"m","s":1,"d":"abcd"}"""u8, 4, out _));
        Assert.Equal(EnvelopeError.TooLarge, EnvelopeJson.TryRead("""{"t":"m","s":1,"b":"AAECAwQ="}"""u8, 4, out _));
        Assert.Equal(EnvelopeError.None, EnvelopeJson.TryRead("""{"t":"m","s":1,"b":"AAECAw=="}"""u8, 4, out _));
    }

    [Fact]
    public void Arrays_are_read_in_order_and_bounded_in_count()
    {
        var envelopes = new List<Envelope>();
        Assert.Equal(EnvelopeError.None, EnvelopeJson.TryReadArray("""[{"t":"m","s":4,"d":"hi"},{"t":"m","s":5,"b":"AAEC"},{"t":"a","a":9}]"""u8, 3, Max, envelopes));

        Assert.Equal([4L, 5L, 0L], envelopes.Select(e => e.Sequence));
        Assert.Equal(9, envelopes[2].Ack);

        Assert.Equal(EnvelopeError.TooLarge, EnvelopeJson.TryReadArray("""[{"t":"h"},{"t":"h"},{"t":"h"}]"""u8, 2, Max, new List<Envelope>()));
        Assert.Equal(EnvelopeError.NotAnArray, EnvelopeJson.TryReadArray("""{"t":"h"}"""u8, 2, Max, new List<Envelope>()));
        Assert.Equal(EnvelopeError.NotJson, EnvelopeJson.TryReadArray("""[{"t":"h"}"""u8, 2, Max, new List<Envelope>()));
        Assert.Equal(EnvelopeError.NotAnObject, EnvelopeJson.TryReadArray("""[1]"""u8, 2, Max, new List<Envelope>()));
    }

    [Fact]
    public void An_array_written_is_read_back_the_same()
    {
        Envelope[] written = [Envelope.Open(0, 1), Envelope.Message(1, MessageType.Text, "a"u8.ToArray()), Envelope.Message(2, MessageType.Binary, new byte[] { 255 })];
        var output = new ArrayBufferWriter<byte>();
        EnvelopeJson.WriteArray(output, written);

        var read = new List<Envelope>();
        Assert.Equal(EnvelopeError.None, EnvelopeJson.TryReadArray(output.WrittenSpan, 10, Max, read));
        Assert.Equal(written.Select(Describe), read.Select(Describe));
    }

    [Fact]
    public void Every_message_round_trips_text_and_binary()
    {
        Gen.Select(Gen.Long[1, Envelope.MaxNumber], Gen.Bool, Gen.String, Gen.Byte.Array[0, 200], Gen.Long[-1, Envelope.MaxNumber])
            .Sample((sequence, text, s, bytes, a) =>
            {
                long? ack = a < 0 ? null : a;
                // Strings with lone surrogates are not text; the generator's may have them.
                byte[] payload = text ? Encoding.UTF8.GetBytes(s) : bytes;
                Envelope message = Envelope.Message(sequence, text ? MessageType.Text : MessageType.Binary, payload, ack);
                Assert.Equal(EnvelopeError.None, EnvelopeJson.TryRead(EnvelopeJson.ToBytes(message), Max, out Envelope read));
                Assert.Equal(Describe(message), Describe(read));
            });
    }

    private static string Describe(Envelope e) =>
        $"{e.Type} s={e.Sequence} a={e.Ack} w={e.Waiting} r={e.Reason} {e.PayloadType} {Convert.ToHexString(e.Payload.Span)}";
}
