using System.Security.Cryptography;
using System.Text;

namespace Duplex.Tests.Interop;

/// <summary>
/// Payloads, connections and checks shared by the permessage-deflate (RFC 7692) interop tests.
/// </summary>
public static class CompressionInterop
{
    /// <summary>Sizes the full round trips cover: empty, around the 7- and 16-bit length forms, 1 MiB.</summary>
    public static readonly int[] RoundTripSizes = [0, 1, 31, 32, 125, 126, 1000, 65535, 65536, 1 << 20];

    /// <summary>Random bytes: deflate cannot shrink them, so the compressor must fall back to stored blocks or grow a little.</summary>
    public static byte[] Incompressible(int size) => RandomNumberGenerator.GetBytes(size);

    /// <summary>
    /// A random block of <paramref name="block"/> bytes repeated up to <paramref name="size"/>:
    /// deflate finds each repeat only <paramref name="block"/> bytes back, so a peer that
    /// compressed with a larger window than agreed makes back-references an inflater with the
    /// agreed window cannot resolve.
    /// </summary>
    public static byte[] RepeatedRandomBlocks(int size, int block)
    {
        var unit = RandomNumberGenerator.GetBytes(block);
        var bytes = new byte[size];
        for (var offset = 0; offset < size; offset += block)
        {
            unit.AsSpan(0, Math.Min(block, size - offset)).CopyTo(bytes.AsSpan(offset));
        }

        return bytes;
    }

    /// <summary>Text that looks like a JSON API answer (chat messages), at least <paramref name="minBytes"/> UTF-8 bytes.</summary>
    public static string JsonLike(int minBytes)
    {
        var text = new StringBuilder("[");
        var bytes = 2;
        for (var i = 0; bytes < minBytes; i++)
        {
            var item = string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $$"""{"id":{{i}},"room":"room-{{i % 7}}","user":{"name":"user-{{i % 50}}","online":{{(i % 3 == 0 ? "true" : "false")}}},"text":"message number {{i}} é✓","tags":["chat","{{(i % 2 == 0 ? "even" : "odd")}}"],"ts":{{1700000000000L + (i * 1375L)}}}""");
            if (i > 0)
            {
                text.Append(',');
                bytes++;
            }

            text.Append(item);
            bytes += Encoding.UTF8.GetByteCount(item);
        }

        return text.Append(']').ToString();
    }

    /// <summary>The Duplex client's options with this compression and the interop message limit.</summary>
    public static WebSocketClientOptions ClientOptions(PerMessageDeflateOptions? compression) => new()
    {
        UseEnvironmentProxy = false,
        ConnectTimeout = InteropTimeouts.Step,
        WebSocket = new WebSocketConnectionOptions { MaxMessageSize = InteropDuplexServer.MaxMessageSize, Compression = compression },
    };

    /// <summary>Connects the Duplex client, offering permessage-deflate with <paramref name="compression"/>.</summary>
    public static Task<WebSocketConnection> ConnectAsync(Uri uri, PerMessageDeflateOptions compression) =>
        WebSocketClient.ConnectAsync(uri, ClientOptions(compression), InteropTimeouts.Token());

    /// <summary>Fails unless <paramref name="extensions"/> is a permessage-deflate element.</summary>
    public static void AssertPermessageDeflate(string? extensions, string who)
    {
        Assert.False(extensions is null, $"{who}: no Sec-WebSocket-Extensions was agreed, so permessage-deflate is off");
        Assert.True(
            extensions == "permessage-deflate" || extensions.StartsWith("permessage-deflate;", StringComparison.Ordinal),
            $"{who}: the agreed Sec-WebSocket-Extensions is \"{extensions}\", not a permessage-deflate element");
    }

    /// <summary>
    /// The parameters of one permessage-deflate element, e.g. "permessage-deflate;
    /// server_max_window_bits=10" gives { "server_max_window_bits": "10" }; a parameter without a
    /// value maps to "". Quoted values are unquoted.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parameters(string extensions)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in extensions.Split(';').Skip(1))
        {
            var parameter = part.Trim();
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                parameters.Add(parameter, "");
            }
            else
            {
                parameters.Add(parameter[..equals].Trim(), parameter[(equals + 1)..].Trim().Trim('"'));
            }
        }

        return parameters;
    }

    /// <summary>Fails unless the element is permessage-deflate and holds every expected parameter ("name" or "name=value").</summary>
    public static void AssertHasParameters(string? extensions, IEnumerable<string> expected, string who)
    {
        AssertPermessageDeflate(extensions, who);
        var parameters = Parameters(extensions!);
        foreach (var parameter in expected)
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? parameter : parameter[..equals];
            var value = equals < 0 ? "" : parameter[(equals + 1)..];
            Assert.True(
                parameters.TryGetValue(name, out var actual) && actual == value,
                $"{who}: the agreed \"{extensions}\" does not hold {parameter}");
        }
    }

    /// <summary>Fails unless <paramref name="wireBytes"/> is at most a tenth of <paramref name="payloadBytes"/>.</summary>
    public static void AssertCompressedOnTheWire(long wireBytes, long payloadBytes, string what)
    {
        Assert.True(wireBytes > 0, $"{what}: no bytes crossed the relay");
        Assert.True(
            wireBytes * 10 <= payloadBytes,
            $"{what}: {wireBytes} bytes on the wire for {payloadBytes} bytes of payload; compressed, they would be far fewer");
    }

    /// <summary>
    /// Echoes through <paramref name="ws"/>, from 0 bytes to 1 MiB: texts of 1- to 4-byte
    /// characters (compressible), binaries of a repeating pattern (compressible) and random
    /// binaries (incompressible); then blocks repeated at a distance, and the same 20 kB text
    /// three times (which context takeover shrinks to almost nothing after the first).
    /// </summary>
    public static async Task AssertRoundTripsAsync(WebSocketConnection ws)
    {
        foreach (var size in RoundTripSizes)
        {
            await ThirdPartyPeerInteropTests.AssertTextEchoAsync(ws, InteropPayloads.Text(size));
            await ThirdPartyPeerInteropTests.AssertBinaryEchoAsync(ws, InteropPayloads.Binary(size));
            await ThirdPartyPeerInteropTests.AssertBinaryEchoAsync(ws, Incompressible(size));
        }

        await AssertShortRoundTripsAsync(ws);
    }

    /// <summary>A shorter mix for the parameter variants: small, empty, repeated, long-distance, incompressible, JSON.</summary>
    public static async Task AssertShortRoundTripsAsync(WebSocketConnection ws)
    {
        await ThirdPartyPeerInteropTests.AssertTextEchoAsync(ws, "");
        await ThirdPartyPeerInteropTests.AssertTextEchoAsync(ws, "hi \u2713");
        await ThirdPartyPeerInteropTests.AssertBinaryEchoAsync(ws, []);
        await ThirdPartyPeerInteropTests.AssertBinaryEchoAsync(ws, RepeatedRandomBlocks(256 * 1024, 4096));
        await ThirdPartyPeerInteropTests.AssertBinaryEchoAsync(ws, RepeatedRandomBlocks(64 * 1024, 700));
        await ThirdPartyPeerInteropTests.AssertBinaryEchoAsync(ws, Incompressible(70_000));
        var repeated = JsonLike(20_000);
        for (var i = 0; i < 3; i++)
        {
            await ThirdPartyPeerInteropTests.AssertTextEchoAsync(ws, repeated);
        }

        await ThirdPartyPeerInteropTests.AssertTextEchoAsync(ws, InteropPayloads.Text(300_000));
    }

    /// <summary>
    /// Sends a 100 kB repetitive text through <paramref name="ws"/>, which is connected through
    /// <paramref name="relay"/>, and checks that both the message and its echo crossed the relay
    /// in at most a tenth of their size: both sides compressed.
    /// </summary>
    public static async Task AssertBothDirectionsCompressedAsync(WebSocketConnection ws, CountingTcpRelay relay, string peer)
    {
        var text = InteropPayloads.Text(100_000);
        var before = relay.Snapshot();
        await ThirdPartyPeerInteropTests.AssertTextEchoAsync(ws, text);
        var wire = relay.Snapshot() - before;

        AssertCompressedOnTheWire(wire.ClientToServer, 100_000, $"the Duplex client's 100 kB text to {peer}");
        AssertCompressedOnTheWire(wire.ServerToClient, 100_000, $"the echo of the 100 kB text from {peer}");
    }
}
