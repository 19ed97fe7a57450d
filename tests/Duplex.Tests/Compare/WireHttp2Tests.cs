using System.Buffers.Binary;
using Duplex.Cli.Compare.Wire;

namespace Duplex.Tests.Compare;

/// <summary>
/// The wire tracker on HTTP/2 connections written frame by frame (RFC 9113 §4.1: a 9-octet header,
/// then the payload; the header blocks are opaque bytes, never decoded).
/// </summary>
public sealed class WireHttp2Tests
{
    private const byte EndStream = 0x1;
    private const byte EndHeaders = 0x4;

    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    [Fact]
    public void A_held_sse_stream_and_a_post_stream_on_the_same_connection_overlap()
    {
        var wire = Open();

        // Stream 1: GET /sse, answered by HEADERS without END_STREAM and events that keep coming.
        wire.Up(Frame(0x1, EndHeaders | EndStream, 1, 12));
        wire.Down(Frame(0x1, EndHeaders, 1, 20));
        wire.Down(Frame(0x0, 0, 1, 8));

        // Stream 3: a POST sent while the stream is held, and its answer.
        wire.Up([.. Frame(0x1, EndHeaders, 3, 15), .. Frame(0x0, EndStream, 3, 30)]);
        wire.Down(Frame(0x1, EndHeaders | EndStream, 3, 5));
        wire.Down(Frame(0x0, 0, 1, 8));

        Assert.Equal("h2", wire.Protocol);
        Assert.Equal(2, wire.Requests);
        Assert.Equal(3, wire.UpstreamTransfers);
        Assert.Equal(2, wire.OverlappingTransfers);
        Assert.True(wire.ResponseInFlight);
    }

    [Fact]
    public void Requests_one_after_another_each_ended_before_the_next_do_not_overlap()
    {
        var wire = Open();
        for (int stream = 1; stream <= 7; stream += 2)
        {
            wire.Up([.. Frame(0x1, EndHeaders, stream, 15), .. Frame(0x0, EndStream, stream, 30)]);
            wire.Down(Frame(0x1, EndHeaders, stream, 10));
            wire.Down(Frame(0x0, EndStream, stream, 40));
            wire.Down(Frame(0x8, 0, 0, 4));
        }

        Assert.Equal(4, wire.Requests);
        Assert.Equal(8, wire.UpstreamTransfers);
        Assert.Equal(0, wire.OverlappingTransfers);
        Assert.False(wire.ResponseInFlight);
    }

    [Fact]
    public void Exact_byte_counts_with_preface_settings_and_frames()
    {
        var wire = new WireTracker();
        byte[] up = [.. Preface, .. Frame(0x4, 0, 0, 6), .. Frame(0x1, EndHeaders | EndStream, 1, 12)];
        byte[] down = [.. Frame(0x4, 0, 0, 12), .. Frame(0x4, 0x1, 0, 0), .. Frame(0x1, EndHeaders | EndStream, 1, 7)];
        wire.Up(up);
        wire.Down(down);

        // Up: 24 + (9 + 6) + (9 + 12) = 60; down: (9 + 12) + 9 + (9 + 7) = 46.
        Assert.Equal(60, wire.BytesUp);
        Assert.Equal(46, wire.BytesDown);
        Assert.Equal((1L, 1L, 0L), (wire.Requests, wire.UpstreamTransfers, wire.OverlappingTransfers));
    }

    [Fact]
    public void Continuation_frames_belong_to_their_headers_and_reset_ends_a_held_stream()
    {
        var wire = Open();
        wire.Up([.. Frame(0x1, 0, 1, 16000), .. Frame(0x9, 0, 1, 16000), .. Frame(0x9, EndHeaders, 1, 10)]);
        wire.Down(Frame(0x1, EndHeaders, 1, 20));
        Assert.True(wire.ResponseInFlight);

        // The client cancels the held stream; what it sends next overlaps nothing.
        wire.Up(Frame(0x3, 0, 1, 4));
        Assert.False(wire.ResponseInFlight);
        wire.Up(Frame(0x1, EndHeaders | EndStream, 3, 10));

        wire.Down(Frame(0x1, EndHeaders, 3, 20));
        wire.Down(Frame(0x3, 0, 3, 4));
        Assert.False(wire.ResponseInFlight);

        Assert.Equal((2L, 2L, 0L), (wire.Requests, wire.UpstreamTransfers, wire.OverlappingTransfers));
    }

    [Fact]
    public void A_websocket_over_http2_extended_connect_is_one_request_and_its_data_overlaps()
    {
        var wire = Open();
        wire.Up(Frame(0x1, EndHeaders, 1, 40));
        wire.Down(Frame(0x1, EndHeaders, 1, 6));
        wire.Up(Frame(0x0, 0, 1, 8));
        wire.Down(Frame(0x0, 0, 1, 4));
        wire.Up(Frame(0x0, 0, 1, 8));

        Assert.Equal((1L, 3L, 2L), (wire.Requests, wire.UpstreamTransfers, wire.OverlappingTransfers));
    }

    [Fact]
    public void The_counts_do_not_depend_on_how_the_reads_split_the_bytes()
    {
        byte[] up = [.. Preface, .. Frame(0x4, 0, 0, 6), .. Frame(0x1, EndHeaders, 1, 12), .. Frame(0x1, EndHeaders, 3, 15), .. Frame(0x0, EndStream, 3, 30)];
        byte[] down = [.. Frame(0x4, 0, 0, 0), .. Frame(0x1, EndHeaders, 1, 20)];
        int headOfStream3 = Preface.Length + 15 + 21;
        for (int split = 1; split < headOfStream3; split++)
        {
            var wire = new WireTracker();
            wire.Up(up.AsSpan(0, split));
            wire.Up(up.AsSpan(split, headOfStream3 - split));
            foreach (byte b in down)
            {
                wire.Down([b]);
            }

            foreach (byte b in up.AsSpan(headOfStream3))
            {
                wire.Up([b]);
            }

            Assert.Equal("h2", wire.Protocol);
            Assert.Equal((2L, 3L, 2L), (wire.Requests, wire.UpstreamTransfers, wire.OverlappingTransfers));
        }
    }

    private static WireTracker Open()
    {
        var wire = new WireTracker();
        wire.Up([.. Preface, .. Frame(0x4, 0, 0, 12)]);
        wire.Down([.. Frame(0x4, 0, 0, 18), .. Frame(0x4, 0x1, 0, 0)]);
        wire.Up(Frame(0x4, 0x1, 0, 0));
        return wire;
    }

    /// <summary>A frame of <paramref name="length"/> payload bytes (zeros: never read).</summary>
    private static byte[] Frame(byte type, int flags, int stream, int length)
    {
        byte[] frame = new byte[9 + length];
        frame[0] = (byte)(length >> 16);
        frame[1] = (byte)(length >> 8);
        frame[2] = (byte)length;
        frame[3] = type;
        frame[4] = (byte)flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        return frame;
    }
}
