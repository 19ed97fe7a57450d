using System.Globalization;
using Duplex.Realtime.Protocol;
using Duplex.Tests.Interop;
using Xunit.Abstractions;

namespace Duplex.Tests.Realtime;

/// <summary>
/// duplex.js's payload codecs (run in Node by tests/peers/node/duplex-js-codecs.js) agree with the
/// server's: binary message envelopes (docs/PROTOCOL.md §3: 0x6D, LEB128, payload) for numbers up
/// to 2^53 − 1 both ways, broken ones refused, and base64 of every byte value.
/// </summary>
public sealed class BrowserCodecTests(ITestOutputHelper output)
{
    private static readonly long[] Numbers = [1, 127, 128, 300, 16_383, 16_384, 2_097_152, 1L << 32, (1L << 53) - 1];

    [Fact]
    public async Task Binary_envelopes_and_base64_of_duplex_js_are_the_servers_own()
    {
        byte[] payload = [0x00, 0x6d, 0xff];
        string[] serverFrames = Numbers.Select(n => Convert.ToHexStringLower(Frame(n, payload))).ToArray();
        string[] broken =
        [
            "6d",                       // no number
            "6e01",                     // not 'm'
            "6d80",                     // the number does not end
            "6d808080808080808001",     // a number of 9 bytes
            "6d00",                     // message 0
        ];
        byte[] everyByte = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        string script = Path.Combine(PeerProcess.RepoRoot, "src", "Duplex.Realtime", "Browser", "duplex.js");
        await using var node = PeerProcess.StartNode(
            "duplex-js-codecs.js",
            [script, "--numbers", string.Join(',', Numbers), .. serverFrames.Concat(broken).SelectMany(f => new[] { "--decode", f }), "--base64", Convert.ToHexStringLower(everyByte)],
            output);

        PeerResult result = await node.WaitForResultAsync(InteropTimeouts.Browser);

        result.AssertOk();
        foreach (long n in Numbers)
        {
            string browserFrame = result.Json.GetProperty("frames").GetProperty(n.ToString(CultureInfo.InvariantCulture)).GetString()!;
            Assert.Equal(Convert.ToHexStringLower(Frame(n, payload)), browserFrame);
        }

        var decoded = result.Json.GetProperty("decoded").EnumerateArray().ToArray();
        for (int i = 0; i < Numbers.Length; i++)
        {
            Assert.Equal(Numbers[i], decoded[i].GetProperty("s").GetInt64());
            Assert.Equal("006dff", decoded[i].GetProperty("payload").GetString());
        }

        Assert.All(decoded.Skip(Numbers.Length), d => Assert.Equal(System.Text.Json.JsonValueKind.Null, d.ValueKind));
        Assert.Equal(Convert.ToBase64String(everyByte), result.GetString("base64"));
        Assert.Equal(Convert.ToHexStringLower(everyByte), result.GetString("unbase64"));
    }

    private static byte[] Frame(long sequence, byte[] payload)
    {
        var frame = new byte[BinaryEnvelope.HeaderSize(sequence) + payload.Length];
        int header = BinaryEnvelope.WriteHeader(frame, sequence);
        payload.CopyTo(frame, header);
        Assert.Equal(EnvelopeError.None, BinaryEnvelope.TryRead(frame, out long read, out _));
        Assert.Equal(sequence, read);
        return frame;
    }
}
