using System.Buffers;
using System.Text;
using CsCheck;
using Duplex.Protocol.Http;

namespace Duplex.Protocol.Tests.Http;

/// <summary>
/// The decoder keeps no buffer, so its answer must not depend on how the input is cut or how
/// much output room each call has: any chunked body, valid or broken, gives the same body, the
/// same end and the same refusal from every split point.
/// </summary>
public class ChunkedDecoderPropertyTests
{
    private static readonly string[] s_extensions = ["", ";a", ";a=b", ";name=\"quoted \\\" value\"", " ; x = y", "\t;t"];
    private static readonly string[] s_trailers = ["", "X-A: 1\r\n", "Expires: never\r\nX-B: b\tc\r\n"];

    private sealed record Body(byte[] Wire, byte[] Data);

    private sealed record Outcome(OperationStatus Status, HttpRequestRejection Error, string Data, int Consumed);

    private static readonly Gen<Body> s_bodies =
        Gen.Select(Gen.Byte.Array[1, 40].Array[0, 6], Gen.Int[0, s_extensions.Length - 1].Array[7], Gen.Int[0, s_trailers.Length - 1], Gen.Bool)
            .Select((chunks, extensions, trailer, upper) =>
            {
                var wire = new List<byte>();
                var data = new List<byte>();
                for (int i = 0; i < chunks.Length; i++)
                {
                    string size = chunks[i].Length.ToString(upper ? "X" : "x", System.Globalization.CultureInfo.InvariantCulture);
                    wire.AddRange(Encoding.Latin1.GetBytes(size + s_extensions[extensions[i]] + "\r\n"));
                    wire.AddRange(chunks[i]);
                    wire.AddRange("\r\n"u8.ToArray());
                    data.AddRange(chunks[i]);
                }

                wire.AddRange(Encoding.Latin1.GetBytes("0" + s_extensions[extensions[^1]] + "\r\n" + s_trailers[trailer] + "\r\n"));
                return new Body([.. wire], [.. data]);
            });

    /// <summary>Feeds <paramref name="wire"/> cut at <paramref name="cuts"/>, with <paramref name="outputSize"/> bytes of output per call.</summary>
    private static Outcome Feed(byte[] wire, IReadOnlyList<int> cuts, int outputSize)
    {
        var decoder = new ChunkedDecoder(HttpLimits.Default, 1 << 20);
        var data = new StringBuilder();
        byte[] output = new byte[outputSize];
        int start = 0;
        for (int piece = 0; piece <= cuts.Count; piece++)
        {
            int end = piece < cuts.Count ? cuts[piece] : wire.Length;
            int pos = start;
            while (true)
            {
                OperationStatus status = decoder.Decode(wire.AsSpan(pos, end - pos), output, out int consumed, out int written);
                data.Append(Encoding.Latin1.GetString(output, 0, written));
                pos += consumed;
                if (status == OperationStatus.DestinationTooSmall)
                {
                    continue;
                }

                if (status != OperationStatus.NeedMoreData)
                {
                    return new Outcome(status, decoder.Error, data.ToString(), pos);
                }

                Assert.Equal(end, pos);
                break;
            }

            start = end;
        }

        return new Outcome(OperationStatus.NeedMoreData, decoder.Error, data.ToString(), wire.Length);
    }

    [Fact]
    public void Any_chunked_body_in_one_piece_decodes_to_its_data_and_stops_at_its_end()
    {
        s_bodies.Sample(body =>
        {
            byte[] wire = [.. body.Wire, .. "GET / HTTP/1.1\r\n"u8.ToArray()];
            Outcome outcome = Feed(wire, [], 64);
            Assert.Equal(new Outcome(OperationStatus.Done, HttpRequestRejection.None, Encoding.Latin1.GetString(body.Data), body.Wire.Length), outcome);
        }, iter: 2000);
    }

    [Fact]
    public void Chunked_body_split_at_every_point_gives_the_same_result()
    {
        s_bodies.Sample(body =>
        {
            Outcome whole = Feed(body.Wire, [], 64);
            for (int at = 0; at <= body.Wire.Length; at++)
            {
                Assert.Equal(whole, Feed(body.Wire, [at], 64));
            }
        }, iter: 300);
    }

    [Fact]
    public void Chunked_body_in_pieces_of_random_sizes_with_small_outputs_gives_the_same_result()
    {
        Gen.Select(s_bodies, Gen.Int[1, 12].Array[1, 30], Gen.Int[1, 9]).Sample((body, sizes, outputSize) =>
        {
            var cuts = new List<int>();
            int at = 0;
            foreach (int size in sizes)
            {
                at += size;
                if (at >= body.Wire.Length)
                {
                    break;
                }

                cuts.Add(at);
            }

            Assert.Equal(Feed(body.Wire, [], 64), Feed(body.Wire, cuts, outputSize));
        }, iter: 2000);
    }

    [Fact]
    public void Broken_chunked_body_is_refused_the_same_way_from_every_split_point()
    {
        byte[] corruptions = "\r\n \t;=\"x-0gG\\\0"u8.ToArray();
        Gen.Select(s_bodies, Gen.Int[0, 10_000], Gen.Int[0, corruptions.Length - 1]).Sample((body, where, what) =>
        {
            byte[] wire = (byte[])body.Wire.Clone();
            wire[where % wire.Length] = corruptions[what];
            Outcome whole = Feed(wire, [], 64);
            for (int at = 0; at <= wire.Length; at++)
            {
                Assert.Equal(whole, Feed(wire, [at], 64));
                Assert.Equal(whole, Feed(wire, [at], 1));
            }
        }, iter: 500);
    }

    [Fact]
    public void Body_read_through_the_connection_in_pieces_equals_the_body_read_whole()
    {
        Gen.Select(s_bodies, Gen.Int[0, 10_000]).Sample((body, where) =>
        {
            string head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
            string wire = Encoding.Latin1.GetString(body.Wire);
            int at = where % (wire.Length + 1);

            var driver = new ServerDriver();
            driver.AcceptHead(head);
            (string first, HttpServerEvent firstEvent, string rest) = driver.ReadBody(wire[..at], outputSize: 7);
            Assert.Equal("", rest);
            (string second, HttpServerEvent secondEvent, _) = firstEvent == HttpServerEvent.EndOfBody ? ("", firstEvent, "") : driver.ReadBody(wire[at..], outputSize: 7);

            Assert.Equal(Encoding.Latin1.GetString(body.Data), first + second);
            Assert.Equal(HttpServerEvent.EndOfBody, secondEvent);
            Assert.Equal(body.Data.Length, driver.Connection.BodyBytesReceived);
        }, iter: 1000);
    }
}
