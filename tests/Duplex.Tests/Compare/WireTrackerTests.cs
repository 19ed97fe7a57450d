using System.Text;
using Duplex.Cli.Compare.Wire;

namespace Duplex.Tests.Compare;

/// <summary>
/// The wire tracker on HTTP/1.1 and WebSocket exchanges written out by hand: the byte counts are
/// the lengths of the strings (counted in the comments), the requests the heads in them, and a
/// transfer overlaps only when the client sent while a response on the same connection was in flight.
/// The exchange's pieces serve the relay's tests too.
/// </summary>
public sealed class WireTrackerTests
{
    // 23 + 9 + 2 = 34 bytes.
    internal const string Poll = "GET /rt/poll HTTP/1.1\r\nHost: x\r\n\r\n";

    // 17 + 19 + 2 + 5 = 43 bytes.
    internal const string Hello = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

    // 24 + 9 + 19 + 2 + 2 = 56 bytes.
    internal const string Send = "POST /rt/send HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi";

    // 25 + 2 = 27 bytes.
    internal const string NoContent = "HTTP/1.1 204 No Content\r\n\r\n";

    internal const string Upgrade = "GET /rt/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    internal const string Switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";

    [Fact]
    public void Counts_of_a_hand_computed_keep_alive_exchange_match_exactly()
    {
        var wire = new WireTracker();
        Up(wire, Poll);
        Down(wire, Hello);
        Up(wire, Send);
        Down(wire, NoContent);

        Assert.Equal("http/1.1", wire.Protocol);
        Assert.Equal(34 + 56, wire.BytesUp);
        Assert.Equal(43 + 27, wire.BytesDown);
        Assert.Equal(2, wire.Requests);
        Assert.Equal(2, wire.UpstreamTransfers);
        Assert.Equal(0, wire.OverlappingTransfers);
        Assert.False(wire.ResponseInFlight);
    }

    [Fact]
    public void The_counts_do_not_depend_on_how_the_reads_split_the_bytes()
    {
        byte[] poll = Encoding.ASCII.GetBytes(Poll);
        for (int split = 0; split <= poll.Length; split++)
        {
            var wire = new WireTracker();
            wire.Up(poll.AsSpan(0, split));
            wire.Up(poll.AsSpan(split));
            foreach (byte b in Encoding.ASCII.GetBytes(Hello))
            {
                wire.Down([b]);
            }

            foreach (byte b in Encoding.ASCII.GetBytes(Send))
            {
                wire.Up([b]);
            }

            Down(wire, NoContent);
            Assert.Equal((2L, 2L, 0L), (wire.Requests, wire.UpstreamTransfers, wire.OverlappingTransfers));
            Assert.Equal((90L, 70L), (wire.BytesUp, wire.BytesDown));
        }
    }

    [Fact]
    public void Long_polling_a_held_get_and_a_post_on_a_second_connection_is_not_overlapping()
    {
        var held = new WireTracker();
        var sender = new WireTracker();

        // The poll is held: no byte of its response has come when the message goes up beside it.
        Up(held, Poll);
        Up(sender, Send);
        Down(sender, NoContent);
        Down(held, Hello);

        // The next poll goes out only after the last one was answered.
        Up(held, Poll);
        Down(held, Hello);

        Assert.Equal((2L, 0L), (held.UpstreamTransfers, held.OverlappingTransfers));
        Assert.Equal((1L, 0L), (sender.UpstreamTransfers, sender.OverlappingTransfers));
    }

    [Fact]
    public void Sse_over_http1_a_stream_held_open_and_posts_on_another_connection_is_not_overlapping()
    {
        var stream = new WireTracker();
        var sender = new WireTracker();
        Up(stream, "GET /rt/sse HTTP/1.1\r\nHost: x\r\n\r\n");
        Down(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n6\r\ndata:1\r\n");
        Assert.True(stream.ResponseInFlight);

        Up(sender, Send);
        Down(sender, NoContent);
        Up(sender, Send);
        Down(sender, NoContent);
        Down(stream, "6\r\ndata:2\r\n");

        Assert.Equal((1L, 0L), (stream.UpstreamTransfers, stream.OverlappingTransfers));
        Assert.Equal((2L, 0L), (sender.UpstreamTransfers, sender.OverlappingTransfers));
    }

    [Fact]
    public void A_request_sent_while_a_response_is_still_arriving_overlaps()
    {
        var wire = new WireTracker();
        Up(wire, Poll);
        Down(wire, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
        Up(wire, Send);
        Down(wire, "0\r\n\r\n");
        Down(wire, NoContent);
        Up(wire, Poll);

        Assert.Equal(3, wire.UpstreamTransfers);
        Assert.Equal(1, wire.OverlappingTransfers);
    }

    [Fact]
    public void Interim_responses_and_bodiless_answers_do_not_hold_a_response_in_flight()
    {
        var wire = new WireTracker();
        Up(wire, "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n");
        Down(wire, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
        Assert.False(wire.ResponseInFlight);

        Up(wire, "POST /b HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        Down(wire, "HTTP/1.1 100 Continue\r\n\r\n");
        Assert.False(wire.ResponseInFlight);
        Up(wire, "hi");
        Down(wire, "HTTP/1.1 304 Not Modified\r\n\r\n");
        Up(wire, Poll);

        Assert.Equal(3, wire.Requests);
        Assert.Equal(0, wire.OverlappingTransfers);
    }

    [Fact]
    public void A_response_delimited_by_the_close_stays_in_flight_until_the_connection_ends()
    {
        var wire = new WireTracker();
        Up(wire, Poll);
        Down(wire, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nsome");
        Up(wire, Send);

        Assert.True(wire.ResponseInFlight);
        Assert.Equal(1, wire.OverlappingTransfers);
    }

    [Fact]
    public void A_websocket_upgrade_then_frames_both_ways_is_overlapping()
    {
        var wire = new WireTracker();
        Up(wire, Upgrade);
        Down(wire, Switching);
        wire.Up([0x81, 0x82, 1, 2, 3, 4, 0x69, 0x6b]);
        wire.Down([0x81, 0x02, 0x68, 0x69]);
        wire.Up([0x81, 0x82, 1, 2, 3, 4, 0x69, 0x6b]);
        wire.Up([0x88, 0x80, 1, 2, 3, 4]);

        Assert.Equal("websocket", wire.Protocol);
        Assert.Equal(1, wire.Requests);
        Assert.Equal(4, wire.UpstreamTransfers);
        Assert.Equal(3, wire.OverlappingTransfers);
        Assert.Equal(Upgrade.Length + 8 + 8 + 6, wire.BytesUp);
        Assert.Equal(Switching.Length + 4, wire.BytesDown);
    }

    [Fact]
    public void A_refused_upgrade_leaves_the_connection_http()
    {
        var wire = new WireTracker();
        Up(wire, Upgrade);
        Down(wire, "HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno");
        Up(wire, Poll);
        Down(wire, Hello);

        Assert.Equal("http/1.1", wire.Protocol);
        Assert.Equal(2, wire.Requests);
        Assert.Equal((2L, 0L), (wire.UpstreamTransfers, wire.OverlappingTransfers));
    }

    [Fact]
    public void Bytes_that_are_not_http_are_counted_but_are_no_protocol()
    {
        var wire = new WireTracker();
        wire.Up("\x16\x03\x01 hello\r\n\r\n"u8);
        wire.Down([1, 2, 3]);

        Assert.Equal("unknown", wire.Protocol);
        Assert.Equal((13L, 3L), (wire.BytesUp, wire.BytesDown));
        Assert.Equal((0L, 0L), (wire.Requests, wire.UpstreamTransfers));
    }

    private static void Up(WireTracker wire, string text) => wire.Up(Encoding.ASCII.GetBytes(text));

    private static void Down(WireTracker wire, string text) => wire.Down(Encoding.ASCII.GetBytes(text));
}
