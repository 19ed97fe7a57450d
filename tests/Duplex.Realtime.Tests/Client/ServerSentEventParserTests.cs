using System.Text;
using CsCheck;
using Duplex.Realtime.Client;

namespace Duplex.Realtime.Tests.Client;

/// <summary>The client's event-stream parser against the WHATWG rules, on bytes.</summary>
public sealed class ServerSentEventParserTests
{
    private static List<ServerSentEvent> Parse(params byte[][] chunks)
    {
        var parser = new ServerSentEventParser(1024);
        var output = new List<ServerSentEvent>();
        foreach (byte[] chunk in chunks)
        {
            parser.Parse(chunk, output);
        }

        return output;
    }

    private static List<ServerSentEvent> Parse(string stream) => Parse(Encoding.UTF8.GetBytes(stream));

    private static string Data(ServerSentEvent e) => Encoding.UTF8.GetString(e.Data);

    [Fact]
    public void Reads_the_servers_stream_retry_open_message_with_id_and_heartbeat()
    {
        List<ServerSentEvent> events = Parse("retry: 1000\n\ndata: {\"t\":\"o\",\"a\":0,\"w\":1}\n\nid: 1\ndata: {\"t\":\"m\",\"s\":1,\"d\":\"hello\"}\n\n: h\n\n");

        Assert.Equal([ServerSentEventKind.Event, ServerSentEventKind.Event, ServerSentEventKind.Comment], events.Select(e => e.Kind));
        Assert.Equal("{\"t\":\"o\",\"a\":0,\"w\":1}", Data(events[0]));
        Assert.Equal(1000, events[0].Retry);
        Assert.Equal("", events[0].LastEventId);
        Assert.Equal("{\"t\":\"m\",\"s\":1,\"d\":\"hello\"}", Data(events[1]));
        Assert.Equal("1", events[1].LastEventId);
        Assert.Equal("message", events[1].Type);
    }

    [Theory]
    [InlineData("data: a\r\n\r\n")]
    [InlineData("data: a\r\r")]
    [InlineData("data: a\n\n")]
    [InlineData("data: a\r\n\n")]
    [InlineData("data: a\n\r")]
    public void Every_line_end_counts(string stream)
    {
        ServerSentEvent e = Assert.Single(Parse(stream));
        Assert.Equal("a", Data(e));
    }

    [Fact]
    public void A_cr_at_the_end_of_a_chunk_and_a_lf_at_the_start_of_the_next_are_one_line_end()
    {
        List<ServerSentEvent> events = Parse("data: a\r"u8.ToArray(), "\ndata: b\r"u8.ToArray(), "\n\r\n"u8.ToArray());

        ServerSentEvent e = Assert.Single(events);
        Assert.Equal("a\nb", Data(e));
    }

    [Fact]
    public void Data_lines_join_with_lf_and_only_one_leading_space_is_dropped()
    {
        ServerSentEvent e = Assert.Single(Parse("data:one\ndata:  two\ndata\ndata:\n\n"));
        Assert.Equal("one\n two\n\n", Data(e));
    }

    [Fact]
    public void An_event_without_data_is_not_dispatched_but_its_id_stays()
    {
        List<ServerSentEvent> events = Parse("id: 7\n\nevent: x\n\ndata: y\n\n");

        ServerSentEvent e = Assert.Single(events);
        Assert.Equal("y", Data(e));
        Assert.Equal("7", e.LastEventId);
        Assert.Equal("message", e.Type);
    }

    [Fact]
    public void Event_types_ids_with_nul_bad_retries_and_unknown_fields()
    {
        List<ServerSentEvent> events = Parse("event: ping\nid: a\0b\nretry: 12x\nfoo: bar\ndata: z\n\nretry: 250\ndata: w\n\n");

        Assert.Equal(2, events.Count);
        Assert.Equal("ping", events[0].Type);
        Assert.Equal("", events[0].LastEventId);
        Assert.Null(events[0].Retry);
        Assert.Equal("message", events[1].Type);
        Assert.Equal(250, events[1].Retry);
    }

    [Fact]
    public void A_leading_bom_is_skipped_once()
    {
        List<ServerSentEvent> events = Parse([0xEF, 0xBB], [0xBF, .. "data: a\n\n"u8.ToArray(), 0xEF, 0xBB, 0xBF, .. "data: b\n\n"u8.ToArray()]);

        // The second BOM is not at the start: "\uFEFFdata" is a field of another name, ignored.
        ServerSentEvent e = Assert.Single(events);
        Assert.Equal("a", Data(e));
    }

    [Fact]
    public void An_unfinished_event_at_the_end_is_not_dispatched()
    {
        Assert.Empty(Parse("data: a\n"));
        Assert.Empty(Parse("data: a"));
    }

    [Fact]
    public void A_line_past_the_bound_is_refused()
    {
        var parser = new ServerSentEventParser(16);
        Assert.Throws<InvalidDataException>(() => parser.Parse(Encoding.ASCII.GetBytes("data: " + new string('x', 20)), new List<ServerSentEvent>()));
        var joined = new ServerSentEventParser(16);
        Assert.Throws<InvalidDataException>(() => joined.Parse(Encoding.ASCII.GetBytes("data: 0123456789\ndata: 0123456789\n"), new List<ServerSentEvent>()));
    }

    [Fact]
    public void Any_chunking_of_a_stream_gives_the_same_events()
    {
        Gen<string> field = Gen.OneOf(
            Gen.String[Gen.Char.AlphaNumeric, 0, 12].Select(s => "data: " + s),
            Gen.String[Gen.Char.AlphaNumeric, 0, 4].Select(s => "data:" + s),
            Gen.Int[0, 99].Select(i => "id: " + i),
            Gen.Const("retry: 1000"),
            Gen.Const("data: é✓ multi-byte"),
            Gen.Const(": h"),
            Gen.Const("event: other"),
            Gen.Const(""));
        Gen<string> lineEnd = Gen.OneOf(Gen.Const("\n"), Gen.Const("\r"), Gen.Const("\r\n"));
        Gen<byte[]> stream = Gen.Select(field, lineEnd).Array[0, 30]
            .Select(lines => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l.Item1 + l.Item2))));
        Gen.Select(stream, Gen.Int[1, 8].Array[1, 40]).Sample((bytes, cuts) =>
        {
            List<ServerSentEvent> whole = Parse(bytes);
            var chunks = new List<byte[]>();
            int at = 0;
            foreach (int cut in cuts)
            {
                if (at >= bytes.Length)
                {
                    break;
                }

                int length = Math.Min(cut, bytes.Length - at);
                chunks.Add(bytes[at..(at + length)]);
                at += length;
            }

            chunks.Add(bytes[at..]);
            List<ServerSentEvent> pieces = Parse([.. chunks]);
            return Describe(whole) == Describe(pieces);
        });
    }

    private static string Describe(List<ServerSentEvent> events) =>
        string.Join("|", events.Select(e => $"{e.Kind}/{e.Type}/{Convert.ToHexString(e.Data)}/{e.LastEventId}/{e.Retry}"));
}
