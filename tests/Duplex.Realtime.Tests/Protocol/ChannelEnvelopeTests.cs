using System.Text;
using Duplex.Realtime.Protocol;

namespace Duplex.Realtime.Tests.Protocol;

/// <summary>The <c>ch</c> envelope of docs/PROTOCOL.md §10: numbered like a message, its channel fields carried as one JSON object.</summary>
public sealed class ChannelEnvelopeTests
{
    [Fact]
    public void A_channel_envelope_is_written_with_t_and_s_before_its_shared_fields()
    {
        byte[] fields = """{"op":"p","ch":"room:lobby","e":"E1","q":5,"d":"hi"}"""u8.ToArray();
        Assert.Equal("""{"t":"ch","s":12,"op":"p","ch":"room:lobby","e":"E1","q":5,"d":"hi"}""", Encoding.UTF8.GetString(EnvelopeJson.ToBytes(Envelope.Channel(12, fields))));
        Assert.Equal("""{"t":"ch","s":13,"op":"p","ch":"room:lobby","e":"E1","q":5,"d":"hi","a":4}""", Encoding.UTF8.GetString(EnvelopeJson.ToBytes(Envelope.Channel(13, fields, ack: 4))));
    }

    [Fact]
    public void A_channel_envelope_is_read_whole_with_its_number_and_acknowledgement()
    {
        string json = """{"t":"ch","s":3,"op":"pub","r":1,"ch":"news","k":"c1-1","d":"x","a":2}""";
        Assert.Equal(EnvelopeError.None, EnvelopeJson.TryRead(Encoding.UTF8.GetBytes(json), 1024, out Envelope envelope));
        Assert.Equal(EnvelopeType.Channel, envelope.Type);
        Assert.True(envelope.IsNumbered);
        Assert.Equal(3, envelope.Sequence);
        Assert.Equal(2, envelope.Ack);
        Assert.Equal(json, Encoding.UTF8.GetString(envelope.Payload.Span));
    }

    [Fact]
    public void Channel_envelopes_travel_in_arrays_among_messages()
    {
        string json = """[{"t":"m","s":1,"d":"a"},{"t":"ch","s":2,"op":"sub","r":1,"ch":"news"},{"t":"a","a":0}]""";
        var envelopes = new List<Envelope>();
        Assert.Equal(EnvelopeError.None, EnvelopeJson.TryReadArray(Encoding.UTF8.GetBytes(json), 10, 1024, envelopes));
        Assert.Equal([EnvelopeType.Message, EnvelopeType.Channel, EnvelopeType.Ack], envelopes.Select(e => e.Type));
        Assert.Equal("""{"t":"ch","s":2,"op":"sub","r":1,"ch":"news"}""", Encoding.UTF8.GetString(envelopes[1].Payload.Span));
    }

    [Theory]
    [InlineData("""{"t":"ch","op":"sub"}""", EnvelopeError.MissingField)]
    [InlineData("""{"t":"ch","s":0,"op":"sub"}""", EnvelopeError.InvalidField)]
    [InlineData("""{"t":"chx","s":1}""", EnvelopeError.UnknownType)]
    public void A_channel_envelope_needs_its_number(string json, EnvelopeError expected) =>
        Assert.Equal(expected, EnvelopeJson.TryRead(Encoding.UTF8.GetBytes(json), 1024, out _));

    [Fact]
    public void A_channel_envelope_over_the_size_limit_is_refused()
    {
        string json = $$"""{"t":"ch","s":1,"op":"pub","ch":"x","k":"k","d":"{{new string('a', 3000)}}"}""";
        Assert.Equal(EnvelopeError.TooLarge, EnvelopeJson.TryRead(Encoding.UTF8.GetBytes(json), 1024, out _));
    }
}
