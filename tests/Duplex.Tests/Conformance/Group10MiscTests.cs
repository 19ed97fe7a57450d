namespace Duplex.Tests.Conformance;

/// <summary>
/// Autobahn group 10, miscellaneous: a 64 KiB text message that the sender fragments by itself
/// into 1300-byte frames (50 full frames and one of 536 bytes) must come back whole.
/// </summary>
public class Group10MiscTests : ConformanceTestBase
{
    [Fact]
    public async Task Case_10_1_1_text_of_65536_bytes_auto_fragmented_in_1300_byte_frames_is_echoed_whole()
    {
        byte[] payload = Repeat((byte)'*', 65536);
        await using CaseRun run = await StartAsync();
        byte[] wire = run.Peer.Fragments(TextOp, payload, 1300);
        await run.Peer.SendAsync(wire);
        await run.EchoThenCloseAsync(WireEvent.Text(payload));
    }
}
