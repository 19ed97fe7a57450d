using Xunit.Abstractions;

namespace Duplex.Tests.Interop;

/// <summary>
/// The Duplex client with permessage-deflate (RFC 7692) against ASP.NET Core Kestrel's WebSocket
/// middleware accepting with <c>DangerousEnableCompression</c>.
/// </summary>
public sealed class KestrelCompressionInteropTests(ITestOutputHelper output)
{
    /// <summary>What the Duplex client offers or Kestrel's accept context imposes, beyond the defaults.</summary>
    public static TheoryData<string> Variants =>
    [
        "client offers server_no_context_takeover",
        "client offers client_no_context_takeover",
        "client offers server_max_window_bits=10",
        "client offers client_max_window_bits=9",
        "Kestrel sets ServerMaxWindowBits=10",
        "Kestrel sets DisableServerContextTakeover",
    ];

    [Fact]
    public async Task Duplex_client_negotiates_permessage_deflate_with_Kestrel_and_round_trips_0_bytes_to_1MiB_compressible_and_incompressible()
    {
        await using var kestrel = await KestrelEchoServer.StartAsync(enableCompression: true);
        await using var ws = await CompressionInterop.ConnectAsync(kestrel.EchoUri, new PerMessageDeflateOptions { MinimumMessageSize = 0 });

        CompressionInterop.AssertPermessageDeflate(ws.Extensions, "the Duplex client");
        var extensions = await kestrel.WaitForExtensionsAsync(InteropTimeouts.Step);
        output.WriteLine($"offered: {extensions.Offered}; Kestrel answered: {extensions.Answered}; the Duplex client agreed: {ws.Extensions}");
        Assert.Equal(extensions.Answered, ws.Extensions);

        await CompressionInterop.AssertRoundTripsAsync(ws);

        await ws.CloseAsync(CloseStatus.NormalClosure, "bye", InteropTimeouts.Token());
        Assert.Equal(new ReceivedClose(1000, "bye"), await kestrel.WaitForCloseAsync(InteropTimeouts.Step));
    }

    [Fact]
    public async Task Duplex_client_and_Kestrel_both_compress_a_100kB_text_on_the_wire()
    {
        await using var kestrel = await KestrelEchoServer.StartAsync(enableCompression: true);
        await using var relay = CountingTcpRelay.Start(kestrel.Port);
        await using var ws = await CompressionInterop.ConnectAsync(relay.WebSocketUri("/echo"), new PerMessageDeflateOptions());

        CompressionInterop.AssertPermessageDeflate(ws.Extensions, "the Duplex client");
        await CompressionInterop.AssertBothDirectionsCompressedAsync(ws, relay, "Kestrel");

        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
        Assert.Equal(1000, (await kestrel.WaitForCloseAsync(InteropTimeouts.Step)).Code);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Duplex_client_and_Kestrel_agree_on_permessage_deflate_and_round_trip_when_the(string variant)
    {
        var (client, serverMaxWindowBits, disableServerContextTakeover, expected) = variant switch
        {
            "client offers server_no_context_takeover" => (
                new PerMessageDeflateOptions { ServerNoContextTakeover = true }, 15, false, (string[])["server_no_context_takeover"]),
            "client offers client_no_context_takeover" => (new PerMessageDeflateOptions { ClientNoContextTakeover = true }, 15, false, []),
            "client offers server_max_window_bits=10" => (new PerMessageDeflateOptions { ServerMaxWindowBits = 10 }, 15, false, ["server_max_window_bits=10"]),
            "client offers client_max_window_bits=9" => (new PerMessageDeflateOptions { ClientMaxWindowBits = 9 }, 15, false, []),
            "Kestrel sets ServerMaxWindowBits=10" => (new PerMessageDeflateOptions(), 10, false, ["server_max_window_bits=10"]),
            _ => (new PerMessageDeflateOptions(), 15, true, ["server_no_context_takeover"]),
        };
        await using var kestrel = await KestrelEchoServer.StartAsync(
            enableCompression: true, serverMaxWindowBits: serverMaxWindowBits, disableServerContextTakeover: disableServerContextTakeover);
        await using var ws = await CompressionInterop.ConnectAsync(kestrel.EchoUri, client);

        var extensions = await kestrel.WaitForExtensionsAsync(InteropTimeouts.Step);
        output.WriteLine($"offered: {extensions.Offered}; Kestrel answered: {extensions.Answered}; the Duplex client agreed: {ws.Extensions}");
        CompressionInterop.AssertHasParameters(ws.Extensions, expected, "the Duplex client");
        Assert.Equal(extensions.Answered, ws.Extensions);

        await CompressionInterop.AssertShortRoundTripsAsync(ws);

        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
        Assert.Equal(1000, (await kestrel.WaitForCloseAsync(InteropTimeouts.Step)).Code);
    }

    [Fact]
    public async Task Duplex_client_offer_is_declined_by_Kestrel_without_compression_and_messages_still_round_trip()
    {
        await using var kestrel = await KestrelEchoServer.StartAsync();
        await using var ws = await CompressionInterop.ConnectAsync(kestrel.EchoUri, new PerMessageDeflateOptions());

        Assert.Null(ws.Extensions);
        var extensions = await kestrel.WaitForExtensionsAsync(InteropTimeouts.Step);
        CompressionInterop.AssertPermessageDeflate(extensions.Offered, "the Duplex client's offer");
        Assert.Null(extensions.Answered);
        await ThirdPartyPeerInteropTests.AssertTextEchoAsync(ws, InteropPayloads.Text(100_000));
        await ws.CloseAsync(CloseStatus.NormalClosure, null, InteropTimeouts.Token());
    }
}
